import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Hex } from "viem";
import { coldLayout, primaryPart } from "#protocol";
import { NodeHeader, NodePath, NodeSchema } from "../../../api/node/index.ts";
import { InvalidShardsError } from "../../errors.ts";
import type { AppDeps } from "../deps.ts";
import { uploadBody, uploadIdleMs } from "../upload-body.ts";

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

    app.put(
      NodePath.shard,
      {
        schema: {
          summary: "Upload this node's shard of a cold blob registered on chain naming this node",
          description:
            "The body is the shard (docs/protocol.md, \"Cold tier\"); the header x-strata-shard-roots lists every holder's shard commitment, in holder order, which must hash to the registered commitment. The shard must match this holder's commitment. Answers with the node's EIP-712 attestation.",
          ...NodeSchema.shard,
        },
        // a node the chain dropped or no longer lists refuses before a byte of the body is read
        onRequest: async () => deps.standing.assertAccepting(),
      },
      async (request) => {
        const { body, signal } = uploadBody(request, {
          maxBytes: deps.config.storage.maxUploadBytes,
          idleMs: uploadIdleMs(deps.config),
        });
        const roots = request.headers[NodeHeader.shardRoots].split(",");
        try {
          return await deps.intake.storeShard(request.query.blobId as Hex, body, roots, { signal });
        } catch (error) {
          deps.standing.observe(error);
          throw error;
        }
      },
    );

    app.get(
      NodePath.shardPart,
      {
        schema: {
          summary:
            "This node's primary parts (part=primary: for holders 0..k-1 the blob's own rows) or whole shard (part=whole) of a cold blob",
          ...NodeSchema.shardPart,
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
      NodePath.repair,
      {
        schema: {
          summary: "Repair symbols this node's shard gives toward holder `lost`'s shard, stripe after stripe",
          ...NodeSchema.repair,
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
      NodePath.meta,
      {
        schema: {
          summary: "The layout and every shard commitment of a cold blob this node keeps a shard of",
          ...NodeSchema.meta,
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
