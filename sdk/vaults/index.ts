export * from "./vault-client.ts";
export * from "./vault-errors.ts";
