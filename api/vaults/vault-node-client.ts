import { bytesOf, type HttpTarget, jsonOf, send, trimBase } from "../http-request.ts";
import { type PutBody, type PutReply, putStream } from "../put-stream.ts";
import { BAD_REPLY, ServiceError, serviceErrorOf, unreachable } from "../service-error.ts";
import { VAULT_AUTH_HEADER } from "./vault-auth-header.ts";
import type {
  VaultDbBody,
  VaultDbOp,
  VaultFileReply,
  VaultJobReply,
  VaultKeyGrant,
  VaultRestoreBody,
  VaultSnapshotBody,
  VaultStatusReply,
} from "./vault-node-schemas.ts";

/** Signs one request: the `x-strata-vault-auth` value for `method path` with a body of `contentLength` bytes. */
export type VaultAuthorizer = (method: string, path: string, contentLength: number) => Promise<string>;

type Signal = { signal?: AbortSignal | undefined };
const FINAL = new Set(["done", "failed", "cancelled"]);
const path = (value: string) => value.split("/").map(encodeURIComponent).join("/");

/**
 * A vault on one node, typed: files, collections, keys, freeze, snapshots, restores, migrations
 * and their jobs. Every request is signed by `authorize` (the owner, an app key or a node).
 */
export function createVaultNodeClient(options: {
  baseUrl: string;
  nodeId?: number;
  vaultId: number;
  authorize: VaultAuthorizer;
  fetch?: typeof fetch;
}) {
  const target: HttpTarget = {
    baseUrl: trimBase(options.baseUrl),
    origin: { service: "node", ...(options.nodeId !== undefined ? { nodeId: options.nodeId } : {}) },
    // called as a method of the target: the global fetch bound (a page refuses it unbound)
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
  };
  const base = `/vaults/${options.vaultId}`;
  const signed = async (method: string, url: string, body?: string) => ({
    [VAULT_AUTH_HEADER]: await options.authorize(method, url, body ? utf8Length(body) : 0),
  });
  const call = async <T>(method: string, url: string, body?: unknown, opts: Signal = {}, ok = [200]) => {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = {
      ...(await signed(method, url, text)),
      ...(text ? { "content-type": "application/json" } : {}),
    };
    const response = await send(
      target,
      url,
      { method, headers, ...(text ? { body: text } : {}), signal: opts.signal },
      ok,
    );
    return jsonOf<T>(target, response);
  };
  const db = <T>(collection: string, op: VaultDbOp, body: VaultDbBody, opts?: Signal) =>
    call<T>("POST", `${base}/db/${encodeURIComponent(collection)}/${op}`, body, opts);

  return {
    vaultId: options.vaultId,
    baseUrl: target.baseUrl,
    /** GET /vaults/:id: how this node holds the vault. */
    status: (opts?: Signal) => call<VaultStatusReply>("GET", base, undefined, opts),

    /** PUT /vaults/:id/files/<path>: a whole file, replacing any at that path. */
    putFile: async (
      file: string,
      body: PutBody,
      size: number,
      opts: Signal & { type?: string; onBytes?: (bytes: number) => void } = {},
    ): Promise<VaultFileReply> => {
      const url = `${base}/files/${path(file)}`;
      let reply: PutReply;
      try {
        reply = await putStream(`${target.baseUrl}${url}`, body, {
          headers: {
            [VAULT_AUTH_HEADER]: await options.authorize("PUT", url, size),
            "content-length": String(size),
            "content-type": opts.type ?? "application/octet-stream",
          },
          ...(opts.signal ? { signal: opts.signal } : {}),
          ...(opts.onBytes ? { onBytes: opts.onBytes } : {}),
        });
      } catch (error) {
        opts.signal?.throwIfAborted();
        throw unreachable(target.origin, error);
      }
      if (reply.status !== 200) throw serviceErrorOf(target.origin, reply);
      if (reply.json === undefined) {
        throw new ServiceError(target.origin, { status: reply.status, code: BAD_REPLY, message: "not JSON" });
      }
      return reply.json as VaultFileReply;
    },

    /** GET /vaults/:id/files/<path>, whole or a byte range (`bytes=a-b`). */
    getFile: async (file: string, opts: Signal & { range?: string } = {}) => {
      const url = `${base}/files/${path(file)}`;
      const headers = {
        ...(await signed("GET", url)),
        ...(opts.range ? { range: opts.range } : {}),
      };
      const response = await send(target, url, { headers, signal: opts.signal }, [200, 206]);
      return {
        status: response.status,
        size: Number(response.headers.get("content-length") ?? 0),
        type: response.headers.get("content-type") ?? "application/octet-stream",
        body: bytesOf(target, response),
      };
    },

    /** GET /vaults/:id/files/<path>?stat=true. */
    stat: (file: string, opts?: Signal) =>
      call<VaultFileReply>("GET", `${base}/files/${path(file)}?stat=true`, undefined, opts),

    /** DELETE /vaults/:id/files/<path>. */
    deleteFile: (file: string, opts?: Signal) =>
      call<{ deleted: boolean }>("DELETE", `${base}/files/${path(file)}`, undefined, opts),

    /** GET /vaults/:id/files: files under `prefix`, in path order, a page at a time. */
    listFiles: (query: { prefix?: string; after?: string; limit?: number } = {}, opts?: Signal) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(query))
        if (value !== undefined) params.set(key, String(value));
      return call<{ files: VaultFileReply[]; next: string | null }>(
        "GET",
        `${base}/files${params.size ? `?${params}` : ""}`,
        undefined,
        opts,
      );
    },

    collections: (opts?: Signal) =>
      call<{ collections: { name: string; count: number; indexes: string[] }[] }>(
        "GET",
        `${base}/db`,
        undefined,
        opts,
      ),
    insert: (collection: string, docs: Record<string, unknown>[], opts?: Signal) =>
      db<{ ids: string[] }>(collection, "insert", { docs }, opts),
    find: (collection: string, query: Omit<VaultDbBody, "docs" | "update" | "path"> = {}, opts?: Signal) =>
      db<{ docs: Record<string, unknown>[] }>(collection, "find", query, opts),
    update: (
      collection: string,
      filter: Record<string, unknown>,
      update: Record<string, unknown>,
      opts?: Signal,
    ) => db<{ changed: number }>(collection, "update", { filter, update }, opts),
    delete: (collection: string, filter: Record<string, unknown>, opts?: Signal) =>
      db<{ deleted: number }>(collection, "delete", { filter }, opts),
    count: (collection: string, filter: Record<string, unknown> = {}, opts?: Signal) =>
      db<{ count: number }>(collection, "count", { filter }, opts),
    createIndex: (collection: string, field: string, opts?: Signal) =>
      db<{ indexes: string[] }>(collection, "index", { path: field }, opts),
    dropIndex: (collection: string, field: string, opts?: Signal) =>
      db<{ indexes: string[] }>(collection, "drop-index", { path: field }, opts),

    /** POST /vaults/:id/keys: authorise an app key (owner only). */
    grantKey: (grant: VaultKeyGrant, opts?: Signal) =>
      call<VaultKeyGrant>("POST", `${base}/keys`, grant, opts),
    revokeKey: (address: string, opts?: Signal) =>
      call<{ revoked: boolean }>("DELETE", `${base}/keys/${address}`, undefined, opts),
    freeze: (frozen: boolean, opts?: Signal) =>
      call<VaultStatusReply>("POST", `${base}/freeze`, { frozen }, opts),
    /** GET /vaults/:id/manifest: the manifest the next snapshot would commit. */
    manifest: (opts?: Signal) =>
      call<{ manifest: string; sequence: number; bytes: number; parent: string | null }>(
        "GET",
        `${base}/manifest`,
        undefined,
        opts,
      ),
    snapshot: (body: VaultSnapshotBody = {}, opts?: Signal) =>
      call<VaultJobReply>("POST", `${base}/snapshot`, body, opts, [202]),
    restore: (body: VaultRestoreBody, opts?: Signal) =>
      call<VaultJobReply>("POST", `${base}/restore`, body, opts, [202]),
    migrate: (to: number, opts: Signal & { replicas?: number } = {}) =>
      call<VaultJobReply>(
        "POST",
        `${base}/migrate`,
        { to, ...(opts.replicas ? { replicas: opts.replicas } : {}) },
        opts,
        [202],
      ),
    release: (opts?: Signal) => call<{ released: boolean }>("POST", `${base}/release`, undefined, opts),

    job: async (job: string, opts: Signal = {}) =>
      jsonOf<VaultJobReply>(target, await send(target, `/vault-jobs/${job}`, { signal: opts.signal })),
    cancel: async (job: string, opts: Signal = {}) =>
      jsonOf<VaultJobReply>(
        target,
        await send(target, `/vault-jobs/${job}/cancel`, { method: "POST", signal: opts.signal }),
      ),

    /**
     * The job's states as the node pushes them (server-sent events, at least once a second) until
     * it ends; yields each, returns the last. A dropped stream is reopened.
     */
    follow: async function* (
      job: string,
      opts: Signal & { reconnectMs?: number } = {},
    ): AsyncGenerator<VaultJobReply, VaultJobReply> {
      // a node that restarts under the stream (a crash, an upgrade) is waited for this long
      const patience = opts.reconnectMs ?? 60_000;
      let lostSince: number | undefined;
      for (;;) {
        try {
          const response = await send(target, `/vault-jobs/${job}/events`, {
            headers: { accept: "text/event-stream" },
            signal: opts.signal,
          });
          lostSince = undefined;
          let buffer = "";
          const decoder = new TextDecoder();
          for await (const chunk of bytesOf(target, response)) {
            buffer += decoder.decode(chunk, { stream: true });
            for (let end = buffer.indexOf("\n\n"); end >= 0; end = buffer.indexOf("\n\n")) {
              const data = buffer
                .slice(0, end)
                .split("\n")
                .filter((line) => line.startsWith("data: "))
                .map((line) => line.slice(6))
                .join("\n");
              buffer = buffer.slice(end + 2);
              if (!data) continue;
              const update = JSON.parse(data) as VaultJobReply;
              yield update;
              if (FINAL.has(update.state)) return update;
            }
          }
        } catch (error) {
          opts.signal?.throwIfAborted();
          // an answer (404: no such job) is final; a lost connection is tried again
          if (error instanceof ServiceError && error.status !== 0) throw error;
          lostSince ??= Date.now();
          if (Date.now() - lostSince > patience) throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    },
  };
}

export type VaultNodeClient = ReturnType<typeof createVaultNodeClient>;

/** The bytes of `text` in UTF-8 (what content-length counts). */
function utf8Length(text: string): number {
  return new TextEncoder().encode(text).length;
}
