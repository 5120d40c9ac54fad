export { type BalanceParameters, type BalanceReturnType, balance } from "./balance.ts";
export { type ClaimParameters, type ClaimReturnType, claim } from "./claim.ts";
export { type DeleteBlobParameters, type DeleteBlobReturnType, deleteBlob } from "./delete-blob.ts";
export { type ExtendParameters, type ExtendReturnType, extend } from "./extend.ts";
export { type FaucetParameters, type FaucetReturnType, faucet } from "./faucet.ts";
export { type FundSignerParameters, type FundSignerReturnType, fundSigner } from "./fund-signer.ts";
export { type GetParameters, type GetReturnType, get } from "./get.ts";
export { type ListParameters, type ListReturnType, list } from "./list.ts";
export { type MigrateParameters, type MigrateReturnType, migrate } from "./migrate.ts";
export { type QuoteParameters, type QuoteReturnType, quote } from "./quote.ts";
export { type ReclaimParameters, type ReclaimReturnType, reclaim } from "./reclaim.ts";
export { type RegisterNodeParameters, type RegisterNodeReturnType, registerNode } from "./register-node.ts";
export {
  type RequestUnstakeParameters,
  type RequestUnstakeReturnType,
  requestUnstake,
} from "./request-unstake.ts";
export { type SettleParameters, type SettleReturnType, settle } from "./settle.ts";
export { type StakeParameters, type StakeReturnType, stake } from "./stake.ts";
export { type StatusParameters, type StatusReturnType, status } from "./status.ts";
export { type StreamParameters, type StreamReturnType, stream } from "./stream.ts";
export { type TransferParameters, type TransferReturnType, transfer } from "./transfer.ts";
export { type UnclaimedPayParameters, type UnclaimedPayReturnType, unclaimedPay } from "./unclaimed-pay.ts";
export { type UpdateNodeParameters, type UpdateNodeReturnType, updateNode } from "./update-node.ts";
export { type UploadParameters, type UploadReturnType, upload } from "./upload.ts";
export { type WithdrawParameters, type WithdrawReturnType, withdraw } from "./withdraw.ts";
