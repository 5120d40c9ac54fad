import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { getAddress, type Hex } from "viem";
import { canonicalIpnsName } from "#protocol";
import { IPNS_RECORD_TYPE, MAX_IPNS_RECORD, NamesPath, NamesSchema } from "../../api/names/index.ts";
import { InvalidQueryError, NotFoundError } from "../errors.ts";
import type { IndexerDeps } from "../http/deps.ts";

/**
 * GET /names, /names/:id and /names/:id/history (the NameRegistry's mirror), and the delegated
 * routing v1 IPNS endpoints: GET answers the anchored record with `Cache-Control: max-age=<ttl>`,
 * PUT takes a record (checked with the stock IPNS validator) to serve once the chain anchors it.
 */
export function namesRoutes(deps: Pick<IndexerDeps, "names" | "ipnsRecords">): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser(
      IPNS_RECORD_TYPE,
      { parseAs: "buffer", bodyLimit: MAX_IPNS_RECORD },
      (_r, body, done) => done(null, body),
    );

    app.get(
      NamesPath.names,
      { schema: { summary: "Names, by owner or IPNS name", ...NamesSchema.names } },
      async (request) => {
        const { owner, ipnsName, ...page } = request.query;
        return deps.names.names({
          ...page,
          ...(owner ? { owner: getAddress(owner.toLowerCase()) } : {}),
          ...(ipnsName ? { ipnsName: ipnsNameOf(ipnsName) } : {}),
        });
      },
    );

    app.get(
      NamesPath.name,
      { schema: { summary: "One name as its last update left it", ...NamesSchema.name } },
      async (request) => {
        const name = deps.names.name(request.params.id as Hex);
        if (!name) throw new NotFoundError(`name ${request.params.id}`);
        return name;
      },
    );

    app.get(
      NamesPath.history,
      { schema: { summary: "Every update of a name, newest first", ...NamesSchema.history } },
      async (request) => {
        const history = deps.names.history(request.params.id as Hex, request.query);
        if (!history) throw new NotFoundError(`name ${request.params.id}`);
        return history;
      },
    );

    app.get(
      NamesPath.routingIpns,
      {
        schema: {
          summary: "Delegated routing v1: the IPNS record of a name, as the chain anchors it",
          description:
            "The record of the name's current chain update (value, sequence, validity, TTL and key all equal), while valid; 404 otherwise. Cached for the name's TTL.",
          ...NamesSchema.getIpns,
        },
      },
      async (request, reply) => {
        const ipnsName = ipnsNameOf(request.params.name);
        const found = deps.names.anchoredRecord(ipnsName);
        if (!found) throw new NotFoundError(`an anchored IPNS record for ${ipnsName}`);
        return reply
          .header("content-type", IPNS_RECORD_TYPE)
          .header("cache-control", `public, max-age=${found.ttl}`)
          .header("vary", "Accept")
          .send(Buffer.from(found.record));
      },
    );

    app.put(
      NamesPath.routingIpns,
      {
        schema: {
          summary: "Delegated routing v1: hand over an IPNS record",
          description:
            "Checked with the stock IPNS validator (V2 signature under the name, at most 10 KiB, not expired); kept, and served by GET once a name's chain update anchors it.",
          ...NamesSchema.putIpns,
        },
      },
      async (request, reply) => {
        const body = request.body;
        if (!(body instanceof Uint8Array)) {
          throw new InvalidQueryError(`send the record as ${IPNS_RECORD_TYPE}`);
        }
        await deps.ipnsRecords.put(ipnsNameOf(request.params.name), body);
        return reply.code(200).send(null);
      },
    );
  };
}

function ipnsNameOf(text: string): string {
  try {
    return canonicalIpnsName(text);
  } catch (error) {
    throw new InvalidQueryError((error as Error).message);
  }
}
