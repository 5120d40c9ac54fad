import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { CID } from "multiformats/cid";
import { IndexerPath, IndexerSchema } from "../../../api/indexer/index.ts";
import { InvalidQueryError, NotFoundError } from "../../errors.ts";
import type { IndexerDeps } from "../deps.ts";

/** `http://127.0.0.1:9101` as a multiaddr: `/ip4/127.0.0.1/tcp/9101/http` (`/tls/http` for https). */
export function httpMultiaddrOf(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return undefined;
  }
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") return undefined;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const kind = /^\d+\.\d+\.\d+\.\d+$/.test(host) ? "ip4" : host.includes(":") ? "ip6" : "dns";
  const port = url.port || (secure ? "443" : "80");
  return `/${kind}/${host}/tcp/${port}${secure ? "/tls" : ""}/http`;
}

/** A CID from a path, in its canonical form; InvalidQueryError if it is none. */
function cidParam(text: string): string {
  try {
    return CID.parse(text).toString();
  } catch {
    throw new InvalidQueryError(`not a CID: ${text.slice(0, 100)}`);
  }
}

/** GET /route/:cid: where to fetch content from; GET /routing/v1/providers/:cid, the same for stock IPFS clients. */
export function routingRoutes(deps: IndexerDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      IndexerPath.route,
      {
        schema: {
          summary: "The nodes holding live copies of a CID, best first",
          description:
            "Certified copies before merely registered ones, then nodes that answered their last health check, lower latency, and more recent proofs.",
          ...IndexerSchema.route,
        },
      },
      async (request) => {
        const cid = cidParam(request.params.cid);
        deps.queries.hit(cid);
        const route = deps.queries.route(cid);
        if (route.nodes.length === 0) throw new NotFoundError(`a live copy of ${cid}`);
        return { cid, ...route };
      },
    );

    app.get(
      IndexerPath.providers,
      {
        schema: {
          summary: "Delegated routing v1: the nodes providing a CID",
          description:
            "Each node with its libp2p addresses (bitswap) and its trustless gateway as an /http multiaddr, best first; an empty list when none.",
          ...IndexerSchema.providers,
        },
      },
      async (request) => {
        const cid = cidParam(request.params.cid);
        deps.queries.hit(cid);
        const { nodes } = deps.queries.route(cid);
        return {
          Providers: nodes.map((node) => ({
            Schema: "peer" as const,
            ID: node.peerId,
            Addrs: [...node.multiaddrs, httpMultiaddrOf(node.endpoint)].filter(
              (a): a is string => a !== undefined,
            ),
            Protocols: ["transport-bitswap", "transport-ipfs-gateway-http"],
          })),
        };
      },
    );
  };
}
