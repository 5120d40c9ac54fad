import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply } from "fastify";
import { exporter } from "ipfs-unixfs-exporter";
import { CID } from "multiformats/cid";
import type { Hex } from "viem";
import { canonicalIpnsName } from "#protocol";
import { IPNS_RECORD_TYPE, MAX_IPNS_RECORD, NodeNamesPath, NodeNamesSchema } from "../../api/names/index.ts";
import { InvalidIdError, InvalidRecordError, NotAcceptableError, NotFoundError } from "../errors.ts";
import { CAR_TYPE, carStream, RAW_TYPE, rawBlock } from "../gateway.ts";
import type { AppDeps } from "../http/deps.ts";
import type { NameRecords } from "./name-records.ts";

type Format = "ipns-record" | "raw" | "car" | "content";

/**
 * The node's IPNS gateway: `GET /ipns/:name` answers the name's anchored record
 * (`?format=ipns-record` or `Accept: application/vnd.ipfs.ipns-record`), its content verifiably
 * (`raw`, `car`) or as the file (through `/file/:cid`); `GET /ipns/:name/<path>` follows the path
 * through the UnixFS DAG. `PUT /ipns/:name?nameId=` hands over a record, kept only when the chain
 * anchors it.
 */
export function ipnsRoutes(
  deps: Pick<AppDeps, "stores" | "tiering"> & { names: NameRecords },
): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addContentTypeParser(
      IPNS_RECORD_TYPE,
      { parseAs: "buffer", bodyLimit: MAX_IPNS_RECORD },
      (_r, body, done) => done(null, body),
    );

    const answer = async (
      params: { name: string; path?: string },
      format: Format,
      reply: FastifyReply,
      signal: AbortSignal,
    ) => {
      const ipnsName = nameOf(params.name);
      const held = await deps.names.serve(ipnsName, { signal });
      if (!held) throw new NotFoundError(`an anchored record of /ipns/${ipnsName}`);
      const { entry } = held;
      const maxAge = Math.max(0, Math.min(entry.ttl, Number(entry.validity) - Math.floor(Date.now() / 1000)));
      reply.header("cache-control", `public, max-age=${maxAge}`).header("vary", "Accept");
      if (format === "ipns-record") {
        return reply
          .header("content-type", IPNS_RECORD_TYPE)
          .header("content-length", entry.bytes.byteLength)
          .send(Buffer.from(entry.bytes));
      }
      const root = /^\/ipfs\/([^/]+)$/.exec(entry.value)?.[1];
      if (!root) throw new NotFoundError(`${entry.value} (only /ipfs/ values are served)`);
      const rootCid = CID.parse(root);
      if (!(await deps.stores.blockstore.has(rootCid)))
        await deps.tiering.ensureLocal(root).catch(() => undefined);
      const path = (params.path ?? "").replace(/^\/+|\/+$/g, "");
      reply.header("x-ipfs-path", `/ipns/${ipnsName}${path ? `/${path}` : ""}`);
      if (!path && format === "content") return reply.redirect(`/file/${root}`, 302);
      let target = rootCid;
      let content: (() => AsyncIterable<Uint8Array>) | undefined;
      if (path) {
        const found = await exporter(`${root}/${path}`, deps.stores.reads, { signal }).catch(() => undefined);
        if (!found) throw new NotFoundError(`/ipns/${ipnsName}/${path}`);
        target = found.cid;
        if (found.type === "file" || found.type === "raw") content = () => found.content({ signal });
      }
      if (format === "raw") {
        const bytes = await rawBlock(deps.stores, target, signal);
        return reply.header("content-type", RAW_TYPE).send(Buffer.from(bytes));
      }
      if (format === "car") {
        return reply
          .header("content-type", `${CAR_TYPE}; version=1; order=dfs; dups=y`)
          .send(Readable.from(await carStream(deps.stores, target, signal)));
      }
      if (!content) throw new NotAcceptableError(`a directory: ask for ${CAR_TYPE}`);
      return reply.header("content-type", "application/octet-stream").send(Readable.from(content()));
    };

    app.get(
      NodeNamesPath.ipns,
      {
        schema: {
          summary: "IPNS gateway: a Strata name's anchored record, or its content",
          ...NodeNamesSchema.getIpns,
        },
      },
      async (request, reply) =>
        answer(
          request.params,
          formatOf(request.query.format, request.headers.accept),
          reply,
          signalOf(reply.raw),
        ),
    );

    app.get(
      NodeNamesPath.ipnsPath,
      { schema: { summary: "IPNS gateway: a path through a Strata name", ...NodeNamesSchema.getIpnsPath } },
      async (request, reply) =>
        answer(
          { name: request.params.name, path: request.params["*"] },
          formatOf(request.query.format, request.headers.accept),
          reply,
          signalOf(reply.raw),
        ),
    );

    app.put(
      NodeNamesPath.ipns,
      {
        schema: {
          summary:
            "Hand over a name's IPNS record: kept and served when its confirmed chain update carries it",
          ...NodeNamesSchema.putIpns,
        },
      },
      async (request) => {
        const body = request.body;
        if (!(body instanceof Uint8Array))
          throw new InvalidRecordError(`send the record as ${IPNS_RECORD_TYPE}`);
        const held = await deps.names.accept(request.query.nameId as Hex, nameOf(request.params.name), body);
        return { ipnsName: held.entry.ipnsName, sequence: held.entry.sequence.toString() };
      },
    );
  };
}

function formatOf(format: string | undefined, accept: string | undefined): Format {
  if (format === "ipns-record" || format === "raw" || format === "car") return format;
  const types = (accept ?? "").split(",").map((part) => part.split(";")[0]?.trim().toLowerCase());
  if (types.includes(IPNS_RECORD_TYPE)) return "ipns-record";
  if (types.includes(RAW_TYPE)) return "raw";
  if (types.includes(CAR_TYPE)) return "car";
  return "content";
}

function nameOf(text: string): string {
  try {
    return canonicalIpnsName(text);
  } catch (error) {
    throw new InvalidIdError("IPNS name", `${text} (${(error as Error).message})`);
  }
}

/** Aborted when the response closes (the client went away, or it was sent). */
function signalOf(raw: NodeJS.EventEmitter): AbortSignal {
  const controller = new AbortController();
  raw.once("close", () => controller.abort());
  return controller.signal;
}
