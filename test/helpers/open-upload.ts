import { access } from "node:fs/promises";
import { request } from "node:http";
import { join } from "node:path";
import { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { sha256 } from "multiformats/hashes/sha2";
import type { Hex } from "viem";
import { CHUNK_SIZE } from "#protocol";
import { blockPath } from "../../node/datastore/datastore-blockstore.ts";

export interface UploadAnswer {
  status: number;
  json: { error?: { code: string; message: string } } & Record<string, unknown>;
  /** When the answer came, in ms since the request was opened. */
  afterMs: number;
  /** Resolves once the node has closed the connection. */
  closed: Promise<void>;
}

/**
 * A `PUT /store` whose body the test writes piece by piece (or stops writing): the declared
 * length is `size`, the headers go out at once, and the node may answer before the body is done.
 */
export function openUpload(url: string, blobId: Hex, size: number) {
  const opened = Date.now();
  const req = request(`${url}/store?blobId=${blobId}`, {
    method: "PUT",
    headers: { "content-type": "application/octet-stream", "content-length": String(size) },
    agent: false,
  });
  // the node closing the connection while the body is unfinished is expected here
  req.on("error", () => undefined);
  const closed = new Promise<void>((resolve) => req.once("close", () => resolve()));
  const answer = new Promise<UploadAnswer>((resolve, reject) => {
    req.once("response", (response) => {
      const afterMs = Date.now() - opened;
      const parts: Buffer[] = [];
      response.on("data", (part: Buffer) => parts.push(part));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(parts).toString("utf8");
        resolve({ status: response.statusCode ?? 0, json: JSON.parse(text || "{}"), afterMs, closed });
      });
    });
  });
  answer.catch(() => undefined);
  req.flushHeaders();
  return {
    answer,
    write: (bytes: Uint8Array) =>
      new Promise<void>((resolve, reject) =>
        req.write(bytes, (error) => (error ? reject(error) : resolve())),
      ),
    end: (bytes?: Uint8Array) => req.end(bytes),
    destroy: () => req.destroy(),
  };
}

/** The CIDs of the raw leaves (1 MiB chunks, CIDv1, sha256) of the first `bytes` of `data`. */
export async function leafCids(data: Uint8Array, bytes = data.length): Promise<CID[]> {
  const cids: CID[] = [];
  for (let offset = 0; offset + CHUNK_SIZE <= bytes; offset += CHUNK_SIZE) {
    cids.push(CID.createV1(raw.code, await sha256.digest(data.subarray(offset, offset + CHUNK_SIZE))));
  }
  return cids;
}

/** Whether a node's blockstore under `dataDir` has a file for `cid`. */
export async function blockOnDisk(dataDir: string, cid: CID): Promise<boolean> {
  return access(blockPath(join(dataDir, "blocks"), cid)).then(
    () => true,
    () => false,
  );
}
