export { vaultAuthorizer } from "./vault-authorizer.ts";
export { createVaultNodeClient, type VaultAuthorizer, type VaultNodeClient } from "./vault-node-client.ts";
export * from "./vault-node-schemas.ts";
export * from "./vault-schemas.ts";
export { vaultsApi } from "./vaults-client.ts";
