import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { getAddress, type Hex } from "viem";
import { IndexerPath, IndexerSchema } from "../../../api/indexer/index.ts";
import { NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";

/** GET /blobs, /blobs/:id and /search. */
export function blobRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      IndexerPath.blobs,
      {
        schema: {
          summary: "Blobs, newest first, filtered",
          ...IndexerSchema.blobs,
        },
      },
      async (request) => {
        const { owner, after, ...rest } = request.query;
        return deps.queries.blobs({
          ...rest,
          ...(owner ? { owner: getAddress(owner.toLowerCase()) } : {}),
          ...(after ? { after: after.toLowerCase() } : {}),
        });
      },
    );

    app.get(
      IndexerPath.blob,
      {
        schema: {
          summary: "One blob: registration, status, holders, certificate, payments",
          ...IndexerSchema.blob,
        },
      },
      async (request) => {
        const blob = deps.queries.blob(request.params.id as Hex);
        if (!blob) throw new NotFoundError(`blob ${request.params.id}`);
        return blob;
      },
    );

    app.get(
      IndexerPath.search,
      {
        schema: {
          summary: "Full-text search over blob names, tags and MIME types",
          description: "Plain words, each matched as a prefix, all required; best matches first.",
          ...IndexerSchema.search,
        },
      },
      async (request) => ({ results: deps.queries.search(request.query.q, request.query.limit) }),
    );
  };
}
