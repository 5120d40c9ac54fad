export * from "./error-envelope.ts";
export * from "./names/index.ts";
export * from "./put-stream.ts";
export * from "./service-error.ts";
export * from "./vaults/index.ts";
