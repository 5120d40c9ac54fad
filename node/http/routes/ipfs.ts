import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { identity } from "multiformats/hashes/identity";
import { NodePath, NodeSchema } from "../../../api/node/index.ts";
import { NotFoundError } from "../../errors.ts";
import {
  CAR_TYPE,
  encodeCar,
  gatewayRequest,
  RAW_TYPE,
  readBlock,
  selectBlocks,
  storeSource,
} from "../../gateway.ts";
import { parseCid } from "../../hot/reader.ts";
import type { AppDeps } from "../deps.ts";

/**
 * GET (and HEAD) /ipfs/:cid, an IPFS trustless gateway (specs.ipfs.tech/http-gateways/
 * trustless-gateway): a raw block, or a CAR of the DAG (`dag-scope=block|entity|all`), of just
 * the blocks a byte range needs (`entity-bytes=from:to`), with or without duplicate blocks
 * (`car-dups`). Any IPFS client can fetch from a Strata node and verify every byte against the
 * CID itself. See `gatewayRequest` for how the format is chosen, `selectBlocks` for which blocks.
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
          description:
            "The format comes from `format` (raw or car), else from Accept; no Accept, or `*/*`, gets a CAR (the entity's blocks, depth-first). CAR answers: CARv1, `order=dfs`, `dups=n` unless `car-dups=y` (or `dups=y` in Accept). `dag-scope`: `block` the root alone, `entity` a UnixFS file's whole DAG or a directory's own block(s), `all` (the default) every block reachable. `entity-bytes=from:to` (inclusive; negative counts from the end; `*` the end) sends only the blocks on the paths from the root to the leaves holding those bytes; 400 NODE_ERR_RANGE when they hold none of the file's bytes. Malformed parameters are 400 NODE_ERR_INVALID_QUERY; an Accept naming only other types is 406.",
          ...NodeSchema.ipfs,
        },
      },
      async (request, reply) => {
        const cid = parseCid(request.params.cid);
        const asked = gatewayRequest(request.query, request.headers.accept);
        const local = cid.multihash.code === identity.code;
        // a block an upload in progress wrote is not served before the upload has pinned it
        if (!local && deps.pending.has(cid) && !(await deps.helia.pins.isPinned(cid)))
          throw new NotFoundError(cid.toString());
        // a cold blob this node keeps a shard of is rebuilt into the hot tier first
        if (!local && !(await deps.stores.blockstore.has(cid)))
          await deps.tiering.ensureLocal(cid.toString()).catch(() => undefined);
        const gone = new AbortController();
        reply.raw.once("close", () => gone.abort(new Error("the response closed")));
        const source = storeSource(deps.stores);
        reply
          .header("cache-control", "public, max-age=29030400, immutable")
          .header("x-content-type-options", "nosniff")
          .header("x-ipfs-path", `/ipfs/${cid}`)
          .header("vary", "Accept");
        if (asked.negotiated) reply.header("content-location", located(request.url, asked.format));
        const head = request.method === "HEAD";

        if (asked.format === "raw") {
          const bytes = await readBlock(source, cid, gone.signal);
          const etag = `"${cid}.raw"`;
          reply
            .header("content-type", RAW_TYPE)
            .header("etag", etag)
            .header("content-disposition", `attachment; filename="${cid}.bin"`);
          if (request.headers["if-none-match"] === etag) return reply.code(304).send(null);
          reply.header("content-length", bytes.length);
          if (head) return reply.send();
          return reply.send(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
        }

        const selection = await selectBlocks(source, cid, {
          scope: asked.scope,
          entityBytes: asked.entityBytes,
          dups: asked.dups,
          signal: gone.signal,
        });
        const dups = asked.dups ? "y" : "n";
        const bytes = selection.range ? `.${selection.range.from}-${selection.range.to}` : "";
        const etag = `"${cid}.car.${selection.scope}${bytes}.dfs.${dups}"`;
        reply
          .header("content-type", `${CAR_TYPE}; version=1; order=dfs; dups=${dups}`)
          .header("etag", etag)
          .header("content-disposition", `attachment; filename="${cid}.car"`);
        if (request.headers["if-none-match"] === etag || head) {
          await selection.blocks.return(undefined);
          return reply.code(head ? 200 : 304).send();
        }
        return reply.send(Readable.from(encodeCar([cid], selection.blocks)));
      },
    );
  };
}

/** The request's URL with the `format` it was answered in: the answer's Content-Location. */
function located(url: string, format: "raw" | "car"): string {
  return `${url}${url.includes("?") ? "&" : "?"}format=${format}`;
}
