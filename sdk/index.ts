export { AllowanceLedger } from "./client/allowance-ledger.ts";
export { type ChainSigner, type EthersSignerLike, ethersSigner, viemSigner } from "./client/chain-signer.ts";
export {
  type BlobQuery,
  type IndexedBlob,
  type IndexedBlobDetail,
  type IndexedNode,
  IndexerClient,
  type Route,
} from "./client/indexer-client.ts";
export { NonceSequencer, NonceSequencers } from "./client/nonce-sequencer.ts";
export type { UploadSource } from "./client/prepare-source.ts";
export { type NodeParams, StrataClient, type StrataClientOptions } from "./client/strata-client.ts";
export type { UploadOptions, UploadProgress, UploadResult } from "./client/upload-blob.ts";
export * from "./errors.ts";
