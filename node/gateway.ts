import * as dagCbor from "@ipld/dag-cbor";
import * as dagPb from "@ipld/dag-pb";
import { UnixFS } from "ipfs-unixfs";
import toBuffer from "it-to-buffer";
import { varint } from "multiformats";
import { CID } from "multiformats/cid";
import { identity } from "multiformats/hashes/identity";
import { fileBlock, spansInRange } from "#protocol";
import {
  CAR_TYPE,
  type DagScope,
  type EntityBytes,
  parseEntityBytes,
  RAW_TYPE,
  resolveEntityBytes,
} from "../api/node/gateway-params.ts";
import {
  EntityBytesOutsideError,
  InvalidGatewayQueryError,
  NotAcceptableError,
  NotFoundError,
} from "./errors.ts";
import type { NodeStores } from "./storage/open-stores.ts";

export { CAR_TYPE, RAW_TYPE };

/** A block: its CID and bytes. */
export interface Block {
  cid: CID;
  bytes: Uint8Array;
}

/** The bytes of a block, or undefined when it is not here. */
export type BlockSource = (cid: CID, signal?: AbortSignal) => Promise<Uint8Array | undefined>;

/** What a trustless-gateway request asks for, parsed and checked. */
export type GatewayRequest =
  | { format: "raw"; negotiated: boolean }
  | {
      format: "car";
      /** True when no `format` parameter named it (Content-Location then names it). */
      negotiated: boolean;
      scope: DagScope;
      entityBytes?: EntityBytes;
      dups: boolean;
    };

export interface GatewayQuery {
  format?: string | undefined;
  "dag-scope"?: string | undefined;
  "entity-bytes"?: string | undefined;
  "car-version"?: string | undefined;
  "car-order"?: string | undefined;
  "car-dups"?: string | undefined;
}

/** What one entry of an Accept header offers: raw, a CAR (with its `dups` if named), or anything. */
type Offer = { format: "raw" } | { format: "car"; dups?: boolean } | { format: "any" };

/**
 * Reads a trustless-gateway request (the spec's rules, in order): `?format=raw|car` wins over
 * Accept; Accept is negotiated by quality (`q`), `*\/*` and `application/*` take the default; a
 * request with no Accept at all is taken as accepting anything (RFC 9110 12.5.1), so it too gets
 * the default: a CAR (it verifies for any DAG; `dag-scope=all` unless asked). An Accept naming
 * only other types is a 406. The CAR parameters (`dag-scope`, `entity-bytes`, `car-version`,
 * `car-order`, `car-dups`) are checked on every request and used on CAR answers; `car-*`
 * parameters win over the Accept header's. Anything malformed is a 400.
 */
export function gatewayRequest(query: GatewayQuery, accept: string | undefined): GatewayRequest {
  const scope = query["dag-scope"];
  if (scope !== undefined && scope !== "block" && scope !== "entity" && scope !== "all")
    throw new InvalidGatewayQueryError(`dag-scope=${scope}: use block, entity or all`);
  let entityBytes: EntityBytes | undefined;
  if (query["entity-bytes"] !== undefined) {
    entityBytes = parseEntityBytes(query["entity-bytes"]);
    if (!entityBytes)
      throw new InvalidGatewayQueryError(
        `entity-bytes=${query["entity-bytes"]}: use from:to, integers (negative from the end) or * for to, from not after to`,
      );
    if (scope !== undefined && scope !== "entity")
      throw new InvalidGatewayQueryError(`entity-bytes implies dag-scope=entity, not dag-scope=${scope}`);
  }
  const version = query["car-version"];
  if (version !== undefined && version !== "1")
    throw new InvalidGatewayQueryError(`car-version=${version}: only CARv1 (car-version=1) is served`);
  const order = query["car-order"];
  if (order !== undefined && order !== "dfs" && order !== "unk")
    throw new InvalidGatewayQueryError(`car-order=${order}: use dfs or unk (blocks always come depth-first)`);
  const dupsParam = query["car-dups"];
  if (dupsParam !== undefined && dupsParam !== "y" && dupsParam !== "n")
    throw new InvalidGatewayQueryError(`car-dups=${dupsParam}: use y or n`);

  let offer: Offer;
  const offers = acceptOffers(accept);
  if (query.format !== undefined) {
    if (query.format !== "raw" && query.format !== "car")
      throw new InvalidGatewayQueryError(`format=${query.format}: a trustless gateway answers raw or car`);
    offer =
      query.format === "raw"
        ? { format: "raw" }
        : (offers.find((o) => o.format === "car") ?? { format: "car" });
  } else {
    const best = offers.reduce<(Offer & { q: number }) | undefined>(
      (a, b) => (!a || b.q > a.q ? b : a),
      undefined,
    );
    if (!best) throw new NotAcceptableError(accept ?? "");
    offer = best.format === "any" ? { format: "car" } : best;
  }
  const negotiated = query.format === undefined;
  if (offer.format === "raw") return { format: "raw", negotiated };
  const dups = dupsParam !== undefined ? dupsParam === "y" : offer.format === "car" && offer.dups === true;
  return {
    format: "car",
    negotiated,
    scope: entityBytes ? "entity" : ((scope as DagScope | undefined) ?? "all"),
    ...(entityBytes ? { entityBytes } : {}),
    dups,
  };
}

/**
 * The entries of an Accept header this gateway can answer, in the header's order, each with its
 * quality (`q`; entries of quality 0 left out): raw, a CAR (v1, any order, its `dups` if named),
 * or anything (`*\/*`, `application/*`). No header, or an empty one, accepts anything.
 */
function acceptOffers(accept: string | undefined): (Offer & { q: number })[] {
  if (accept === undefined || accept.trim() === "") return [{ format: "any", q: 1 }];
  const offers: (Offer & { q: number })[] = [];
  for (const entry of accept.split(",")) {
    const [type = "", ...rest] = entry.split(";").map((part) => part.trim());
    const params = new Map(
      rest.map((param) => {
        const at = param.indexOf("=");
        const value = param.slice(at + 1).trim();
        return [param.slice(0, at).trim().toLowerCase(), value.replace(/^"(.*)"$/, "$1")] as const;
      }),
    );
    const q = params.has("q") ? Number(params.get("q")) : 1;
    if (!(q > 0)) continue;
    const media = type.toLowerCase();
    if (media === RAW_TYPE) offers.push({ format: "raw", q });
    else if (media === "*/*" || media === "application/*") offers.push({ format: "any", q });
    else if (media === CAR_TYPE) {
      const version = params.get("version");
      const order = params.get("order");
      const dups = params.get("dups");
      if (version !== undefined && version !== "1") continue;
      if (order !== undefined && order !== "dfs" && order !== "unk") continue;
      if (dups !== undefined && dups !== "y" && dups !== "n") continue;
      offers.push({ format: "car", q, ...(dups !== undefined ? { dups: dups === "y" } : {}) });
    }
  }
  return offers;
}

/** Reads blocks from the node's blockstore (undefined when a block is not here). */
export function storeSource(stores: NodeStores): BlockSource {
  return async (cid, signal) => {
    const options = signal ? { signal } : {};
    if (!(await stores.reads.has(cid, options))) return undefined;
    return toBuffer(stores.reads.get(cid, options));
  };
}

/** The bytes of a block: an identity CID's own digest, else from `source`; 404 when missing. */
export async function readBlock(source: BlockSource, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  if (cid.multihash.code === identity.code) return cid.multihash.digest;
  const bytes = await source(cid, signal);
  if (!bytes) throw new NotFoundError(cid.toString());
  return bytes;
}

/** The bytes of one block, from the local blockstore (404 when it is not here). */
export function rawBlock(stores: NodeStores, cid: CID, signal?: AbortSignal): Promise<Uint8Array> {
  return readBlock(storeSource(stores), cid, signal);
}

/** The blocks a CAR answer carries, chosen before any is sent. */
export interface CarSelection {
  scope: DagScope;
  /** The file's size, when the root is a UnixFS file (or a raw block). */
  size?: number;
  /** The half-open byte range of the file whose blocks are sent, when `entity-bytes` asked for one. */
  range?: { from: number; to: number };
  /** The blocks, depth-first from the root, read as they are pulled. */
  blocks: AsyncGenerator<Block>;
}

type Walk = (block: Block, start: number) => { cid: CID; start: number }[];

/**
 * The blocks of a CAR answer for `root` (the trustless gateway's `dag-scope` and `entity-bytes`),
 * depth-first from the root, each block after its parent:
 * - `block`: the root alone;
 * - `entity`: a UnixFS file's whole DAG; a directory's own block (a HAMT-sharded directory's
 *   shard blocks too, not its entries); any other block alone;
 * - `entity` with `entity-bytes`: of a file, only the blocks on the paths from the root to the
 *   leaves holding the range's bytes (a block is sent only when some of its bytes are in the range,
 *   from its parent's block sizes); a range holding none of a non-empty file's bytes is refused
 *   (400) before anything is sent, and an empty one (or any range of an empty file) is the root
 *   alone; ignored for what is not a file;
 * - `all`: every block reachable from the root (dag-pb and dag-cbor links followed).
 * The root is read first (404 when missing); a block missing later ends the walk with an error.
 * Identity CIDs are walked but never sent. With `dups` false a block is sent once however often
 * the walk meets it.
 */
export async function selectBlocks(
  source: BlockSource,
  root: CID,
  options: { scope: DagScope; entityBytes?: EntityBytes | undefined; dups: boolean; signal?: AbortSignal },
): Promise<CarSelection> {
  const { signal } = options;
  const rootBytes = await readBlock(source, root, signal);
  const kind = entityKind(root, rootBytes);
  let walk: Walk = () => [];
  const size = typeof kind === "number" ? kind : undefined;
  let range: { from: number; to: number } | undefined;
  if (options.scope === "all") walk = allLinks;
  else if (options.scope === "entity" && size !== undefined) {
    let from = 0;
    let to = Number.POSITIVE_INFINITY;
    if (options.entityBytes) {
      const resolved = resolveEntityBytes(options.entityBytes, size);
      if (resolved.outside && size > 0) throw new EntityBytesOutsideError(options.entityBytes, size);
      ({ from, to } = resolved);
      range = { from, to };
    }
    walk = (block, start) => spansInRange(fileBlock(block.cid, block.bytes), start, from, to);
  } else if (options.scope === "entity" && kind === "hamt") {
    walk = hamtShards;
  }
  return {
    scope: options.scope,
    ...(size !== undefined ? { size } : {}),
    ...(range ? { range } : {}),
    blocks: walkBlocks(source, { cid: root, bytes: rootBytes }, walk, options.dups, signal),
  };
}

async function* walkBlocks(
  source: BlockSource,
  root: Block,
  walk: Walk,
  dups: boolean,
  signal: AbortSignal | undefined,
): AsyncGenerator<Block> {
  const sent = new Set<string>();
  const stack: { cid: CID; start: number; bytes?: Uint8Array }[] = [{ ...root, start: 0 }];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    signal?.throwIfAborted();
    const bytes = next.bytes ?? (await readBlock(source, next.cid, signal));
    const block = { cid: next.cid, bytes };
    if (next.cid.multihash.code !== identity.code) {
      const key = next.cid.toString();
      if (dups || !sent.has(key)) {
        if (!dups) sent.add(key);
        yield block;
      }
    }
    const children = walk(block, next.start);
    for (let i = children.length - 1; i >= 0; i -= 1) stack.push(children[i] as { cid: CID; start: number });
  }
}

/**
 * What the root of a CAR answer is, for `dag-scope=entity`: a UnixFS file (its size in bytes; a
 * raw block is a file of its own bytes), a HAMT-sharded directory, or anything else.
 */
function entityKind(cid: CID, bytes: Uint8Array): number | "hamt" | "other" {
  try {
    return fileBlock(cid, bytes).size;
  } catch {
    // not a file: a directory, another codec, or malformed
  }
  if (cid.code !== dagPb.code) return "other";
  try {
    const data = dagPb.decode(bytes).Data;
    return data && UnixFS.unmarshal(data).type === "hamt-sharded-directory" ? "hamt" : "other";
  } catch {
    return "other";
  }
}

/** Every link of a dag-pb or dag-cbor block (raw and other codecs have none that are followed). */
function allLinks(block: Block): { cid: CID; start: number }[] {
  if (block.cid.code === dagPb.code)
    return dagPb.decode(block.bytes).Links.map((link) => ({ cid: link.Hash, start: 0 }));
  if (block.cid.code === dagCbor.code) {
    const found: { cid: CID; start: number }[] = [];
    const visit = (value: unknown): void => {
      const cid = CID.asCID(value);
      if (cid) found.push({ cid, start: 0 });
      else if (Array.isArray(value)) for (const item of value) visit(item);
      else if (value && typeof value === "object" && !(value instanceof Uint8Array))
        for (const item of Object.values(value)) visit(item);
    };
    visit(dagCbor.decode(block.bytes));
    return found;
  }
  return [];
}

/** A HAMT-sharded directory's sub-shards: the links whose name is just the bucket prefix. */
function hamtShards(block: Block): { cid: CID; start: number }[] {
  if (block.cid.code !== dagPb.code) return [];
  const node = dagPb.decode(block.bytes);
  if (!node.Data) return [];
  const unixfs = UnixFS.unmarshal(node.Data);
  if (unixfs.type !== "hamt-sharded-directory") return [];
  const width = (Number(unixfs.fanout ?? 256n) - 1).toString(16).length;
  return node.Links.filter((link) => (link.Name ?? "").length === width).map((link) => ({
    cid: link.Hash,
    start: 0,
  }));
}

/**
 * A CARv1 stream: the header (`roots`), then each block as it is pulled from `blocks`. An error
 * of `blocks` ends the stream with that error (the answer is cut short, never a CAR that looks
 * whole); the block's bytes are sent as they are, not copied.
 */
export async function* encodeCar(roots: CID[], blocks: AsyncIterable<Block>): AsyncGenerator<Uint8Array> {
  const header = dagCbor.encode({ roots, version: 1 });
  yield withLength(header.length, header);
  for await (const { cid, bytes } of blocks) {
    yield withLength(cid.bytes.length + bytes.length, cid.bytes);
    yield bytes;
  }
}

/** `varint(length)` followed by `bytes`, in one buffer. */
function withLength(length: number, bytes: Uint8Array): Uint8Array {
  const prefix = varint.encodingLength(length);
  const out = new Uint8Array(prefix + bytes.length);
  varint.encodeTo(length, out, 0);
  out.set(bytes, prefix);
  return out;
}

/**
 * A CAR (v1) of the whole DAG under `root`, blocks in depth-first order (duplicates each time),
 * streamed as it is read from the local blockstore. The root must be local (404); a missing child
 * ends the stream with an error.
 */
export async function carStream(
  stores: NodeStores,
  root: CID,
  signal?: AbortSignal,
): Promise<AsyncIterable<Uint8Array>> {
  const selection = await selectBlocks(storeSource(stores), root, {
    scope: "all",
    dups: true,
    ...(signal ? { signal } : {}),
  });
  return encodeCar([root], selection.blocks);
}
