import { type HttpTarget, jsonOf, send } from "../http-request.ts";
import type {
  IndexedVault,
  IndexedVaultDetail,
  IndexedVaultSnapshot,
  VaultsFilter,
} from "./vault-schemas.ts";

type Signal = { signal?: AbortSignal | undefined };

/** The indexer's vault routes, typed (part of `createIndexerClient`). */
export function vaultsApi(target: HttpTarget, timed: (signal?: AbortSignal) => AbortSignal) {
  const get = async <T>(path: string, opts: Signal = {}): Promise<T> =>
    jsonOf<T>(target, await send(target, path, { signal: timed(opts.signal) }));
  return {
    /** GET /vaults: vaults by owner or home node, by id. */
    vaults: (filter: VaultsFilter = {}, opts?: Signal) => {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(filter))
        if (value !== undefined) params.set(key, String(value));
      return get<{ vaults: IndexedVault[]; next: number | null }>(
        `/vaults${params.size ? `?${params}` : ""}`,
        opts,
      );
    },
    /** GET /vaults/:id: one vault, with its home's moves. */
    vault: (vaultId: number | bigint, opts?: Signal) => get<IndexedVaultDetail>(`/vaults/${vaultId}`, opts),
    /** GET /vaults/:id/snapshots: its committed snapshots, newest first. */
    snapshots: (vaultId: number | bigint, opts?: Signal) =>
      get<{ vaultId: number; snapshots: IndexedVaultSnapshot[] }>(`/vaults/${vaultId}/snapshots`, opts),
  };
}
