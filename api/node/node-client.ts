import { bytesOf, type HttpTarget, jsonOf, send, trimBase } from "../http-request.ts";
import { IPNS_RECORD_TYPE } from "../names/ipns-record-type.ts";
import { type PutBody, type PutReply, putStream } from "../put-stream.ts";
import { BAD_REPLY, ServiceError, serviceErrorOf, unreachable } from "../service-error.ts";
import { type CarQuery, carAccept, carQueryString, RAW_TYPE } from "./gateway-params.ts";
import { NodeHeader, nodeUrl } from "./node-paths.ts";
import type {
  DeleteFileBody,
  DeleteFileReply,
  HealthDegraded,
  HealthOk,
  MigrateBody,
  MigrateReply,
  ShardMeta,
  ShardReply,
  StoreReply,
} from "./node-schemas.ts";
import type { NodeStats } from "./node-stats.ts";

export interface NodeClientOptions {
  /** The node's HTTP endpoint, as the registry lists it. */
  baseUrl: string;
  /** The node's id, named in the errors the client throws. */
  nodeId?: number;
  fetch?: typeof fetch;
}

type Signal = { signal?: AbortSignal | undefined };
type Upload = Signal & { onBytes?: (bytes: number) => void };

/** A file read's answer: 200 or 206, its headers, and the bytes. */
export interface FileRead {
  status: number;
  headers: Headers;
  body: AsyncIterable<Uint8Array>;
}

/**
 * A storage node's HTTP API, typed. Every method takes a signal and throws a ServiceError with the
 * node's code on a refusal. Uploads (PUT /store, /shard) go through `putStream`, which reads the
 * body only as fast as the socket drains.
 */
export function createNodeClient(options: NodeClientOptions) {
  const target: HttpTarget = {
    baseUrl: trimBase(options.baseUrl),
    origin: { service: "node", ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}) },
    // called as a method of the target: the global fetch bound (a page refuses it unbound)
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
  const getJson = async <T>(path: string, opts: Signal): Promise<T> =>
    jsonOf<T>(target, await send(target, path, { signal: opts.signal }));
  const getBytes = async (path: string, opts: Signal) =>
    bytesOf(target, await send(target, path, { signal: opts.signal }));

  /** PUTs a streamed body and reads the JSON reply; a refusal is a ServiceError. */
  const put = async <T>(path: string, body: PutBody, opts: Upload, headers = {}) => {
    let reply: PutReply;
    try {
      reply = await putStream(`${target.baseUrl}${path}`, body, {
        headers,
        ...(opts.signal ? { signal: opts.signal } : {}),
        ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
      });
    } catch (error) {
      opts.signal?.throwIfAborted();
      throw unreachable(target.origin, error);
    }
    if (reply.status < 200 || reply.status >= 300) throw serviceErrorOf(target.origin, reply);
    if (reply.json === undefined) {
      throw new ServiceError(target.origin, { status: reply.status, code: BAD_REPLY, message: "not JSON" });
    }
    return reply.json as T;
  };

  return {
    baseUrl: target.baseUrl,
    nodeId: options.nodeId,

    /** PUT /store: a registered blob's bytes (chunks or a Blob); the node's attestation. */
    putStore: (blobId: string, body: PutBody, opts: Upload = {}) =>
      put<StoreReply>(nodeUrl.store(blobId), body, opts),

    /** PUT /shard: this holder's shard of a cold blob, with every holder's shard commitment. */
    putShard: (
      blobId: string,
      body: AsyncIterable<Uint8Array>,
      opts: Upload & { shardRoots: readonly string[]; shardSize: number },
    ) =>
      put<ShardReply>(nodeUrl.shard(blobId), body, opts, {
        "content-length": String(opts.shardSize),
        [NodeHeader.shardRoots]: opts.shardRoots.join(","),
      }),

    /** GET /file/:cid, whole or a byte range. */
    getFile: async (cid: string, opts: Signal & { range?: string } = {}): Promise<FileRead> => {
      const headers = opts.range ? { headers: { range: opts.range } } : {};
      const response = await send(target, nodeUrl.file(cid), { ...headers, signal: opts.signal }, [200, 206]);
      return { status: response.status, headers: response.headers, body: bytesOf(target, response) };
    },

    /**
     * GET /ipfs/:cid as a raw block, or as a CAR (CARv1, depth-first) with the trustless
     * gateway's `dag-scope`, `entity-bytes` and `car-dups` (`car`), for verified reads.
     */
    getIpfs: async (cid: string, opts: Signal & { format: "car" | "raw"; car?: CarQuery }) => {
      const car = opts.format === "car";
      const path = car
        ? `/ipfs/${encodeURIComponent(cid)}?${carQueryString(opts.car)}`
        : nodeUrl.ipfs(cid, "raw");
      const response = await send(target, path, {
        headers: { accept: car ? carAccept(opts.car) : RAW_TYPE },
        signal: opts.signal,
      });
      return bytesOf(target, response);
    },

    /** GET /shard/:blobId: this node's primary parts or whole shard, stripe after stripe. */
    getShardPart: (blobId: string, part: "primary" | "whole", opts: Signal = {}) =>
      getBytes(nodeUrl.shardPart(blobId, part), opts),

    /** GET /shard/:blobId/repair: the repair symbols toward holder `lost`'s shard. */
    getRepairSymbols: (blobId: string, lost: number, opts: Signal = {}) =>
      getBytes(nodeUrl.repair(blobId, lost), opts),

    /** GET /shard/:blobId/meta: a cold blob's layout and shard commitments. */
    getMeta: (blobId: string, opts: Signal = {}) => getJson<ShardMeta>(nodeUrl.meta(blobId), opts),

    /** POST /migrate: a blob to the cold tier or back. */
    postMigrate: async (body: MigrateBody, opts: Signal = {}) => {
      const response = await send(target, "/migrate", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: opts.signal,
      });
      return jsonOf<MigrateReply>(target, response);
    },

    /** DELETE /file/:cid: drop the node's copies (owner-signed, or once the chain ended the blob). */
    deleteFile: async (cid: string, body: DeleteFileBody, opts: Signal = {}) => {
      const response = await send(target, nodeUrl.file(cid), {
        method: "DELETE",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        signal: opts.signal,
      });
      return jsonOf<DeleteFileReply>(target, response);
    },

    /**
     * GET /health: the node is up, reaches the chain and takes uploads. A degraded node is a
     * ServiceError with its code (dropped, inactive), or NODE_ERR_CHAIN_UNAVAILABLE when it names none.
     */
    getHealth: async (opts: Signal = {}): Promise<HealthOk> => {
      const response = await send(target, "/health", { signal: opts.signal }, [200, 503]);
      const body = await jsonOf<HealthOk | HealthDegraded>(target, response);
      if (body.status === "ok") return body;
      throw new ServiceError(target.origin, {
        status: response.status,
        code: body.code ?? "NODE_ERR_CHAIN_UNAVAILABLE",
        message: body.message ?? body.reason,
      });
    },

    /** GET /stats: what the node stores, caches, serves and proves. */
    getStats: (opts: Signal = {}) => getJson<NodeStats>("/stats", opts),

    /** PUT /ipns/:name?nameId=: hands over a name's IPNS record (kept once the chain anchors it). */
    putIpnsRecord: async (ipnsName: string, nameId: string, record: Uint8Array, opts: Signal = {}) => {
      const response = await send(
        target,
        `/ipns/${encodeURIComponent(ipnsName)}?nameId=${encodeURIComponent(nameId)}`,
        {
          method: "PUT",
          headers: { "content-type": IPNS_RECORD_TYPE },
          body: record as BodyInit,
          signal: opts.signal,
        },
      );
      return jsonOf<{ ipnsName: string; sequence: string }>(target, response);
    },

    /** GET /ipns/:name?format=ipns-record: the name's anchored IPNS record as this node serves it. */
    getIpnsRecord: async (ipnsName: string, opts: Signal = {}): Promise<Uint8Array> => {
      const response = await send(target, `/ipns/${encodeURIComponent(ipnsName)}?format=ipns-record`, {
        signal: opts.signal,
      });
      return new Uint8Array(await response.arrayBuffer());
    },
  };
}

export type NodeClient = ReturnType<typeof createNodeClient>;
