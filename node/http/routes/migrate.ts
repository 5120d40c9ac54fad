import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { Hex } from "viem";
import { NodePath, NodeSchema } from "../../../api/node/index.ts";
import { migrateToCold } from "../../cold/migrate-to-cold.ts";
import { InvalidShardsError } from "../../errors.ts";
import type { AppDeps } from "../deps.ts";

/** POST /migrate: a blob from the hot tier to the cold one, or back. */
export function migrateRoutes(
  deps: Pick<AppDeps, "tiering" | "chain" | "registrations" | "records" | "reader" | "peers">,
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      NodePath.migrate,
      {
        schema: {
          summary: "Move a blob between the tiers",
          description:
            "to=cold: `blobId` is a hot blob this node holds and `coldBlobId` the cold registration its owner made for the same CID; the node encodes it, streams each shard to its holder and certifies the cold blob with their attestations. The hot copy stays while its registration lasts. to=hot: `blobId` is a cold blob this node keeps a shard of; the node rebuilds it from the holders, checks it against its CID and keeps it in the hot tier, promoted.",
          ...NodeSchema.migrate,
        },
      },
      async (request) => {
        const controller = new AbortController();
        request.raw.once("close", () => {
          if (!request.raw.complete) controller.abort(new Error("client went away"));
        });
        const options = { signal: controller.signal };
        const { blobId, to, coldBlobId } = request.body;
        if (to === "hot") {
          const { cid, size } = await deps.tiering.promote(blobId as Hex, options);
          return { blobId, to, cid, size };
        }
        if (!coldBlobId)
          throw new InvalidShardsError("to=cold needs coldBlobId, the cold registration to fill");
        const result = await migrateToCold(deps, blobId as Hex, coldBlobId as Hex, options);
        return { to, ...result };
      },
    );
  };
}
