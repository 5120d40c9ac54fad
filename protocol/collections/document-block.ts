import * as dagCbor from "@ipld/dag-cbor";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import { InvalidDocumentError } from "./collection-errors.ts";
import type { Block } from "./pack.ts";

/** A document: a JSON-like object whose `_id` is a string. */
export type Document = Record<string, unknown> & { _id?: string };

/** A document as a block: DAG-CBOR (deterministic: map keys sorted), SHA-256, CIDv1. */
export async function documentBlock(doc: Document): Promise<Block> {
  let bytes: Uint8Array;
  try {
    bytes = dagCbor.encode(doc);
  } catch (error) {
    throw new InvalidDocumentError(
      `a document must be IPLD data (no undefined, NaN, functions): ${(error as Error).message}`,
    );
  }
  return { cid: CID.createV1(dagCbor.code, await sha256.digest(bytes)), bytes };
}

/**
 * The document with its key: its own `_id` if it has one (a string), else the CID of the document
 * without one, as the seed named documents by their hash.
 */
export async function withKey(doc: Document): Promise<Document & { _id: string }> {
  if (doc === null || typeof doc !== "object" || Array.isArray(doc)) {
    throw new InvalidDocumentError("a document is an object");
  }
  if (doc._id !== undefined) {
    if (typeof doc._id !== "string" || doc._id.length === 0 || doc._id.length > 512) {
      throw new InvalidDocumentError("_id is a string of 1 to 512 characters");
    }
    return doc as Document & { _id: string };
  }
  const { cid } = await documentBlock(doc);
  return { _id: cid.toString(), ...doc };
}

export function decodeDocument(bytes: Uint8Array): Document & { _id: string } {
  return dagCbor.decode(bytes) as Document & { _id: string };
}
