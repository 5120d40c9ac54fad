export * from "./console-config.ts";
export * from "./indexer-client.ts";
export * from "./indexer-error-codes.ts";
export * from "./indexer-routes.ts";
export * from "./indexer-schemas.ts";
