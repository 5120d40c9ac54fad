import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Hex } from "viem";
import { NodePath, NodeSchema } from "../../../api/node/index.ts";
import type { AppDeps } from "../deps.ts";
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
            "Streams the body into the node's storage while computing the CID (UnixFS, CIDv1, raw leaves, 1 MiB chunks) and the commitment; both and the size must match the registration. Answers with the node's EIP-712 attestation.",
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
          return await deps.holdings.store(request.query.blobId as Hex, body, { signal });
        } catch (error) {
          deps.standing.observe(error);
          throw error;
        }
      },
    );
  };
}
