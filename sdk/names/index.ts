export * from "./lock-name.ts";
export * from "./name-errors.ts";
export * from "./name-history.ts";
export * from "./publish-name.ts";
export * from "./resolve-name.ts";
