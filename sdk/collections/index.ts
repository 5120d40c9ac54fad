export * from "./collection.ts";
export * from "./collection-errors.ts";
export * from "./database.ts";
export type { Document } from "./document-block.ts";
export type { CollectionMeta, Master } from "./master.ts";
export * from "./storage-engine.ts";
