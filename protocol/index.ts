export * from "./abi/index.ts";
export {
  BlobLedger,
  type BlobStep,
  type BlobTermsInput,
  BPS,
  blobCost,
  feeOn,
  type LedgerStatus,
  type ProvenCount,
  periodPay,
  quorumOf,
  replayBlobLife,
} from "./blob-money.ts";
export { strataChain } from "./chain.ts";
export { CHUNK_SIZE, cidOfStream, groupingChunker, MAX_LINKS, unixfsImportOptions } from "./cid.ts";
export * from "./collections/index.ts";
export * from "./commitment/index.ts";
export { type Deployment, parseDeployment, serializeDeployment } from "./deployment.ts";
export * from "./erasure/index.ts";
export { ProtocolError } from "./errors.ts";
export { holdersIn } from "./holder-mask.ts";
export { blobIdOf, isBlobId } from "./ids.ts";
export * from "./names/index.ts";
export {
  afterPrunes,
  drawOf,
  drawSamples,
  MAX_ATTEMPTS,
  periodAt,
  type Sample,
  type SampledEntry,
  seedOf,
} from "./sampling.ts";
export {
  BlobStatus,
  type BlobStatusName,
  blobStatusName,
  Tier,
  TierBit,
  type TierName,
  type TierValue,
  tierName,
} from "./tier.ts";
export {
  type AttestationMessage,
  attestationArg,
  attestationTypedData,
  attestationTypes,
  type DeleteRequestMessage,
  deleteRequestTypedData,
  deleteRequestTypes,
  marketDomain,
  type WireAttestation,
} from "./typed-data.ts";
export { type FileBlock, type FileSpan, fileBlock, spansInRange } from "./unixfs-range.ts";
export * from "./vaults/index.ts";
