import { CarWriter } from "@ipld/car/writer";
import * as dagPb from "@ipld/dag-pb";
import toBuffer from "it-to-buffer";
import type { CID } from "multiformats/cid";
import * as raw from "multiformats/codecs/raw";
import { NotAcceptableError, NotFoundError } from "./errors.ts";
import type { NodeStores } from "./storage/open-stores.ts";

export const RAW_TYPE = "application/vnd.ipld.raw";
export const CAR_TYPE = "application/vnd.ipld.car";

/**
 * What a trustless-gateway request asks for: `?format=raw|car` wins, then the Accept header.
 * Anything else is refused: a trustless gateway only returns verifiable formats.
 */
export function responseFormat(format: string | undefined, accept: string | undefined): "raw" | "car" {
  if (format === "raw" || format === "car") return format;
  if (format !== undefined) throw new NotAcceptableError(`format=${format}`);
  const types = (accept ?? "").split(",").map((part) => part.split(";")[0]?.trim().toLowerCase());
  if (types.includes(RAW_TYPE)) return "raw";
  if (types.includes(CAR_TYPE)) return "car";
  throw new NotAcceptableError(accept ?? "");
}

/** The bytes of one block, from the local blockstore. */
export async function rawBlock(stores: NodeStores, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  if (!(await stores.reads.has(cid, signal ? { signal } : {}))) throw new NotFoundError(cid.toString());
  return toBuffer(stores.reads.get(cid, signal ? { signal } : {}));
}

/**
 * A CAR (v1) of the whole DAG under `root`, blocks in depth-first order, streamed as it is read
 * from the local blockstore. The root must be local; a missing child ends the stream early.
 */
export async function carStream(
  stores: NodeStores,
  root: CID,
  signal?: AbortSignal,
): Promise<AsyncIterable<Uint8Array>> {
  if (!(await stores.reads.has(root, signal ? { signal } : {}))) throw new NotFoundError(root.toString());
  const { writer, out } = CarWriter.create([root]);
  const write = async () => {
    try {
      const stack: CID[] = [root];
      for (let cid = stack.pop(); cid !== undefined; cid = stack.pop()) {
        signal?.throwIfAborted();
        const bytes = await toBuffer(stores.reads.get(cid, signal ? { signal } : {}));
        await writer.put({ cid, bytes });
        if (cid.code === dagPb.code) {
          const links = dagPb.decode(bytes).Links;
          for (let i = links.length - 1; i >= 0; i -= 1) stack.push((links[i] as dagPb.PBLink).Hash);
        } else if (cid.code !== raw.code) {
          break;
        }
      }
    } finally {
      await writer.close();
    }
  };
  void write().catch(() => undefined);
  return out;
}
