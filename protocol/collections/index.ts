export { buildCollection } from "./build-collection.ts";
export { Collection, type CollectionStore, type FindOptions } from "./collection.ts";
export { CorruptBlockError, InvalidDocumentError } from "./collection-errors.ts";
export { type Document, decodeDocument, documentBlock, withKey } from "./document-block.ts";
export { encodeIndexValue, indexKey, indexValuesOf } from "./index-keys.ts";
export { type CollectionMeta, decodeMaster, emptyMaster, type Master, masterBlock } from "./master.ts";
export { type Block, blockKey, indexPack, readPackStream, verifyBlock, writePack } from "./pack.ts";
export { buildMap, compareBytes, getEntry, type LoadBlock, mapBlocks, rangeEntries } from "./prolly-map.ts";
