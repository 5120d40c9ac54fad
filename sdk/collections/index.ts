export {
  Collection,
  type CollectionMeta,
  type Document,
  type FindOptions,
  type Master,
} from "../../protocol/index.ts";
export * from "./collection-errors.ts";
export * from "./database.ts";
export * from "./storage-engine.ts";
