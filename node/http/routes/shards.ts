import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { Type } from "@sinclair/typebox";
import type { Hex } from "viem";
import { coldLayout, primaryPart } from "#protocol";
import { InvalidShardsError } from "../../errors.ts";
import type { AppDeps } from "../deps.ts";
import { Attestation, BlobIdPattern, errors, HexPattern } from "../schemas.ts";
import { uploadBody, uploadIdleMs } from "../upload-body.ts";

const RootsPattern = "^0x[0-9a-f]{64}(,0x[0-9a-f]{64}){0,15}$";

/**
 * The cold tier between nodes and uploaders: PUT /shard takes a holder's shard of a paid cold
 * registration; GET /shard/:blobId serves this node's primary parts or whole shard (readers
 * rebuilding the blob), /repair the repair symbols toward another holder's shard, /meta the
 * layout and shard commitments.
 */
export function shardRoutes(
  deps: Pick<AppDeps, "config" | "standing" | "intake" | "serving">,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null));
    const blobParams = Type.Object({ blobId: Type.String({ pattern: BlobIdPattern }) });

    app.put(
      "/shard",
      {
        schema: {
          summary: "Upload this node's shard of a cold blob registered on chain naming this node",
          description:
            "The body is the shard (docs/protocol.md, \"Cold tier\"); the header x-strata-shard-roots lists every holder's shard commitment, in holder order, which must hash to the registered commitment. The shard must match this holder's commitment. Answers with the node's EIP-712 attestation.",
          querystring: blobParams,
          headers: Type.Object({
            "x-strata-shard-roots": Type.String({ pattern: RootsPattern }),
            "content-length": Type.Optional(Type.Integer({ minimum: 0 })),
          }),
          response: {
            200: Type.Object({
              blobId: Type.String({ pattern: BlobIdPattern }),
              cid: Type.String(),
              nodeId: Type.Integer(),
              holder: Type.Integer(),
              shardRoot: Type.String({ pattern: HexPattern }),
              attestation: Attestation,
            }),
            ...errors(400, 403, 408, 409, 413, 422, 503, 507),
          },
        },
        // a node the chain dropped or no longer lists refuses before a byte of the body is read
        onRequest: async () => deps.standing.assertAccepting(),
      },
      async (request) => {
        const { body, signal } = uploadBody(request, {
          maxBytes: deps.config.storage.maxUploadBytes,
          idleMs: uploadIdleMs(deps.config),
        });
        const roots = request.headers["x-strata-shard-roots"].split(",");
        try {
          return await deps.intake.storeShard(request.query.blobId as Hex, body, roots, { signal });
        } catch (error) {
          deps.standing.observe(error);
          throw error;
        }
      },
    );

    app.get(
      "/shard/:blobId",
      {
        schema: {
          summary:
            "This node's primary parts (part=primary: for holders 0..k-1 the blob's own rows) or whole shard (part=whole) of a cold blob",
          params: blobParams,
          querystring: Type.Object({
            part: Type.Union([Type.Literal("primary"), Type.Literal("whole")], { default: "primary" }),
          }),
          response: { 200: Type.Any({ description: "The bytes, stripe after stripe" }), ...errors(400, 404) },
        },
      },
      async (request, reply) => {
        const blobId = request.params.blobId as Hex;
        const record = await deps.serving.heldShard(blobId);
        const layout = coldLayout(record.size, record.shard.nodes, record.shard.recovery);
        const whole = request.query.part === "whole";
        return reply
          .header("content-type", "application/octet-stream")
          .header(
            "content-length",
            layout.stripes * (whole ? layout.shardStripeBytes : primaryPart(layout, record.holder).length),
          )
          .send(Readable.from(deps.serving.serveShard(blobId, whole)));
      },
    );

    app.get(
      "/shard/:blobId/repair",
      {
        schema: {
          summary: "Repair symbols this node's shard gives toward holder `lost`'s shard, stripe after stripe",
          params: blobParams,
          querystring: Type.Object({ lost: Type.Integer({ minimum: 0, maximum: 15 }) }),
          response: { 200: Type.Any({ description: "1 symbol per stripe" }), ...errors(400, 404, 422) },
        },
      },
      async (request, reply) => {
        const blobId = request.params.blobId as Hex;
        const record = await deps.serving.heldShard(blobId);
        const layout = coldLayout(record.size, record.shard.nodes, record.shard.recovery);
        const { lost } = request.query;
        if (lost >= record.shard.nodes || lost === record.holder) {
          throw new InvalidShardsError(`holder ${lost} is not another holder of ${blobId}`);
        }
        return reply
          .header("content-type", "application/octet-stream")
          .header("content-length", layout.stripes * layout.symbolSize)
          .send(Readable.from(deps.serving.serveRepairSymbols(blobId, lost)));
      },
    );

    app.get(
      "/shard/:blobId/meta",
      {
        schema: {
          summary: "The layout and every shard commitment of a cold blob this node keeps a shard of",
          params: blobParams,
          response: {
            200: Type.Object({
              blobId: Type.String(),
              cid: Type.String(),
              size: Type.Integer(),
              holder: Type.Integer(),
              nodes: Type.Integer(),
              recovery: Type.Integer(),
              shardSize: Type.Integer(),
              shardRoots: Type.Array(Type.String({ pattern: HexPattern })),
            }),
            ...errors(400, 404),
          },
        },
      },
      async (request) => {
        const record = await deps.serving.heldShard(request.params.blobId as Hex);
        return {
          blobId: record.blobId,
          cid: record.cid,
          size: record.size,
          holder: record.holder,
          nodes: record.shard.nodes,
          recovery: record.shard.recovery,
          shardSize: record.shard.size,
          shardRoots: record.shard.roots,
        };
      },
    );
  };
}
