import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { getAddress } from "viem";
import { VaultsPath, VaultsSchema } from "../../api/vaults/index.ts";
import { NotFoundError } from "../errors.ts";
import type { IndexerDeps } from "../http/deps.ts";

/** GET /vaults, /vaults/:id and /vaults/:id/snapshots: the VaultRegistry's mirror. */
export function vaultsRoutes(deps: Pick<IndexerDeps, "vaults">): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      VaultsPath.vaults,
      { schema: { summary: "Vaults, by owner or home node", ...VaultsSchema.vaults } },
      async (request) => {
        const { owner, ...rest } = request.query;
        return deps.vaults.vaults({ ...rest, ...(owner ? { owner: getAddress(owner.toLowerCase()) } : {}) });
      },
    );

    app.get(
      VaultsPath.vault,
      { schema: { summary: "One vault: home, quota, escrow, last snapshot, moves", ...VaultsSchema.vault } },
      async (request) => {
        const vault = deps.vaults.vault(request.params.id);
        if (!vault) throw new NotFoundError(`vault ${request.params.id}`);
        return vault;
      },
    );

    app.get(
      VaultsPath.snapshots,
      { schema: { summary: "A vault's committed snapshots, newest first", ...VaultsSchema.snapshots } },
      async (request) => {
        const snapshots = deps.vaults.snapshots(request.params.id);
        if (!snapshots) throw new NotFoundError(`vault ${request.params.id}`);
        return { vaultId: request.params.id, snapshots };
      },
    );
  };
}
