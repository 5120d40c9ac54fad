export * from "./gateway-params.ts";
export * from "./node-client.ts";
export * from "./node-error-codes.ts";
export * from "./node-paths.ts";
export * from "./node-schemas.ts";
export * from "./node-stats.ts";
export * from "./send-shards.ts";
