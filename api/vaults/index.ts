export * from "./vault-schemas.ts";
export { vaultsApi } from "./vaults-client.ts";
