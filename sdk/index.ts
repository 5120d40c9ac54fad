export {
  type BlobQuery,
  createIndexerClient,
  type IndexedBlob,
  type IndexedBlobDetail,
  type IndexedNode,
  type IndexedNodeDetail,
  type IndexerClient,
  type Route,
} from "../api/indexer/index.ts";
export type { IndexedName, IndexedNameUpdate, NameHistory } from "../api/names/index.ts";
export type { MigrateReply, ShardReply, StoreReply } from "../api/node/index.ts";
export { ServiceError } from "../api/service-error.ts";
export { type Deployment, parseDeployment } from "../protocol/deployment.ts";
export * from "./actions/index.ts";
export { AllowanceLedger } from "./client/allowance-ledger.ts";
export { type ChainSigner, type EthersSignerLike, ethersSigner, viemSigner } from "./client/chain-signer.ts";
export type { ActionOptions, ClientContext, SigningContext } from "./client/client-context.ts";
export type { SentCall } from "./client/contract-calls.ts";
export { type Eip1193ProviderLike, eip1193Signer } from "./client/eip1193-signer.ts";
export type { NodeParams } from "./client/node-params.ts";
export { NonceSequencer, NonceSequencers } from "./client/nonce-sequencer.ts";
export type { ByteRange, Source } from "./client/read-with-failover.ts";
export { StrataClient } from "./client/strata-client.ts";
export { createStrataContext, type StrataClientOptions } from "./client/strata-context.ts";
export type { UploadOptions, UploadProgress, UploadResult, UploadSource } from "./client/upload-types.ts";
export * from "./collections/index.ts";
export * from "./errors.ts";
export * from "./names/index.ts";
export * from "./vaults/index.ts";
