export * from "./name-routes.ts";
export * from "./name-schemas.ts";
export { namesApi } from "./names-client.ts";
