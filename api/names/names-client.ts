import { type HttpTarget, jsonOf, send } from "../http-request.ts";
import { IPNS_RECORD_TYPE } from "./ipns-record-type.ts";
import type { IndexedName, NameHistory, NamesFilter, NamesPage } from "./name-schemas.ts";

type Signal = { signal?: AbortSignal | undefined };

/** The indexer's name routes, typed (part of `createIndexerClient`). */
export function namesApi(target: HttpTarget, timed: (signal?: AbortSignal) => AbortSignal) {
  const get = async <T>(path: string, opts: Signal = {}): Promise<T> =>
    jsonOf<T>(target, await send(target, path, { signal: timed(opts.signal) }));
  const query = (values: Record<string, unknown>) => {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(values))
      if (value !== undefined) params.set(key, String(value));
    return params.size > 0 ? `?${params}` : "";
  };
  return {
    /** GET /names/:id: a name as its last update left it. */
    name: (nameId: string, opts?: Signal) => get<IndexedName>(`/names/${encodeURIComponent(nameId)}`, opts),

    /** GET /names/:id/history: its updates, newest first. */
    history: (nameId: string, page: { limit?: number; before?: string } = {}, opts?: Signal) =>
      get<NameHistory>(`/names/${encodeURIComponent(nameId)}/history${query(page)}`, opts),

    /** GET /names: names by owner or IPNS name. */
    names: (filter: NamesFilter = {}, opts?: Signal) => get<NamesPage>(`/names${query(filter)}`, opts),

    /** GET /routing/v1/ipns/:name: the anchored IPNS record, or undefined when there is none. */
    getIpnsRecord: async (ipnsName: string, opts: Signal = {}): Promise<Uint8Array | undefined> => {
      const response = await send(
        target,
        `/routing/v1/ipns/${encodeURIComponent(ipnsName)}`,
        { headers: { accept: IPNS_RECORD_TYPE }, signal: timed(opts.signal) },
        [200, 404],
      );
      if (response.status === 404) {
        await response.body?.cancel();
        return undefined;
      }
      return new Uint8Array(await response.arrayBuffer());
    },

    /** PUT /routing/v1/ipns/:name: hands an IPNS record over (checked, kept, served once anchored). */
    putIpnsRecord: async (ipnsName: string, record: Uint8Array, opts: Signal = {}): Promise<void> => {
      const response = await send(target, `/routing/v1/ipns/${encodeURIComponent(ipnsName)}`, {
        method: "PUT",
        headers: { "content-type": IPNS_RECORD_TYPE },
        body: record as BodyInit,
        signal: timed(opts.signal),
      });
      await response.body?.cancel();
    },
  };
}
