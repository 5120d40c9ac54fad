export { strataTokenAbi } from "./strataToken.ts";
export { nodeRegistryAbi } from "./nodeRegistry.ts";
export { storageMarketAbi } from "./storageMarket.ts";
export { proofSystemAbi } from "./proofSystem.ts";
export { nameRegistryAbi } from "./nameRegistry.ts";
export { vaultRegistryAbi } from "./vaultRegistry.ts";
export { strataErrorsAbi } from "./errors.ts";
