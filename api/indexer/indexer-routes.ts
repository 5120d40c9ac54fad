import { Type } from "@sinclair/typebox";
import { BlobIdPattern } from "../error-envelope.ts";
import { indexerErrors, indexerStatusErrors } from "./indexer-error-codes.ts";
import {
  BlobDetail,
  BlobsPage,
  BlobsQuery,
  IndexerHealthOk,
  IndexerHealthStopped,
  IndexerStats,
  Limit,
  Node,
  NodeDetail,
  PeriodsQuery,
  PeriodsReply,
  ProvidersReply,
  RouteReply,
  SearchReply,
} from "./indexer-schemas.ts";

/** The indexer's routes (Fastify patterns). */
export const IndexerPath = {
  route: "/route/:cid",
  providers: "/routing/v1/providers/:cid",
  blobs: "/blobs",
  blob: "/blobs/:id",
  search: "/search",
  nodes: "/nodes",
  node: "/nodes/:id",
  periods: "/periods",
  stats: "/stats",
  health: "/health",
  metrics: "/metrics",
} as const;

/** Each route's schema (params, query, every response status), as Fastify takes it. */
export const IndexerSchema = {
  route: {
    params: Type.Object({ cid: Type.String({ minLength: 1, maxLength: 200 }) }),
    response: {
      200: RouteReply,
      ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_INVALID_QUERY", "INDEXER_ERR_NOT_FOUND"),
    },
  },
  providers: {
    params: Type.Object({ cid: Type.String({ minLength: 1, maxLength: 200 }) }),
    response: {
      200: ProvidersReply,
      ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_INVALID_QUERY"),
    },
  },
  blobs: {
    querystring: BlobsQuery,
    response: { 200: BlobsPage, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_INVALID_QUERY") },
  },
  blob: {
    params: Type.Object({ id: Type.String({ pattern: BlobIdPattern }) }),
    response: { 200: BlobDetail, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_NOT_FOUND") },
  },
  search: {
    querystring: Type.Object(
      {
        q: Type.String({ minLength: 1, maxLength: 200 }),
        limit: Limit,
      },
      { additionalProperties: false },
    ),
    response: { 200: SearchReply, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_INVALID_QUERY") },
  },
  nodes: { response: { 200: Type.Object({ nodes: Type.Array(Node) }), ...indexerErrors() } },
  node: {
    params: Type.Object({ id: Type.Integer({ minimum: 1, maximum: 0xffffff }) }),
    response: { 200: NodeDetail, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_NOT_FOUND") },
  },
  periods: {
    querystring: PeriodsQuery,
    response: { 200: PeriodsReply, ...indexerErrors("INDEXER_ERR_VALIDATION") },
  },
  stats: { response: { 200: IndexerStats, ...indexerStatusErrors() } },
  health: { response: { 200: IndexerHealthOk, 503: IndexerHealthStopped, ...indexerStatusErrors() } },
  metrics: {
    response: {
      200: Type.Unsafe<string>({
        description: "The Prometheus text format",
        content: { "text/plain": { schema: { type: "string" } } },
      }),
      ...indexerStatusErrors(),
    },
  },
};
