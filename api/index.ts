export * from "./error-envelope.ts";
export * from "./put-stream.ts";
export * from "./service-error.ts";
