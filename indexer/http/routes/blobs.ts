import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import { getAddress, type Hex } from "viem";
import { NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";
import { Blob, BlobDetail, BlobStatus, errors } from "../schemas.ts";

const BlobIdPattern = "^0x[0-9a-fA-F]{64}$";
const Limit = Type.Integer({ minimum: 1, maximum: 100, default: 20 });

/** GET /blobs, /blobs/:id and /search. */
export function blobRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      "/blobs",
      {
        schema: {
          summary: "Blobs, newest first, filtered",
          querystring: Type.Object(
            {
              owner: Type.Optional(Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" })),
              node: Type.Optional(Type.Integer({ minimum: 1, description: "Blobs this node holds" })),
              tag: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
              mimeType: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              tier: Type.Optional(Type.Union([Type.Literal("hot"), Type.Literal("cold")])),
              status: Type.Optional(BlobStatus),
              limit: Limit,
              after: Type.Optional(
                Type.String({ pattern: BlobIdPattern, description: "The `next` of the previous page" }),
              ),
            },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({ blobs: Type.Array(Blob), next: Type.Union([Type.String(), Type.Null()]) }),
            ...errors(400),
          },
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
      "/blobs/:id",
      {
        schema: {
          summary: "One blob: registration, status, holders, certificate, payments",
          params: Type.Object({ id: Type.String({ pattern: BlobIdPattern }) }),
          response: { 200: BlobDetail, ...errors(400, 404) },
        },
      },
      async (request) => {
        const blob = deps.queries.blob(request.params.id as Hex);
        if (!blob) throw new NotFoundError(`blob ${request.params.id}`);
        return blob;
      },
    );

    app.get(
      "/search",
      {
        schema: {
          summary: "Full-text search over blob names, tags and MIME types",
          description: "Plain words, each matched as a prefix, all required; best matches first.",
          querystring: Type.Object(
            { q: Type.String({ minLength: 1, maxLength: 200 }), limit: Limit },
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              results: Type.Array(Type.Intersect([Blob, Type.Object({ rank: Type.Number() })])),
            }),
            ...errors(400),
          },
        },
      },
      async (request) => ({ results: deps.queries.search(request.query.q, request.query.limit) }),
    );
  };
}
