import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Hex } from "viem";
import { NodePath, NodeSchema } from "../../../api/node/index.ts";
import type { AppDeps } from "../deps.ts";

const CAR_MEDIA_TYPE = "application/vnd.ipld.car";

import { uploadBody, uploadIdleMs } from "../upload-body.ts";

/** PUT /store: a paid upload streamed in, verified, made durable, enrolled and attested. */
export function storeRoutes(
  deps: Pick<AppDeps, "config" | "standing" | "holdings">,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    // the body is the blob itself, whatever its declared type: hand the raw stream to the
    // handler, never buffer it (this plugin's scope only)
    app.removeAllContentTypeParsers();
    app.addContentTypeParser("*", (_request, _payload, done) => done(null));
    app.put(
      NodePath.store,
      {
        schema: {
          summary: "Upload the bytes of a blob registered on chain naming this node",
          description:
            "The body is either the blob's bytes (any type but application/vnd.ipld.car), streamed into UnixFS as docs/protocol.md §2 lays it out (CIDv1, raw leaves, 1 MiB chunks, 174 links per node), or a CAR (application/vnd.ipld.car) of one UnixFS file DAG of any layout whose root is the registered CID, every block checked against its CID. Either way the file's size and commitment must match the registration. The blob is enrolled on chain before the answer, which carries the node's EIP-712 attestation.",
          ...NodeSchema.store,
        },
        // a node the chain dropped or no longer lists refuses before a byte of the body is read
        onRequest: async () => deps.standing.assertAccepting(),
      },
      async (request) => {
        const { body, signal } = uploadBody(request, {
          maxBytes: deps.config.storage.maxUploadBytes,
          idleMs: uploadIdleMs(deps.config),
        });
        try {
          const car = request.headers["content-type"]?.split(";")[0]?.trim() === CAR_MEDIA_TYPE;
          return await deps.holdings.store(request.query.blobId as Hex, body, {
            signal,
            format: car ? "car" : "bytes",
          });
        } catch (error) {
          deps.standing.observe(error);
          throw error;
        }
      },
    );
  };
}
