import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { NodePath, NodeSchema } from "../../../api/node/index.ts";
import { NotFoundError } from "../../errors.ts";
import { CAR_TYPE, carStream, RAW_TYPE, rawBlock, responseFormat } from "../../gateway.ts";
import { parseCid } from "../../hot/reader.ts";
import type { AppDeps } from "../deps.ts";

/**
 * GET /ipfs/:cid, an IPFS trustless gateway (raw blocks and CARs): any IPFS client can fetch
 * from a Strata node and verify every byte against the CID itself.
 */
export function ipfsRoutes(
  deps: Pick<AppDeps, "pending" | "helia" | "stores" | "tiering">,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      NodePath.ipfs,
      {
        schema: {
          summary:
            "Trustless gateway: a block (application/vnd.ipld.raw) or a DAG as a CAR (application/vnd.ipld.car)",
          ...NodeSchema.ipfs,
        },
      },
      async (request, reply) => {
        const cid = parseCid(request.params.cid);
        // a block an upload in progress wrote is not served before the upload has pinned it
        if (deps.pending.has(cid) && !(await deps.helia.pins.isPinned(cid)))
          throw new NotFoundError(cid.toString());
        // a cold blob this node keeps a shard of is rebuilt into the hot tier first
        if (!(await deps.stores.blockstore.has(cid)))
          await deps.tiering.ensureLocal(cid.toString()).catch(() => undefined);
        const format = responseFormat(request.query.format, request.headers.accept);
        reply
          .header("cache-control", "public, max-age=29030400, immutable")
          .header("x-content-type-options", "nosniff")
          .header("x-ipfs-path", `/ipfs/${cid}`)
          .header("vary", "Accept");
        if (format === "raw") {
          const bytes = await rawBlock(deps.stores, cid);
          return reply
            .header("content-type", RAW_TYPE)
            .header("etag", `"${cid}.raw"`)
            .header("content-length", bytes.length)
            .send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        }
        const car = await carStream(deps.stores, cid);
        return reply
          .header("content-type", `${CAR_TYPE}; version=1`)
          .header("etag", `"${cid}.car"`)
          .header("content-disposition", `attachment; filename="${cid}.car"`)
          .send(Readable.from(car));
      },
    );
  };
}
