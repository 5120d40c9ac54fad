export {
  type RestoredMessage,
  restoredTypedData,
  restoredTypes,
  vaultsDomain,
} from "./restored-typed-data.ts";
export { type SnapshotBlock, snapshotBlocks } from "./snapshot-blocks.ts";
export {
  chunkBlock,
  decodeManifest,
  InvalidManifestError,
  manifestBlock,
  manifestFileBytes,
  VAULT_CHUNK_SIZE,
  type VaultFile,
  type VaultManifest,
} from "./vault-manifest.ts";
export { VAULT_REQUEST_SKEW_SECONDS, type VaultRequest, vaultRequestMessage } from "./vault-request.ts";
