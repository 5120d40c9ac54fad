import { appendFile, mkdir, readFile, rm } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, isAddress, isHex } from "viem";
import type { Document } from "#protocol";
import { nameIdOf } from "#protocol";
import type { StrataClient } from "../../sdk/client/strata-client.ts";
import { type CommitOptions, Database } from "../../sdk/collections/database.ts";
import { fromBSON } from "../../sdk/collections/storage-engine.ts";
import { clientFrom } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command, CommandContext } from "../command.ts";
import { positiveInt, tierArg } from "../option-values.ts";

/**
 * `strata db`: a document database under one of your names. Writes (insert, update, delete,
 * index) go to a journal in this machine's copy and are shown by `find` at once; `commit` applies
 * the journal to the database, stores one pack and moves the name once.
 */
type Op =
  | { op: "insert"; collection: string; docs: Document[] }
  | { op: "update"; collection: string; filter: Record<string, unknown>; update: Record<string, unknown> }
  | { op: "delete"; collection: string; filter: Record<string, unknown> }
  | { op: "index"; collection: string; path: string };

const DB_HELP = "DB is a LABEL of yours, OWNER/LABEL, or a name id";

function json(text: string | undefined, what: string): Record<string, unknown> {
  if (text === undefined) return {};
  try {
    const value = JSON.parse(text) as unknown;
    if (value === null || typeof value !== "object" || Array.isArray(value)) throw new Error("not an object");
    return value as Record<string, unknown>;
  } catch (error) {
    throw new UsageError(`${what} must be a JSON object: ${(error as Error).message}`);
  }
}

async function target(
  text: string,
  client: StrataClient,
): Promise<{ owner: Address; label: string; nameId: Hex }> {
  const slash = text.indexOf("/");
  if (slash > 0 && isAddress(text.slice(0, slash))) {
    const owner = text.slice(0, slash) as Address;
    const label = text.slice(slash + 1);
    return { owner, label, nameId: nameIdOf(owner, label) };
  }
  if (isHex(text) && text.length === 66) {
    const state = await client.indexer.names.name(text);
    return { owner: state.owner as Address, label: state.label, nameId: text as Hex };
  }
  if (!client.context.signer)
    throw new UsageError(`"${text}" is a label: give OWNER/${text}, or a key to mean yours`);
  const owner = await client.address();
  return { owner, label: text, nameId: nameIdOf(owner, text) };
}

function cacheOf(values: CommandContext["values"], nameId: Hex): string {
  if (typeof values.cache === "string") return values.cache;
  const home = process.env.STRATA_HOME ?? join(homedir(), ".strata");
  return join(home, "db", nameId);
}

async function journal(cacheDir: string): Promise<Op[]> {
  const text = await readFile(join(cacheDir, "journal.jsonl"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as Op);
}

async function record(cacheDir: string, op: Op): Promise<void> {
  await mkdir(cacheDir, { recursive: true });
  await appendFile(join(cacheDir, "journal.jsonl"), `${JSON.stringify(op)}\n`);
}

async function apply(db: Database, op: Op): Promise<number | string[]> {
  const collection = db.collection(op.collection);
  switch (op.op) {
    case "insert":
      return collection.insert(op.docs);
    case "update":
      return collection.update(op.filter, op.update);
    case "delete":
      return collection.delete(op.filter);
    case "index":
      await collection.createIndex(op.path);
      return 0;
  }
}

/** The database as this machine sees it: the published one, with the journal applied. */
async function opened(context: CommandContext, signing: boolean) {
  const client = await clientFrom(context.values, { signing });
  const { owner, label, nameId } = await target(context.positionals[0] as string, client);
  const cacheDir = cacheOf(context.values, nameId);
  const db = await Database.open(client, { name: { owner, label }, cacheDir, signal: context.signal });
  const ops = await journal(cacheDir);
  for (const op of ops) await apply(db, op);
  return { client, db, cacheDir, ops };
}

/** Checks a write against the database (so a bad one is refused now, not at commit) and journals it. */
async function write(context: CommandContext, op: Op): Promise<void> {
  const { db, cacheDir } = await opened(context, false);
  const result = await apply(db, op);
  await record(cacheDir, op);
  const shown = Array.isArray(result)
    ? `${result.length} inserted`
    : op.op === "index"
      ? `index on ${op.path}`
      : `${result} ${op.op}d`;
  context.print(`${shown} in ${op.collection} (not published yet: strata db commit)`, { op: op.op, result });
}

async function documentsFrom(source: string | undefined, bson: boolean): Promise<Document[]> {
  const bytes =
    source === undefined || source === "-"
      ? await readStdin()
      : await readFile(source).catch(() => {
          throw new UsageError(`cannot read ${source}`);
        });
  if (bson) return [fromBSON(new Uint8Array(bytes))];
  const text = bytes.toString("utf8").trim();
  try {
    if (text.startsWith("[")) return JSON.parse(text) as Document[];
    return text
      .split("\n")
      .filter((l) => l.trim())
      .map((l) => JSON.parse(l) as Document);
  } catch (error) {
    throw new UsageError(
      `documents are a JSON array, or one JSON object a line: ${(error as Error).message}`,
    );
  }
}

async function readStdin(): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of process.stdin) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

const cacheOption = { cache: { type: "string" } } as const;
const storageOptions = {
  tier: { type: "string" },
  replicas: { type: "string" },
  epochs: { type: "string" },
} as const;

/** How a commit's pack is stored, from --tier, --replicas and --epochs. */
function storageOf(values: CommandContext["values"]): NonNullable<CommitOptions["upload"]> {
  const replicas = positiveInt(values.replicas, "replicas");
  const epochs = positiveInt(values.epochs, "epochs");
  return {
    ...(values.tier !== undefined ? { tier: tierArg(values.tier) } : {}),
    ...(replicas !== undefined ? { replicas } : {}),
    ...(epochs !== undefined ? { epochs } : {}),
  };
}
const cacheHelp =
  "  --cache DIR   this machine's copy (default ~/.strata/db/<name id>, or under STRATA_HOME)";

export const dbCreate: Command = {
  name: "db create",
  summary: "Create a document database under one of your names (published empty)",
  help: `strata db create LABEL [--tier hot|cold] [--replicas N] [--epochs N]\n${cacheHelp}`,
  options: { ...cacheOption, ...storageOptions },
  positionals: 1,
  async run(context) {
    const client = await clientFrom(context.values, { signing: true });
    const label = context.positionals[0] as string;
    const owner = await client.address();
    const cacheDir = cacheOf(context.values, nameIdOf(owner, label));
    const db = await Database.create(client, { label, cacheDir, signal: context.signal });
    const committed = await db.commit({ upload: storageOf(context.values), signal: context.signal });
    context.print(`created ${owner}/${label} (sequence ${committed?.sequence}, pack ${committed?.pack})`, {
      owner,
      label,
      nameId: db.nameId,
      ...committed,
    });
  },
};

export const dbInsert: Command = {
  name: "db insert",
  summary: "Insert documents (JSON array, JSON lines, or --bson) from a file or stdin",
  help: `strata db insert DB COLLECTION [FILE|-] [--bson]\n  ${DB_HELP}\n${cacheHelp}`,
  options: { ...cacheOption, bson: { type: "boolean" } },
  positionals: 2,
  async run(context) {
    const docs = await documentsFrom(context.positionals[2], Boolean(context.values.bson));
    await write(context, { op: "insert", collection: context.positionals[1] as string, docs });
  },
};

export const dbUpdate: Command = {
  name: "db update",
  summary: "Apply MongoDB update operators to the documents a filter matches",
  help: `strata db update DB COLLECTION FILTER UPDATE   e.g. '{"name":"ada"}' '{"$inc":{"age":1}}'\n${cacheHelp}`,
  options: cacheOption,
  positionals: 4,
  async run(context) {
    const [, collection, filter, update] = context.positionals as [string, string, string, string];
    await write(context, {
      op: "update",
      collection,
      filter: json(filter, "FILTER"),
      update: json(update, "UPDATE"),
    });
  },
};

export const dbDelete: Command = {
  name: "db delete",
  summary: "Delete the documents a filter matches",
  help: `strata db delete DB COLLECTION FILTER\n${cacheHelp}`,
  options: cacheOption,
  positionals: 3,
  async run(context) {
    const [, collection, filter] = context.positionals as [string, string, string];
    await write(context, { op: "delete", collection, filter: json(filter, "FILTER") });
  },
};

export const dbIndex: Command = {
  name: "db index",
  summary: "Index a field path (used by find for equality and ranges)",
  help: `strata db index DB COLLECTION PATH\n${cacheHelp}`,
  options: cacheOption,
  positionals: 3,
  async run(context) {
    const [, collection, path] = context.positionals as [string, string, string];
    await write(context, { op: "index", collection, path });
  },
};

export const dbFind: Command = {
  name: "db find",
  summary: "Find documents (MongoDB filters), with uncommitted writes applied",
  help: `strata db find DB COLLECTION [FILTER] [--sort JSON] [--skip N] [--limit N] [--projection JSON]\n  ${DB_HELP}\n${cacheHelp}`,
  options: {
    ...cacheOption,
    sort: { type: "string" },
    skip: { type: "string" },
    limit: { type: "string" },
    projection: { type: "string" },
  },
  positionals: 2,
  async run(context) {
    const { db } = await opened(context, false);
    const collection = db.collection(context.positionals[1] as string);
    const filter = json(context.positionals[2], "FILTER");
    const number = (value: unknown, what: string) => {
      if (value === undefined) return undefined;
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${what} takes a whole number`);
      return n;
    };
    const skip = number(context.values.skip, "skip");
    const limit = number(context.values.limit, "limit");
    const docs = await collection.find(filter, {
      ...(context.values.sort
        ? { sort: json(context.values.sort as string, "--sort") as Record<string, 1 | -1> }
        : {}),
      ...(context.values.projection
        ? { projection: json(context.values.projection as string, "--projection") as Record<string, 0 | 1> }
        : {}),
      ...(skip !== undefined ? { skip } : {}),
      ...(limit !== undefined ? { limit } : {}),
    });
    context.print(docs.map((doc) => JSON.stringify(doc)).join("\n") || "(no documents)", docs);
  },
};

export const dbCommit: Command = {
  name: "db commit",
  summary: "Publish the journal's writes: one pack stored on Strata, the name moved once",
  help: `strata db commit DB [--tier hot|cold] [--replicas N] [--epochs N]\n${cacheHelp}`,
  options: { ...cacheOption, ...storageOptions },
  positionals: 1,
  async run(context) {
    const { db, cacheDir, ops } = await opened(context, true);
    if (ops.length === 0) {
      context.print("nothing to commit", { committed: false });
      return;
    }
    const committed = await db.commit({
      upload: storageOf(context.values),
      signal: context.signal,
    });
    await rm(join(cacheDir, "journal.jsonl"), { force: true });
    context.print(
      `committed ${ops.length} write(s): sequence ${committed?.sequence}, ${committed?.blocks} blocks, ${committed?.bytes} bytes in pack ${committed?.pack}`,
      { committed: true, writes: ops.length, ...committed },
    );
  },
};

export const dbHistory: Command = {
  name: "db history",
  summary: "Every commit of a database: sequence, pack, block",
  help: `strata db history DB\n  ${DB_HELP}`,
  options: {},
  positionals: 1,
  async run(context) {
    const client = await clientFrom(context.values, { signing: false });
    const { owner, label } = await target(context.positionals[0] as string, client);
    const history = await client.names.history({ owner, label }, { signal: context.signal });
    context.print(
      history.updates
        .map((u) => `  ${u.sequence.padStart(4)}  ${u.path}  block ${u.block.number}`)
        .join("\n"),
      history,
    );
  },
};
