import { stat, writeFile } from "node:fs/promises";
import { basename } from "node:path";
import type { VaultJobReply } from "../../api/vaults/index.ts";
import type { StrataClient } from "../../sdk/client/strata-client.ts";
import type { VaultClient } from "../../sdk/vaults/vault-client.ts";
import { clientFrom } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command, CommandContext } from "../command.ts";
import { positiveInt, tierArg } from "../option-values.ts";
import { ProgressBar } from "../progress-bar.ts";

/**
 * `strata vault`: a vault of your files and collections on a node of your choice, snapshotted
 * into the network, restored and migrated. VAULT is the vault's id (`strata vault create` prints it).
 */
const SIZE = /^(\d+)(k|m|g|t)?(i?b)?$/i;

function bytesArg(value: unknown, option: string): number {
  const match = SIZE.exec(String(value ?? ""));
  if (!match) throw new UsageError(`--${option} takes a size: 512m, 4g, 1073741824`);
  const unit = { "": 1, k: 2 ** 10, m: 2 ** 20, g: 2 ** 30, t: 2 ** 40 }[
    (match[2] ?? "").toLowerCase() as ""
  ];
  return Number(match[1]) * unit;
}

function vaultOf(client: StrataClient, text: string | undefined): VaultClient {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id < 1)
    throw new UsageError(`VAULT is a vault id (a positive integer): got ${text}`);
  return client.vaults.get(id);
}

function jsonArg(text: string | undefined, what: string): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== "object") throw new Error("not an object or array");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${what} must be JSON: ${(error as Error).message}`);
  }
}

/** Draws a job's progress: its state, and its bytes when it counts them. */
function jobProgress(values: CommandContext["values"]) {
  const bar = new ProgressBar({ enabled: !values.json });
  return {
    bar,
    onProgress: (job: VaultJobReply) => {
      if (job.total > 0) bar.update(job.state, job.bytes, job.total);
      else bar.step(job.state);
    },
  };
}

const signingClient = (values: CommandContext["values"]) => clientFrom(values, { signing: true });

export const vaultCreate: Command = {
  name: "vault create",
  summary: "Open a vault on a node: quota and epochs paid into escrow",
  help: `strata vault create --node NODE --quota SIZE [--epochs N]
  --node NODE     the node that hosts it (its id)
  --quota SIZE    bytes it may hold: 512m, 4g…
  --epochs N      epochs paid up front (default 4)`,
  options: { node: { type: "string" }, quota: { type: "string" }, epochs: { type: "string" } },
  async run({ values, signal, print }) {
    const home = positiveInt(values.node, "node");
    if (!home) throw new UsageError("--node is required");
    const client = await signingClient(values);
    const vault = await client.vaults.open({
      home,
      quota: bytesArg(values.quota, "quota"),
      epochs: positiveInt(values.epochs, "epochs", 4) as number,
      signal,
    });
    const info = await vault.info();
    print(
      `vault ${vault.vaultId} on node ${info.home}, quota ${info.quota} bytes, paid through ${new Date(Number(info.paidThrough) * 1000).toISOString()}`,
      {
        vaultId: vault.vaultId,
        home: info.home,
        quota: info.quota,
        paidThrough: Number(info.paidThrough),
      },
    );
  },
};

export const vaultStatus: Command = {
  name: "vault status",
  summary: "A vault as its home holds it, and the chain's record",
  help: "strata vault status VAULT",
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const status = await vault.status({ signal });
    print(
      [
        `vault ${status.vaultId} on node ${status.home} (${status.mode})`,
        `  owner        ${status.owner}`,
        `  used         ${status.used} of ${status.quota} bytes, ${status.files} files`,
        `  collections  ${status.collections.join(", ") || "none"}`,
        `  snapshot     ${status.sequence ? `${status.sequence} (${status.manifest})` : "none yet"}`,
      ].join("\n"),
      status,
    );
  },
};

export const vaultPut: Command = {
  name: "vault put",
  summary: "Write a local file into a vault",
  help: `strata vault put VAULT FILE [PATH]
  PATH            where in the vault (default: the file's name)
  --type MIME     its media type (default application/octet-stream)`,
  options: { type: { type: "string" } },
  positionals: 2,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const file = positionals[1] as string;
    const path = positionals[2] ?? basename(file);
    const bar = new ProgressBar({ enabled: !values.json });
    const size = (await stat(file)).size;
    let sent = 0;
    const written = await vault.put(path, file, {
      signal,
      ...(values.type ? { type: String(values.type) } : {}),
      onBytes: (bytes) => {
        sent += bytes;
        bar.update("writing", sent, size);
      },
    });
    bar.done();
    print(`${written.path}: ${written.size} bytes in ${written.chunks.length} chunk(s)`, written);
  },
};

export const vaultGet: Command = {
  name: "vault get",
  summary: "Read a file of a vault (whole or a range)",
  help: `strata vault get VAULT PATH [--out FILE] [--range a-b]
  --out FILE      write it there (default: stdout)
  --range a-b     bytes a to b (inclusive), as HTTP ranges say them`,
  options: { out: { type: "string" }, range: { type: "string" } },
  positionals: 2,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const bytes = await vault.get(positionals[1] as string, {
      signal,
      ...(values.range ? { range: `bytes=${String(values.range)}` } : {}),
    });
    if (values.out) {
      await writeFile(String(values.out), bytes);
      print(`${positionals[1]}: ${bytes.length} bytes to ${values.out}`, {
        path: positionals[1],
        bytes: bytes.length,
        out: values.out,
      });
    } else if (values.json) {
      print("", { path: positionals[1], bytes: bytes.length, base64: Buffer.from(bytes).toString("base64") });
    } else {
      process.stdout.write(bytes);
    }
  },
};

export const vaultLs: Command = {
  name: "vault ls",
  summary: "List a vault's files (under a prefix)",
  help: "strata vault ls VAULT [PREFIX] [--limit N]",
  options: { limit: { type: "string" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const limit = positiveInt(values.limit, "limit", 1000) as number;
    const page = await vault.list(
      { ...(positionals[1] ? { prefix: positionals[1] } : {}), limit },
      { signal },
    );
    print(
      page.files
        .map((f) => `${String(f.size).padStart(12)}  ${new Date(f.modified).toISOString()}  ${f.path}`)
        .join("\n") + (page.next ? `\n… more after ${page.next}` : ""),
      page,
    );
  },
};

export const vaultRm: Command = {
  name: "vault rm",
  summary: "Delete a file of a vault",
  help: "strata vault rm VAULT PATH",
  options: {},
  positionals: 2,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const { deleted } = await vault.remove(positionals[1] as string, { signal });
    print(deleted ? `deleted ${positionals[1]}` : `no file ${positionals[1]}`, {
      path: positionals[1],
      deleted,
    });
  },
};

export const vaultDb: Command = {
  name: "vault db",
  summary: "Run an operation on a vault's collection (on its node)",
  help: `strata vault db VAULT COLLECTION OP [JSON] [JSON]
  OP is insert DOCS | find [FILTER] | update FILTER UPDATE | delete FILTER | count [FILTER]
        | index FIELD | drop-index FIELD
  --sort JSON --skip N --limit N --projection JSON   (find)`,
  options: {
    sort: { type: "string" },
    skip: { type: "string" },
    limit: { type: "string" },
    projection: { type: "string" },
  },
  positionals: 3,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const [, collection, op, first, second] = positionals as [string, string, string, string?, string?];
    const db = vault.db(collection);
    const opts = { signal };
    switch (op) {
      case "insert": {
        const docs = jsonArg(first, "DOCS");
        const ids = await db.insert(Array.isArray(docs) ? (docs as Record<string, unknown>[]) : docs, opts);
        return print(`inserted ${ids.length}: ${ids.join(", ")}`, { ids });
      }
      case "find": {
        const docs = await db.find(jsonArg(first, "FILTER"), {
          ...opts,
          ...(values.sort ? { sort: jsonArg(String(values.sort), "--sort") as Record<string, 1 | -1> } : {}),
          ...(values.projection
            ? { projection: jsonArg(String(values.projection), "--projection") as Record<string, number> }
            : {}),
          ...(values.skip ? { skip: positiveInt(values.skip, "skip") as number } : {}),
          ...(values.limit ? { limit: positiveInt(values.limit, "limit") as number } : {}),
        });
        return print(docs.map((doc) => JSON.stringify(doc)).join("\n"), { docs });
      }
      case "update": {
        const changed = await db.update(jsonArg(first, "FILTER"), jsonArg(second, "UPDATE"), opts);
        return print(`updated ${changed}`, { changed });
      }
      case "delete": {
        const deleted = await db.delete(jsonArg(first, "FILTER"), opts);
        return print(`deleted ${deleted}`, { deleted });
      }
      case "count": {
        const count = await db.count(jsonArg(first, "FILTER"), opts);
        return print(String(count), { count });
      }
      case "index":
      case "drop-index": {
        if (!first) throw new UsageError(`${op} needs a FIELD`);
        const indexes = op === "index" ? await db.createIndex(first, opts) : await db.dropIndex(first, opts);
        return print(`indexes: ${indexes.join(", ") || "none"}`, { indexes });
      }
      default:
        throw new UsageError(`unknown OP ${op}: insert, find, update, delete, count, index, drop-index`);
    }
  },
};

export const vaultSnapshot: Command = {
  name: "vault snapshot",
  summary: "Snapshot a vault into the network (certified blobs, committed on chain)",
  help: `strata vault snapshot VAULT [--tier hot|cold] [--replicas N]
  --tier T        hot: whole copies (default); cold: erasure-coded shards
  --replicas N    nodes that keep the snapshot's blob (default 2 hot, 3 cold)`,
  options: { replicas: { type: "string" }, tier: { type: "string" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const { bar, onProgress } = jobProgress(values);
    const replicas = positiveInt(values.replicas, "replicas");
    const result = await vault.snapshot({
      signal,
      onProgress,
      tier: tierArg(values.tier),
      ...(replicas ? { replicas } : {}),
    });
    bar.done();
    print(
      `snapshot ${result.sequence}: manifest ${result.manifest}, ${result.newBytes} new bytes in a ${result.packBytes}-byte pack`,
      result,
    );
  },
};

export const vaultRestore: Command = {
  name: "vault restore",
  summary: "Restore a vault's last snapshot on another node and move it there",
  help: `strata vault restore VAULT --to NODE
  For a home that disappeared: the owner's signature alone moves the vault.`,
  options: { to: { type: "string" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const to = positiveInt(values.to, "to");
    if (!to) throw new UsageError("--to NODE is required");
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const { bar, onProgress } = jobProgress(values);
    const result = await vault.restore(to, { signal, onProgress });
    bar.done();
    print(
      `vault ${vault.vaultId} restored on node ${to} at snapshot ${result.sequence}; its home now`,
      result,
    );
  },
};

export const vaultMigrate: Command = {
  name: "vault migrate",
  summary: "Move a vault to another node in one command",
  help: `strata vault migrate VAULT --to NODE [--replicas N]
  Freezes it, snapshots it, restores it on NODE, moves the home on chain with NODE's signature.`,
  options: { to: { type: "string" }, replicas: { type: "string" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const to = positiveInt(values.to, "to");
    if (!to) throw new UsageError("--to NODE is required");
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const { bar, onProgress } = jobProgress(values);
    const replicas = positiveInt(values.replicas, "replicas");
    const result = await vault.migrate(to, { signal, onProgress, ...(replicas ? { replicas } : {}) });
    bar.done();
    print(`vault ${vault.vaultId} moved to node ${to} at snapshot ${result.sequence}`, result);
  },
};

export const vaultFreeze: Command = {
  name: "vault freeze",
  summary: "Freeze a vault (writes refused) or thaw it",
  help: "strata vault freeze VAULT [--thaw]",
  options: { thaw: { type: "boolean" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const status = await vault.freeze(!values.thaw, { signal });
    print(`vault ${status.vaultId} is ${status.mode}`, status);
  },
};

export const vaultClose: Command = {
  name: "vault close",
  summary: "Close a vault: the escrow left comes back",
  help: "strata vault close VAULT",
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const vault = vaultOf(await signingClient(values), positionals[0]);
    const { hash } = await vault.close({ signal });
    print(`vault ${vault.vaultId} closed (transaction ${hash})`, { vaultId: vault.vaultId, hash });
  },
};
