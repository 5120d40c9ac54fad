import type { OutgoingHttpHeaders } from "node:http";
import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { type Hex, recoverTypedDataAddress } from "viem";
import { deleteRequestTypedData } from "#protocol";
import { NodeHeader, NodePath, NodeSchema } from "../../../api/node/index.ts";
import type { Opened } from "../../cold/tiering.ts";
import {
  BlobStillLiveError,
  DeleteSignerError,
  DeleteTypedDataError,
  InvalidSignatureError,
  NotFoundError,
  RequestExpiredError,
  SignatureRequiredError,
} from "../../errors.ts";
import { parseCid, SMALL_BLOB } from "../../hot/reader.ts";
import type { AppDeps } from "../deps.ts";
import { parseRange } from "../range.ts";
import { writeChunks } from "../write-chunks.ts";

const MAX_DELETE_WINDOW = 3600;

type ReadRequest = FastifyRequest<{
  Params: { id: string };
  Headers: { range?: string; "if-none-match"?: string };
}>;

type FileDeps = Pick<
  AppDeps,
  | "chain"
  | "registrations"
  | "records"
  | "reader"
  | "holdings"
  | "cache"
  | "nonces"
  | "stores"
  | "metrics"
  | "tiering"
>;

/** GET, HEAD and DELETE /file/:id: blobs by CID, streamed with ranges; owner-signed eviction. */
export function fileRoutes(deps: FileDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    /**
     * The headers every read answers with, and the range it asks for; undefined when the
     * client's copy is current (304 sent).
     */
    const startRead = (
      request: ReadRequest,
      reply: FastifyReply,
      content: { cid: string; size: number; mimeType: string },
    ) => {
      const etag = `"${content.cid}"`;
      deps.metrics.reads += 1;
      reply
        .header("etag", etag)
        .header("cache-control", "public, max-age=31536000, immutable")
        .header("accept-ranges", "bytes")
        .header("content-type", content.mimeType || "application/octet-stream")
        .header("x-content-type-options", "nosniff");
      if (request.headers["if-none-match"] === etag) {
        reply.code(304).send();
        return undefined;
      }
      let range = { offset: 0, length: content.size };
      if (request.headers.range !== undefined) {
        range = parseRange(request.headers.range, content.size);
        reply
          .code(206)
          .header(
            "content-range",
            `bytes ${range.offset}-${range.offset + range.length - 1}/${content.size}`,
          );
      }
      reply.header("content-length", range.length);
      return range;
    };

    const read = (head: boolean) => async (request: ReadRequest, reply: FastifyReply) => {
      const opened = await deps.tiering.open(request.params.id);
      if ("rebuilt" in opened) return readRebuilt(request, reply, opened, head);
      const { located } = opened;
      const range = startRead(request, reply, { ...located, cid: located.cid.toString() });
      if (!range) return reply;
      if (head) return reply.send();
      if (located.size <= SMALL_BLOB) {
        const bytes = await deps.reader.whole(located);
        return reply.send(bytes.subarray(range.offset, range.offset + range.length));
      }
      // large content: blocks read into pooled buffers, each reused once the socket has taken it
      reply.hijack();
      const response = reply.raw;
      response.writeHead(reply.statusCode, reply.getHeaders() as OutgoingHttpHeaders);
      const gone = new AbortController();
      response.once("close", () => gone.abort(new Error("client went away")));
      const buffers = deps.stores.buffers;
      try {
        const chunks = deps.reader.read(located, range, { signal: gone.signal, pooled: true });
        await writeChunks(response, chunks, (chunk) => buffers.release(chunk), gone.signal);
        response.end();
      } catch (error) {
        // the status line is out: all that is left is to cut the response short
        if (!gone.signal.aborted)
          request.log.warn({ err: error, cid: located.cid.toString() }, "read failed");
        response.destroy();
      }
    };

    /** A cold blob just rebuilt from its shards (lazy loading), streamed once checked. */
    const readRebuilt = async (
      request: ReadRequest,
      reply: FastifyReply,
      opened: Extract<Opened, { rebuilt: unknown }>,
      head: boolean,
    ) => {
      const { rebuilt } = opened;
      try {
        reply.header(NodeHeader.tier, "cold");
        const range = startRead(request, reply, rebuilt);
        if (!range || head || range.length === 0) {
          opened.done();
          return range ? reply.send() : reply;
        }
        const stream = Readable.from(rebuilt.read(range));
        stream.once("close", opened.done);
        return reply.send(stream);
      } catch (error) {
        opened.done();
        throw error;
      }
    };

    app.get(
      NodePath.file,
      { exposeHeadRoute: false, schema: { summary: "Read a blob by CID", ...NodeSchema.readFile } },
      read(false),
    );
    app.head(
      NodePath.file,
      { schema: { summary: "A blob's headers by CID", ...NodeSchema.readFile } },
      read(true),
    );

    app.delete(
      NodePath.file,
      {
        schema: {
          summary: "Drop every local copy of a blob",
          description:
            "With just the blob id: honoured once the chain says the blob was deleted, reclaimed or settled. With the owner's EIP-712 DeleteRequest (expiry, nonce, signature): also drops pending (uncertified) and cached copies. A blob certified and live on chain is kept (its holder would miss its proofs): delete it on chain first.",
          ...NodeSchema.deleteFile,
        },
      },
      async (request) => {
        const cid = parseCid(request.params.id).toString();
        const { blobId, expiry, nonce, signature, signer } = request.body;
        const signed = expiry !== undefined || nonce !== undefined || signature !== undefined;
        if (signed && (expiry === undefined || nonce === undefined || signature === undefined)) {
          throw new InvalidSignatureError("a signed request needs expiry, nonce and signature");
        }
        const records = (await deps.records.byCid(cid)).filter((r) => r.blobId === blobId);
        const cached = deps.cache.has(cid);
        if (records.length === 0 && !cached) throw new NotFoundError(cid);
        const released: string[] = [];
        if (signed) {
          const registration = await deps.registrations.get(blobId as Hex);
          if (!registration || registration.cid !== cid) throw new NotFoundError(`blob ${blobId} of ${cid}`);
          await verifyOwner(deps, registration.owner, { blobId, expiry, nonce, signature, signer } as {
            blobId: string;
            expiry: number;
            nonce: string;
            signature: string;
            signer?: string;
          });
          for (const record of records) {
            if (registration.status === "certified" && record.state !== "ended")
              throw new BlobStillLiveError(record.blobId);
            await deps.holdings.release(record, "owner request");
            released.push(record.blobId);
          }
          if (cached) await deps.holdings.evictFromCache(cid);
          deps.reader.forget(cid);
          return { cid, released, evicted: cached };
        }
        for (const record of records) {
          const registration = await deps.registrations.get(record.blobId);
          const ended = !registration || ["deleted", "reclaimed", "settled"].includes(registration.status);
          if (!ended)
            throw new SignatureRequiredError(
              "the chain still holds this blob: an owner-signed request is needed",
            );
          await deps.holdings.release(record, `chain says ${registration?.status ?? "unknown"}`);
          released.push(record.blobId);
        }
        if (records.length === 0)
          throw new SignatureRequiredError("dropping a cached copy needs an owner-signed request");
        deps.reader.forget(cid);
        return { cid, released, evicted: false };
      },
    );
  };
}

/**
 * Checks an owner-signed delete request: its time window, its signature over the DeleteRequest
 * typed data, its signer (the blob's owner) and its nonce (used once). With `signer` sent, a
 * signature that recovers to another address is typed data other than the node's
 * (NODE_ERR_DELETE_TYPED_DATA), one that recovers to `signer` a signer who is not the owner
 * (NODE_ERR_DELETE_SIGNER); without it the two cannot be told apart (NODE_ERR_DELETE_SIGNER).
 */
async function verifyOwner(
  deps: Pick<AppDeps, "chain" | "nonces">,
  owner: string,
  request: { blobId: string; expiry: number; nonce: string; signature: string; signer?: string },
): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  if (request.expiry < now) throw new RequestExpiredError(`the delete request expired at ${request.expiry}`);
  if (request.expiry > now + MAX_DELETE_WINDOW)
    throw new RequestExpiredError(
      `the delete request is valid too long: at most ${MAX_DELETE_WINDOW} s ahead`,
    );
  let recovered: string;
  try {
    recovered = await recoverTypedDataAddress({
      ...deleteRequestTypedData(deps.chain.deployment.chainId, deps.chain.deployment.contracts.market, {
        blobId: request.blobId as Hex,
        expiry: BigInt(request.expiry),
        nonce: request.nonce as Hex,
      }),
      signature: request.signature as Hex,
    });
  } catch {
    throw new InvalidSignatureError("the signature is malformed");
  }
  const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
  if (request.signer !== undefined && !same(recovered, request.signer))
    throw new DeleteTypedDataError(request.signer, recovered);
  if (!same(recovered, owner)) {
    const unsure =
      request.signer === undefined
        ? " (or typed data other than the node's DeleteRequest: send `signer` to tell them apart)"
        : "";
    throw new DeleteSignerError(recovered, owner, unsure);
  }
  await deps.nonces.use(request.nonce as Hex, request.expiry);
}
