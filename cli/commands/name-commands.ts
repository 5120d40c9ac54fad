import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { type Address, type Hex, isAddress, isHex } from "viem";
import type { Deployment } from "#protocol";
import type { StrataClient } from "../../sdk/client/strata-client.ts";
import { NameExpiredError, NameNotPublishedError } from "../../sdk/names/name-errors.ts";
import type { NameRef, ResolveNameReturnType } from "../../sdk/names/resolve-name.ts";
import { clientFrom, loadDeployment } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";

const NAME_HELP = `NAME is a name id (0x + 64 hex), an IPNS name (k51…), OWNER/LABEL, or a LABEL of the signer's`;

function seconds(value: unknown, option: string): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)(s|m|h|d)?$/.exec(String(value));
  if (!match) throw new UsageError(`--${option} takes seconds, or a number with s, m, h or d: got ${value}`);
  const unit = { s: 1, m: 60, h: 3600, d: 86_400 }[(match[2] ?? "s") as "s"];
  return Number(match[1]) * unit;
}

/** The name an argument means; a bare label is the signer's own. */
async function nameArg(text: string, client: StrataClient): Promise<NameRef> {
  if (isHex(text) && text.length === 66) return text.toLowerCase() as Hex;
  const slash = text.indexOf("/");
  if (slash > 0 && isAddress(text.slice(0, slash))) {
    return { owner: text.slice(0, slash) as Address, label: text.slice(slash + 1) };
  }
  if (/^(k51|bafz|12D3|Qm)/.test(text)) return text;
  if (!client.context.signer) {
    throw new UsageError(`"${text}" is a label: give OWNER/${text}, or a key (--key-file) to mean your own`);
  }
  return { owner: await client.address(), label: text };
}

/**
 * The names this machine resolved or published last, per deployment, for `resolve --offline`:
 * `~/.strata/names/<chain>-<registry>.json` (or under STRATA_HOME).
 */
function cacheFile(deployment: Deployment): string {
  const home = process.env.STRATA_HOME ?? join(homedir(), ".strata");
  return join(home, "names", `${deployment.chainId}-${deployment.contracts.names.toLowerCase()}.json`);
}

type Cached = Omit<ResolveNameReturnType, "sequence"> & { sequence: string };

async function readCache(deployment: Deployment): Promise<Record<string, Cached>> {
  try {
    return JSON.parse(await readFile(cacheFile(deployment), "utf8")) as Record<string, Cached>;
  } catch {
    return {};
  }
}

async function remember(deployment: Deployment, resolved: ResolveNameReturnType): Promise<void> {
  const file = cacheFile(deployment);
  const cache = await readCache(deployment);
  const entry = { ...resolved, sequence: resolved.sequence.toString() };
  cache[resolved.nameId] = entry;
  cache[resolved.ipnsName] = entry;
  cache[`${resolved.owner.toLowerCase()}/${resolved.label}`] = entry;
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(cache, null, 2));
  await rename(`${file}.tmp`, file);
}

function cacheKeyOf(name: NameRef): string {
  return typeof name === "string" ? name : `${name.owner.toLowerCase()}/${name.label}`;
}

function describe(r: ResolveNameReturnType | Cached, via: string): string {
  return [
    `${r.path}`,
    `  name       ${r.owner}/${r.label} (${r.nameId})`,
    `  ipns       /ipns/${r.ipnsName}`,
    `  sequence   ${r.sequence}${r.anchored ? "" : " (NOT anchored on chain)"}${r.locked ? ", locked" : ""}`,
    `  valid to   ${new Date(r.validity * 1000).toISOString()}, cache ${r.ttl} s`,
    `  via        ${via}`,
  ].join("\n");
}

export const namePublish: Command = {
  name: "name publish",
  summary: "Point one of your names at a CID: anchored on chain, mirrored as IPNS",
  help: `strata name publish LABEL CID|/ipfs/CID [options]
  --ttl T          how long resolvers may cache it (default 5m; seconds, or 30s, 5m, 1h, 2d)
  --lifetime T     how long the value stays valid (default 7d)
  --no-mirror      do not hand the IPNS record to the nodes holding the content`,
  options: { ttl: { type: "string" }, lifetime: { type: "string" }, "no-mirror": { type: "boolean" } },
  positionals: 2,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: true });
    const [label, target] = positionals as [string, string];
    const ttl = seconds(values.ttl, "ttl");
    const lifetime = seconds(values.lifetime, "lifetime");
    const say = (line: string) => {
      if (!values.json) process.stderr.write(`${line}\n`);
    };
    const published = await client.names.publish(label, target, {
      ...(ttl !== undefined ? { ttl } : {}),
      ...(lifetime !== undefined ? { lifetime } : {}),
      ...(values["no-mirror"] ? { mirror: false } : {}),
      signal,
      onProgress: (p) => {
        if (p.stage === "signing") say("deriving the name's IPNS key (your wallet signs)…");
        if (p.stage === "sending") say(`publishing sequence ${p.sequence} on chain…`);
        if (p.stage === "mirroring") say(`handing the IPNS record to ${p.nodes} node(s)…`);
      },
    });
    const owner = await client.address();
    await remember(client.deployment, {
      nameId: published.nameId,
      owner,
      label,
      path: published.path,
      cid: /^\/ipfs\/([^/]+)$/.exec(published.path)?.[1],
      sequence: published.sequence,
      validity: Number(published.validity),
      ttl: published.ttl,
      ipnsName: published.ipnsName,
      locked: false,
      anchored: true,
    });
    const { record, ...rest } = published;
    print(
      [
        `${owner}/${label} -> ${published.path}`,
        `  sequence   ${published.sequence} (transaction ${published.hash}, block ${published.blockNumber})`,
        `  ipns       /ipns/${published.ipnsName}`,
        `  valid to   ${new Date(Number(published.validity) * 1000).toISOString()}, cache ${published.ttl} s`,
        `  mirrored   ${published.mirroredOn.length > 0 ? `nodes ${published.mirroredOn.join(", ")}` : "on no node yet"}`,
      ].join("\n"),
      { ...rest, owner, label, recordBytes: record.byteLength },
    );
  },
};

export const nameResolve: Command = {
  name: "name resolve",
  summary: "The value a name points at, as the chain anchors it",
  help: `strata name resolve NAME [options]
  ${NAME_HELP}
  --offline            from this machine's copy of what it last resolved or published (no network)
  --accept-unanchored  take a valid IPNS record above the chain's sequence (not anchored)`,
  options: { offline: { type: "boolean" }, "accept-unanchored": { type: "boolean" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const text = positionals[0] as string;
    if (values.offline) {
      const deployment = await loadDeployment(values.deployment);
      const client = await clientFrom(values, { signing: false });
      const ref = await nameArg(text, client);
      const cached = (await readCache(deployment))[cacheKeyOf(ref)];
      if (!cached) throw new NameNotPublishedError(`${text} (not in this machine's copy)`);
      if (cached.validity <= Date.now() / 1000) throw new NameExpiredError(text, cached.validity);
      print(describe(cached, "this machine's copy (offline)"), { ...cached, offline: true });
      return;
    }
    const client = await clientFrom(values, { signing: false });
    const resolved = await client.names.resolve(await nameArg(text, client), {
      signal,
      ...(values["accept-unanchored"] ? { acceptUnanchored: true } : {}),
    });
    if (resolved.anchored) await remember(client.deployment, resolved);
    print(describe(resolved, `indexer ${client.indexer.url}`), resolved);
  },
};

export const nameHistory: Command = {
  name: "name history",
  summary: "Every update of a name, newest first",
  help: `strata name history NAME [--limit N]
  ${NAME_HELP} (not an IPNS name)`,
  options: { limit: { type: "string" } },
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: false });
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1 || limit > 100)) {
      throw new UsageError("--limit takes 1 to 100");
    }
    const history = await client.names.history(await nameArg(positionals[0] as string, client), {
      signal,
      ...(limit ? { limit } : {}),
    });
    print(
      [
        `name ${history.nameId}`,
        ...history.updates.map(
          (u) =>
            `  ${u.sequence.padStart(4)}  ${u.path}  valid to ${new Date(u.validity * 1000).toISOString()}  block ${u.block.number}`,
        ),
        ...(history.next ? [`  … older: --before ${history.next}`] : []),
      ].join("\n"),
      history,
    );
  },
};

export const nameLock: Command = {
  name: "name lock",
  summary: "Freeze one of your names forever at its current value",
  help: "strata name lock LABEL",
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await clientFrom(values, { signing: true });
    const label = positionals[0] as string;
    const locked = await client.names.lock(label, { signal });
    print(`locked ${label} (${locked.nameId}) in transaction ${locked.hash}`, locked);
  },
};
