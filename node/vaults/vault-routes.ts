import { Readable } from "node:stream";
import type { FastifyPluginAsyncTypebox, TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { manifestFileBytes } from "#protocol";
import { VaultNodePath, VaultNodeSchema } from "../../api/vaults/index.ts";
import type { Registrations } from "../chain/registrations.ts";
import type { PeerEndpoints } from "../cold/peer-parts.ts";
import type { NodeConfig } from "../config.ts";
import {
  InvalidIdError,
  JobRunningError,
  LengthRequiredError,
  NotFoundError,
  VaultIsHomeError,
  VaultNotHomeError,
} from "../errors.ts";
import { parseRange } from "../http/range.ts";
import { uploadBody, uploadIdleMs } from "../http/upload-body.ts";
import type { ByteBudget } from "../storage/byte-budget.ts";
import { checkRestore } from "./restore-job.ts";
import { nextManifest } from "./snapshot-job.ts";
import { fileReply, readVaultFile, vaultPath, writeVaultFile } from "./vault-files.ts";
import type { Job, VaultJobs } from "./vault-jobs.ts";
import type { OpenVault, Vaults } from "./vaults.ts";

const publicJob = ({ params: _p, checkpoint: _c, ...job }: Job) => job;
/** A refused file body this small is read and dropped before the answer. */
const DRAIN_LIMIT = 64 * 1024 * 1024;

async function drain(body: AsyncIterable<unknown>): Promise<void> {
  try {
    for await (const _ of body) {
      // dropped
    }
  } catch {
    // the client went away: nothing to answer
  }
}

/** A db request body may carry a batch of documents. */
const DB_BODY_LIMIT = 16 * 1024 * 1024;

/**
 * A vault's routes on its node: files (put, get with ranges, stat, list, delete), collections
 * (insert, find, update, delete, count, indexes), app keys, freeze, snapshots, restores,
 * migrations, release; and the jobs with their server-sent progress. Every vault route is a
 * signed request (see `Vaults.authorize`).
 */
export function vaultRoutes(deps: {
  vaults: Vaults;
  jobs: VaultJobs;
  config: Pick<NodeConfig, "http" | "storage">;
  peers: Pick<PeerEndpoints, "client">;
  registrations: Pick<Registrations, "get">;
  budget: Pick<ByteBudget, "checkRoom">;
}): FastifyPluginAsyncTypebox {
  const { vaults, jobs } = deps;
  return async (app) => {
    app.addContentTypeParser("application/octet-stream", (_request, _payload, done) => done(null));
    app.addContentTypeParser("*", (_request, _payload, done) => done(null));

    app.get(
      VaultNodePath.vault,
      { schema: { summary: "How this node holds a vault", ...VaultNodeSchema.vault } },
      async (request) => {
        await vaults.authorize(request, request.params.id, "files:read");
        return vaults.status(request.params.id);
      },
    );

    // a file's body is its bytes whatever its declared type (JSON or text included): streamed
    // as it comes, never parsed
    await app.register(async (scope) => {
      const files = scope.withTypeProvider<TypeBoxTypeProvider>();
      files.removeAllContentTypeParsers();
      files.addContentTypeParser("*", (_request, _payload, done) => done(null));
      files.put(
        VaultNodePath.file,
        {
          schema: {
            summary: "Write a file of a vault (Content-Length required)",
            ...VaultNodeSchema.putFile,
          },
        },
        async (request) => {
          const { id } = request.params;
          const path = vaultPath(request.params["*"]);
          if (!path) throw new InvalidIdError("vault path", request.params["*"]);
          const declared = request.headers["content-length"];
          if (declared === undefined) throw new LengthRequiredError("a vault file's write");
          const size = Number(declared);
          let vault: OpenVault;
          let release: () => void;
          try {
            await vaults.authorize(request, id, "files:write");
            vault = await vaults.writable(id);
            release = await vaults.reserve(vault, size, vault.store.file(path)?.size ?? 0);
          } catch (error) {
            // refused before a byte is written; a small body is read to its end first, so the
            // client, still sending, hears the answer rather than a reset connection
            if (size <= DRAIN_LIMIT) await drain(request.raw);
            throw error;
          }
          try {
            const { body, signal } = uploadBody(request, {
              maxBytes: Number.MAX_SAFE_INTEGER,
              idleMs: uploadIdleMs(deps.config),
            });
            const type = String(request.headers["content-type"] ?? "application/octet-stream").slice(0, 200);
            return fileReply(await writeVaultFile(vault, path, body, { size, type, signal }));
          } finally {
            release();
          }
        },
      );
    });

    app.get(
      VaultNodePath.file,
      {
        schema: {
          summary: "Read a file of a vault, whole or a range; ?stat=true for its entry",
          ...VaultNodeSchema.getFile,
        },
      },
      async (request, reply) => {
        const { id } = request.params;
        const path = vaultPath(request.params["*"]);
        await vaults.authorize(request, id, "files:read");
        const vault = await vaults.vault(id);
        const file = path ? vault.store.file(path) : undefined;
        if (!file) throw new NotFoundError(`file ${path || request.params["*"]} of vault ${id}`);
        if (request.query.stat) return fileReply(file);
        const range = request.headers.range ? parseRange(request.headers.range, file.size) : undefined;
        const span = range ?? { offset: 0, length: file.size };
        reply
          .code(range ? 206 : 200)
          .header("content-type", file.type)
          .header("content-length", span.length)
          .header("accept-ranges", "bytes");
        if (range)
          reply.header("content-range", `bytes ${span.offset}-${span.offset + span.length - 1}/${file.size}`);
        return reply.send(Readable.from(readVaultFile(vault, file, span)));
      },
    );

    app.delete(
      VaultNodePath.file,
      { schema: { summary: "Delete a file of a vault", ...VaultNodeSchema.deleteFile } },
      async (request) => {
        const { id } = request.params;
        const path = vaultPath(request.params["*"]);
        await vaults.authorize(request, id, "files:write");
        const vault = await vaults.writable(id);
        const { deleted, orphans } = vault.store.deleteFile(path);
        await vault.dropChunks(orphans);
        return { deleted };
      },
    );

    app.get(
      VaultNodePath.files,
      { schema: { summary: "List a vault's files", ...VaultNodeSchema.listFiles } },
      async (request) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "files:read");
        const vault = await vaults.vault(id);
        const { prefix, after, limit } = request.query;
        const files = vault.store.files({
          limit: limit + 1,
          ...(prefix !== undefined ? { prefix } : {}),
          ...(after !== undefined ? { after } : {}),
        });
        const page = files.slice(0, limit);
        return {
          files: page.map(fileReply),
          next: files.length > limit ? (page.at(-1)?.path ?? null) : null,
        };
      },
    );

    app.get(
      VaultNodePath.collections,
      { schema: { summary: "A vault's collections", ...VaultNodeSchema.collections } },
      async (request) => {
        await vaults.authorize(request, request.params.id, "db:read");
        const vault = await vaults.vault(request.params.id);
        return { collections: await vault.collections.describe() };
      },
    );

    app.post(
      VaultNodePath.db,
      {
        bodyLimit: DB_BODY_LIMIT,
        schema: { summary: "An operation on a vault's collection", ...VaultNodeSchema.db },
      },
      async (request) => {
        const { id, collection, op } = request.params;
        const reads = op === "find" || op === "count";
        await vaults.authorize(request, id, reads ? "db:read" : "db:write");
        if (reads) return (await vaults.vault(id)).collections.run(collection, op, request.body);
        const vault = await vaults.writable(id);
        const release = await vaults.reserve(vault, Number(request.headers["content-length"] ?? 0));
        try {
          return await vault.exclusive(() => vault.collections.run(collection, op, request.body));
        } finally {
          release();
        }
      },
    );

    app.post(
      VaultNodePath.keys,
      { schema: { summary: "Grant an app key scoped, expiring access", ...VaultNodeSchema.addKey } },
      async (request) => {
        await vaults.authorize(request, request.params.id, "owner");
        const vault = await vaults.vault(request.params.id);
        const { address, scopes, expires } = request.body;
        vault.store.putKey(address, scopes, expires);
        return request.body;
      },
    );

    app.delete(
      VaultNodePath.key,
      { schema: { summary: "Revoke an app key", ...VaultNodeSchema.revokeKey } },
      async (request) => {
        await vaults.authorize(request, request.params.id, "owner");
        const vault = await vaults.vault(request.params.id);
        return { revoked: vault.store.revokeKey(request.params.address) };
      },
    );

    app.post(
      VaultNodePath.freeze,
      { schema: { summary: "Freeze a vault (writes get 423) or thaw it", ...VaultNodeSchema.freeze } },
      async (request) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "owner");
        const vault = await vaults.vault(id);
        const chain = await vaults.chainVault(id, { fresh: true });
        if (chain.home !== vaults.chain.nodeId) throw new VaultNotHomeError(id, chain.home);
        const migration = jobs.active(id);
        if (!request.body.frozen && migration?.kind === "migrate") {
          // a migration holds the vault frozen: cancel it instead
          throw new JobRunningError(id, migration.id, migration.kind);
        }
        await vault.exclusive(async () => {
          vault.store.mode = request.body.frozen ? "frozen" : "live";
        });
        return vaults.status(id);
      },
    );

    app.get(
      VaultNodePath.manifest,
      { schema: { summary: "The manifest the next snapshot would commit", ...VaultNodeSchema.manifest } },
      async (request) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "owner");
        const vault = await vaults.vault(id);
        const { manifest, block } = await nextManifest(vaults, vault);
        return {
          manifest: block.cid.toString(),
          sequence: manifest.sequence,
          bytes: manifestFileBytes(manifest),
          parent: manifest.parent?.toString() ?? null,
        };
      },
    );

    app.post(
      VaultNodePath.snapshot,
      { schema: { summary: "Snapshot a vault into the network (a job)", ...VaultNodeSchema.snapshot } },
      async (request, reply) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "owner");
        const vault = await vaults.vault(id);
        const chain = await vaults.chainVault(id, { fresh: true });
        if (chain.home !== vaults.chain.nodeId) throw new VaultNotHomeError(id, chain.home);
        if (vault.store.mode === "moved" || vault.store.mode === "staged")
          throw new VaultNotHomeError(id, chain.home);
        return reply.code(202).send(publicJob(jobs.start("snapshot", id, { ...request.body })));
      },
    );

    app.post(
      VaultNodePath.restore,
      {
        schema: { summary: "Restore a vault's committed snapshot here (a job)", ...VaultNodeSchema.restore },
      },
      async (request, reply) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "restore");
        // refused before a byte is written: a snapshot that is not the committed one, or over the quota
        await checkRestore(
          {
            vaults,
            chain: vaults.chain,
            peers: deps.peers,
            registrations: deps.registrations,
            budget: deps.budget,
          },
          id,
          request.body,
        );
        return reply.code(202).send(publicJob(jobs.start("restore", id, { ...request.body })));
      },
    );

    app.post(
      VaultNodePath.migrate,
      { schema: { summary: "Move a vault to another node (a job)", ...VaultNodeSchema.migrate } },
      async (request, reply) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "owner");
        await vaults.writable(id);
        if (request.body.to === vaults.chain.nodeId)
          throw new VaultIsHomeError(id, "it cannot migrate to itself");
        return reply.code(202).send(publicJob(jobs.start("migrate", id, { ...request.body })));
      },
    );

    app.post(
      VaultNodePath.release,
      { schema: { summary: "Drop this node's copy of a vault homed elsewhere", ...VaultNodeSchema.release } },
      async (request) => {
        const { id } = request.params;
        await vaults.authorize(request, id, "owner");
        const chain = await vaults.chainVault(id, { fresh: true });
        if (chain.home === vaults.chain.nodeId && !chain.closed)
          throw new VaultIsHomeError(id, "the chain still counts on this copy");
        const held = await vaults.held(id);
        if (held) await vaults.release(id);
        return { released: held !== undefined };
      },
    );

    app.get(
      VaultNodePath.job,
      { schema: { summary: "A vault job", ...VaultNodeSchema.job } },
      async (request) => publicJob(jobs.get(request.params.job)),
    );

    app.post(
      VaultNodePath.cancel,
      { schema: { summary: "Cancel a vault job", ...VaultNodeSchema.cancel } },
      async (request) => {
        const { job } = request.params;
        jobs.cancel(job);
        // it stops within a second: answer with the state it ended in
        for (let waited = 0; waited < 1000; waited += 50) {
          const now = jobs.get(job);
          if (["cancelled", "failed", "done"].includes(now.state)) return publicJob(now);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
        return publicJob(jobs.get(job));
      },
    );

    app.get(
      VaultNodePath.jobEvents,
      { schema: { summary: "A vault job's progress, pushed", ...VaultNodeSchema.jobEvents } },
      async (request, reply) => {
        const { job } = request.params;
        const first = jobs.get(job);
        reply.hijack();
        const out = reply.raw;
        out.writeHead(200, {
          "content-type": "text/event-stream",
          "cache-control": "no-store",
          connection: "keep-alive",
        });
        const send = (current: Job) => {
          out.write(`event: job\ndata: ${JSON.stringify(publicJob(current))}\n\n`);
          if (["done", "failed", "cancelled"].includes(current.state)) finish();
        };
        let closed = false;
        const unsubscribe = jobs.subscribe(job, send);
        // at least once a second, changed or not
        const beat = setInterval(() => send(jobs.get(job)), 500);
        const finish = () => {
          if (closed) return;
          closed = true;
          clearInterval(beat);
          unsubscribe();
          out.end();
        };
        request.raw.once("close", finish);
        send(first);
      },
    );
  };
}
