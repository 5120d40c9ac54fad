import { createWriteStream } from "node:fs";
import { rename, rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { type Hex, isHex } from "viem";
import { clientFrom } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { positiveInt, tierArg } from "../option-values.ts";
import { ProgressBar } from "../progress-bar.ts";
import { tokenUnits } from "../token-units.ts";

function faultsArg(value: unknown, tier: "hot" | "cold"): number | undefined {
  if (value === undefined) return undefined;
  if (tier !== "cold") throw new UsageError("--faults is for --tier cold");
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--faults must be a whole number, got ${value}`);
  return n;
}

function blobIdArg(value: string | undefined): Hex {
  if (!value || !isHex(value) || value.length !== 66)
    throw new UsageError(`expected a blob id (0x + 64 hex digits), got ${value ?? "nothing"}`);
  return value.toLowerCase() as Hex;
}

function nodeList(value: unknown): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = String(value)
    .split(",")
    .map((part) => Number(part.trim()));
  if (ids.some((id) => !Number.isInteger(id) || id < 1))
    throw new UsageError(`--nodes takes node ids like 1,2,3, got ${value}`);
  return ids;
}

export const upload: Command = {
  name: "upload",
  summary: "Upload a file: pay, register on chain, send to the nodes, certify",
  help: `strata upload FILE [options]
  --tier hot|cold   whole replicas (default), or erasure-coded shards over many nodes
  --replicas N      nodes to store it on, picked through the indexer (default 3; cold: 5 shard holders)
  --faults F        cold: holders that may be lost with the blob still readable (default about n/3)
  --nodes 1,2,3     these nodes instead
  --epochs N        epochs paid for (default 1)
  --name NAME       name recorded on chain (default: the file's name)
  --mime TYPE       MIME type (default application/octet-stream)
  --tag TAG         a tag; repeat for more`,
  options: {
    tier: { type: "string" },
    faults: { type: "string" },
    replicas: { type: "string" },
    nodes: { type: "string" },
    epochs: { type: "string" },
    name: { type: "string" },
    mime: { type: "string" },
    tag: { type: "string", multiple: true },
  },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: true });
    const bar = new ProgressBar({ enabled: !values.json });
    const started = performance.now();
    const nodes = nodeList(values.nodes);
    const replicas = positiveInt(values.replicas, "replicas");
    const tier = tierArg(values.tier);
    const faults = faultsArg(values.faults, tier);
    const result = await client.upload(positionals[0] as string, {
      tier,
      ...(faults !== undefined ? { faults } : {}),
      ...(nodes ? { nodes } : {}),
      ...(replicas ? { replicas } : {}),
      epochs: positiveInt(values.epochs, "epochs", 1) as number,
      ...(values.name ? { name: values.name as string } : {}),
      ...(values.mime ? { mimeType: values.mime as string } : {}),
      tags: (values.tag as string[] | undefined) ?? [],
      signal,
      onProgress: (p) => {
        if (p.stage === "hashing") bar.update("hashing", p.bytes, 0);
        else if (p.stage === "uploading") bar.update("uploading", p.bytes, p.total);
        else if (p.stage !== "done")
          bar.step(p.stage === "paying" ? "approving payment" : `${p.stage} on chain`);
      },
    });
    bar.done();
    const seconds = (performance.now() - started) / 1000;
    const { format: tokens } = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    print(
      [
        `uploaded ${result.size.toLocaleString("en-US")} bytes in ${seconds.toFixed(1)} s, certified on chain`,
        `  blob id  ${result.blobId}`,
        `  CID      ${result.cid}`,
        `  nodes    ${result.nodes.map((n) => `${n.nodeId} (${n.endpoint})`).join(", ")}`,
        ...(result.cold
          ? [
              `  cold     shards of ${result.cold.shardSize.toLocaleString("en-US")} bytes; any ${result.cold.recovery} of ${result.nodes.length} rebuild it`,
            ]
          : []),
        `  paid     ${tokens(result.cost + result.fee)} (fee ${tokens(result.fee)})`,
        `  get it   strata get ${result.cid} --out FILE`,
      ].join("\n"),
      result,
    );
  },
};

export const get: Command = {
  name: "get",
  summary: "Download a blob by CID, verified block by block, failing over between nodes",
  help: `strata get CID [--out FILE]
  --out FILE        write here (atomically); without it, bytes go to stdout`,
  options: { out: { type: "string", short: "o" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: false });
    const cid = positionals[0] as string;
    const out = values.out as string | undefined;
    if (!out && process.stdout.isTTY)
      throw new UsageError("refusing to write binary to a terminal: pass --out FILE");
    if (!out && values.json) throw new UsageError("--json needs --out FILE (stdout carries the report)");
    const bar = new ProgressBar({ enabled: true });
    const failures: { nodeId: number; error: string }[] = [];
    let bytes = 0;
    const counted = async function* () {
      for await (const chunk of client.stream(cid, { signal, onFailure: (f) => failures.push(f) })) {
        bytes += chunk.length;
        bar.update("downloading", bytes, 0);
        yield chunk;
      }
    };
    if (out) {
      const partial = `${out}.partial`;
      try {
        await pipeline(Readable.from(counted()), createWriteStream(partial), { signal });
        await rename(partial, out);
      } catch (error) {
        await rm(partial, { force: true });
        throw error;
      }
    } else {
      await pipeline(Readable.from(counted()), process.stdout, { signal, end: false });
    }
    bar.done();
    for (const failure of failures)
      process.stderr.write(`note: node ${failure.nodeId} failed (${failure.error}); used another\n`);
    if (out)
      print(`${bytes.toLocaleString("en-US")} bytes verified against ${cid} → ${out}`, {
        cid,
        bytes,
        out,
        failures,
      });
  },
};

export const ls: Command = {
  name: "ls",
  summary: "List blobs (default: your own), newest first",
  help: `strata ls [--owner ADDRESS] [--status S] [--tag T] [--limit N] [--after BLOB_ID]`,
  options: {
    owner: { type: "string" },
    status: { type: "string" },
    tag: { type: "string" },
    limit: { type: "string" },
    after: { type: "string" },
  },
  async run({ values, print }) {
    const client = await clientFrom(values, { signing: false });
    const page = await client.list({
      ...(values.owner ? { owner: values.owner as string } : {}),
      ...(values.status ? { status: values.status as "certified" } : {}),
      ...(values.tag ? { tag: values.tag as string } : {}),
      ...(values.after ? { after: values.after as string } : {}),
      limit: positiveInt(values.limit, "limit", 20) as number,
    });
    const lines = page.blobs.map(
      (b) => `${b.blobId}  ${b.status.padEnd(10)} ${String(b.size).padStart(12)}  ${b.cid}  ${b.name}`,
    );
    if (page.next) lines.push(`more: strata ls --after ${page.next}`);
    print(lines.length > 0 ? lines.join("\n") : "no blobs", page);
  },
};

export const status: Command = {
  name: "status",
  summary: "A blob's state on chain and what the indexer knows",
  help: "strata status BLOB_ID",
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: false });
    const s = await client.status(blobIdArg(positionals[0]), { signal });
    print(
      [
        `blob ${s.blobId}`,
        `  status     ${s.status} (${s.attested}/${s.quorum} attested)`,
        `  owner      ${s.owner}`,
        `  size       ${s.size.toLocaleString("en-US")} bytes, ${s.tier} tier, ${s.epochs} epochs`,
        `  periods    ${s.startPeriod}..${s.endPeriod}`,
        `  nodes      ${s.nodes.join(", ")}`,
        `  holders    ${s.liveHolders}/${s.targetHolders} live${s.liveHolders < s.targetHolders ? " (degraded: healing)" : ""}`,
        ...(s.indexed ? [`  CID        ${s.indexed.cid}`, `  name       ${s.indexed.name}`] : []),
      ].join("\n"),
      s,
    );
  },
};

export const rm_: Command = {
  name: "rm",
  summary: "Delete a blob: end it on chain (later periods refunded), nodes drop it",
  help: "strata rm BLOB_ID",
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: true });
    const blobId = blobIdArg(positionals[0]);
    const result = await client.delete(blobId, { signal });
    print(
      `deleted ${blobId} (transaction ${result.hash}); dropped by nodes ${result.dropped.join(", ") || "none yet"}`,
      {
        blobId,
        ...result,
      },
    );
  },
};

export const extend: Command = {
  name: "extend",
  summary: "Pay for more epochs of a blob",
  help: "strata extend BLOB_ID --epochs N",
  options: { epochs: { type: "string" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const epochs = positiveInt(values.epochs, "epochs");
    if (!epochs) throw new UsageError("--epochs is required");
    const client = await clientFrom(values, { signing: true });
    const blobId = blobIdArg(positionals[0]);
    const result = await client.extend(blobId, epochs, { signal });
    print(`extended ${blobId} by ${epochs} epochs (transaction ${result.hash})`, {
      blobId,
      epochs,
      ...result,
    });
  },
};

export const quote: Command = {
  name: "quote",
  summary: "What storing SIZE bytes would cost",
  help: `strata quote --size BYTES [--replicas N | --nodes 1,2,3] [--epochs N]`,
  options: {
    size: { type: "string" },
    replicas: { type: "string" },
    nodes: { type: "string" },
    epochs: { type: "string" },
  },
  async run({ values, signal, print }) {
    const size = positiveInt(values.size, "size");
    if (!size) throw new UsageError("--size is required");
    const client = await clientFrom(values, { signing: false });
    const nodes = nodeList(values.nodes);
    const replicas = positiveInt(values.replicas, "replicas");
    const q = await client.quote(
      {
        size,
        epochs: positiveInt(values.epochs, "epochs", 1) as number,
        ...(nodes ? { nodes } : {}),
        ...(replicas ? { replicas } : {}),
      },
      { signal },
    );
    const { format: tokens } = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    print(
      `${tokens(q.total)} on nodes ${q.nodes.join(", ")} (storage ${tokens(q.cost)}, fee ${tokens(q.fee)})`,
      q,
    );
  },
};

export const migrate: Command = {
  name: "migrate",
  summary: "Move a blob between the tiers (hot to cold through a holder, or rebuilt back to hot)",
  help: `strata migrate BLOB_ID --to cold|hot [options]
  --to cold         register a cold copy (paid) and have a hot holder encode and send the shards
    --replicas N    shard holders (default 5), or --nodes 1,2,3
    --faults F      holders that may be lost (default about n/3)
    --epochs N      epochs paid for (default 1)
    --delete-hot    delete the hot registration once the cold one is certified
  --to hot          a cold holder rebuilds the blob and keeps it in its hot tier`,
  options: {
    to: { type: "string" },
    replicas: { type: "string" },
    nodes: { type: "string" },
    faults: { type: "string" },
    epochs: { type: "string" },
    "delete-hot": { type: "boolean" },
  },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const blobId = blobIdArg(positionals[0]);
    if (values.to !== "cold" && values.to !== "hot") throw new UsageError("--to takes cold or hot");
    const client = await clientFrom(values, { signing: values.to === "cold" });
    if (values.to === "hot") {
      const result = await client.migrate(blobId, { to: "hot", signal });
      if (result.to !== "hot") return;
      print(
        `node ${result.nodeId} (${result.endpoint}) keeps ${result.cid} hot (${result.size.toLocaleString("en-US")} bytes)`,
        result,
      );
      return;
    }
    const nodes = nodeList(values.nodes);
    const replicas = positiveInt(values.replicas, "replicas");
    const faults = faultsArg(values.faults, "cold");
    const epochs = positiveInt(values.epochs, "epochs");
    const bar = new ProgressBar({ enabled: !values.json });
    const result = await client.migrate(blobId, {
      to: "cold",
      deleteHot: values["delete-hot"] === true,
      ...(nodes ? { nodes } : {}),
      ...(replicas ? { replicas } : {}),
      ...(faults !== undefined ? { faults } : {}),
      ...(epochs ? { epochs } : {}),
      signal,
      onProgress: (p) => {
        if (p.stage === "hashing") bar.update("reading back", p.bytes, 0);
        else if (p.stage !== "done")
          bar.step(p.stage === "uploading" ? "a holder sends the shards" : `${p.stage} on chain`);
      },
    });
    bar.done();
    if (result.to !== "cold") return;
    print(
      [
        `migrated ${blobId} to the cold tier as ${result.cold.blobId}, certified`,
        `  CID      ${result.cold.cid}`,
        `  nodes    ${result.cold.nodes.map((n) => n.nodeId).join(", ")} (any ${result.cold.cold?.recovery} rebuild it)`,
        result.deleted
          ? `  hot registration deleted (transaction ${result.deleted})`
          : "  hot registration kept",
      ].join("\n"),
      result,
    );
  },
};
