import cors from "@fastify/cors";
import { Type } from "@sinclair/typebox";
import type { FastifyInstance } from "fastify";
import { NodeHeader } from "../api/node/node-paths.ts";
import { VAULT_AUTH_HEADER } from "../api/vaults/vault-auth-header.ts";

/**
 * The origins a service answers pages from when its configuration names none: any. The node's and
 * the indexer's APIs are public and nothing in them rides on ambient credentials (no cookies, no
 * `Access-Control-Allow-Credentials`): an upload is paid for on chain first, a delete and a vault
 * request carry the owner's signature, so a page from anywhere may call them. An operator lists
 * origins (`http.corsOrigins: ["https://app.example"]`) to narrow that, or `[]` for no CORS at all.
 */
export const DEFAULT_CORS_ORIGINS: readonly string[] = ["*"];

/**
 * The `http.corsOrigins` configuration of the node and the indexer: origins (`scheme://host[:port]`,
 * no path) whose pages may call the service, `*` for any, `[]` for none (default: DEFAULT_CORS_ORIGINS).
 */
export const CorsOrigins = Type.Array(Type.String({ pattern: "^(\\*|[a-z][a-z0-9+.-]*://[^/\\s]+)$" }), {
  description: "origins whose pages may call this service (CORS); * for any, [] for none",
});

/** Request headers a page may send beyond the CORS-safelisted ones. */
export const CORS_ALLOWED_HEADERS = [
  "content-type", // PUT /store and /shard (application/octet-stream), JSON bodies (DELETE /file/:id, vaults)
  "range", // ranged reads of /file/:id and vault files
  "accept", // the trustless gateway's negotiation (CAR or raw)
  "if-none-match", // ETag revalidation
  VAULT_AUTH_HEADER, // signed vault requests
  NodeHeader.shardRoots, // PUT /shard
] as const;

/** Response headers a page's script may read beyond the CORS-safelisted ones. */
export const CORS_EXPOSED_HEADERS = [
  "content-range",
  "accept-ranges",
  "etag",
  "content-disposition",
  "content-location",
  "x-ipfs-path",
  "x-ipfs-roots",
  NodeHeader.tier,
] as const;

/** How long a browser may keep a preflight's answer (seconds). */
export const CORS_MAX_AGE = 600;

/**
 * Answers pages from `origins` (exact origins such as `https://app.example`, or `*` for any): a
 * preflight from an allowed origin gets 204 with the methods, the allowed headers and the max age;
 * every reply to it carries `Access-Control-Allow-Origin` and the exposed headers. A request from
 * any other origin gets no CORS header at all (its preflight is a 404), so the browser withholds
 * the answer. With no origins, CORS is off.
 */
export async function registerCors(app: FastifyInstance, origins: readonly string[]): Promise<void> {
  if (origins.length === 0) return;
  const allowed = new Set(origins);
  await app.register(cors, {
    origin: allowed.has("*")
      ? "*"
      : (origin, callback) => callback(null, origin !== undefined && allowed.has(origin)),
    methods: ["GET", "HEAD", "PUT", "POST", "DELETE"],
    allowedHeaders: [...CORS_ALLOWED_HEADERS],
    exposedHeaders: [...CORS_EXPOSED_HEADERS],
    maxAge: CORS_MAX_AGE,
    strictPreflight: true,
  });
}
