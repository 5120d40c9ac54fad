import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { isIP } from "node:net";
import { join } from "node:path";
import { Registry } from "prom-client";
import type { Address, Hex } from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import {
  type DatastoreSpec,
  DEFAULT_DATASTORE_SPEC,
  storesOf,
  unmeasured,
} from "../datastore/datastore-spec.ts";
import { SHARDING_FILE, writeShardingFiles } from "../datastore/flatfs-datastore.ts";
import { moveLegacyBlocks } from "../datastore/legacy-blocks.ts";
import { DatastoreMetrics } from "../datastore/measured-datastore.ts";
import { openDatastore, resolvePath } from "../datastore/open-datastore.ts";
import { checkSpecOnDisk, SPEC_FILE } from "../datastore/spec-on-disk.ts";
import { peerIdOf } from "../p2p/create-helia.ts";

export interface InitNodeOptions {
  dataDir: string;
  rpcUrl: string;
  deploymentFile: string;
  /** Where clients reach the node's HTTP API (registered on chain). */
  publicHost?: string;
  httpPort: number;
  p2pPort: number;
  /** Registered node id, once known (`strata node register` fills it in). */
  nodeId?: number;
  /** An existing signing key; a fresh one is generated otherwise. */
  signerKey?: Hex;
  extra?: Record<string, unknown>;
}

export interface InitializedNode {
  configFile: string;
  signer: Address;
  peerId: string;
  endpoint: string;
  multiaddrs: string[];
}

/**
 * Prepares a node's data directory: a signing key (distinct from the operator's, kept in
 * `signer.key`, mode 0600), the libp2p identity, and `node.json` pointing at both. What
 * `strata node init` does; registering on chain comes next.
 */
export async function initNode(options: InitNodeOptions): Promise<InitializedNode> {
  await mkdir(options.dataDir, { recursive: true });
  const storage = options.extra?.storage as { spec?: DatastoreSpec } | undefined;
  await writeLayout(options.dataDir, storage?.spec ?? DEFAULT_DATASTORE_SPEC);
  const keyFile = join(options.dataDir, "signer.key");
  const signerKey =
    options.signerKey ??
    (await readFile(keyFile, "utf8")
      .then((text) => text.trim() as Hex)
      .catch(() => undefined)) ??
    generatePrivateKey();
  await writeFile(keyFile, `${signerKey}\n`, { mode: 0o600 });
  await chmod(keyFile, 0o600);
  const peerId = await readPeerId(options.dataDir);
  const host = options.publicHost ?? "127.0.0.1";
  const endpoint = `http://${host.includes(":") ? `[${host}]` : host}:${options.httpPort}`;
  const configFile = join(options.dataDir, "node.json");
  const config = {
    rpcUrl: options.rpcUrl,
    deploymentFile: options.deploymentFile,
    nodeId: options.nodeId ?? 0,
    signerKeyFile: "signer.key",
    dataDir: options.dataDir,
    endpoint,
    http: { host: "0.0.0.0", port: options.httpPort },
    p2p: { port: options.p2pPort, peers: [] },
    ...options.extra,
  };
  await writeFile(configFile, `${JSON.stringify(config, null, 2)}\n`);
  return {
    configFile,
    signer: privateKeyToAccount(signerKey).address,
    peerId,
    endpoint,
    multiaddrs: multiaddrsFor(host, options.p2pPort, peerId),
  };
}

/**
 * Lays a data directory out for `spec`: `datastore_spec` (refusing a directory made with
 * another), each flat-file store's `SHARDING` and `_README`, and a README of the whole.
 */
export async function writeLayout(dataDir: string, spec: DatastoreSpec): Promise<void> {
  await checkSpecOnDisk(dataDir, spec);
  for (const { mountpoint, spec: store } of storesOf(spec)) {
    const leaf = unmeasured(store);
    if (leaf.type !== "flatfs") continue;
    const path = resolvePath(dataDir, leaf.path);
    const sharded = await readFile(join(path, SHARDING_FILE), "utf8").catch(() => undefined);
    if (sharded !== undefined) continue;
    // blocks of a directory from before the spec move first: a SHARDING file ends their move
    if (mountpoint === "/blocks") await moveLegacyBlocks(path, leaf.shardFunc);
    await writeShardingFiles(path, leaf.shardFunc);
  }
  await writeFile(join(dataDir, "README"), dataDirReadme(spec));
}

/**
 * The libp2p peer id kept in a node's data directory (made on first use). Opens the node's
 * stores as its `datastore_spec` lays them out, so it fails while the node runs.
 */
export async function readPeerId(dataDir: string): Promise<string> {
  const spec = await readFile(join(dataDir, SPEC_FILE), "utf8").then(
    (text) => JSON.parse(text) as DatastoreSpec,
    () => DEFAULT_DATASTORE_SPEC,
  );
  const opened = await openDatastore(spec, { root: dataDir, metrics: new DatastoreMetrics(new Registry()) });
  try {
    return await peerIdOf(opened.datastore);
  } finally {
    await opened.close();
  }
}

const dataDirReadme = (spec: DatastoreSpec) => `This is a Strata storage node's data directory.

- node.json: the node's configuration; signer.key: its signing key (keep it private).
- datastore_spec: the layout the stores below were made with (kubo's form). The node refuses to
  start if its configured storage.spec would lay data out otherwise.
${storesOf(spec)
  .map(({ mountpoint, spec: store }) => {
    const leaf = unmeasured(store);
    if (leaf.type === "flatfs")
      return `- ${leaf.path}/: keys under ${mountpoint}${mountpoint === "/blocks" ? " (every block)" : ""}, one file per value, <shard>/<NAME>.data, sharded by ${leaf.shardFunc} (see its SHARDING and _README).`;
    if (leaf.type === "levelds")
      return `- ${leaf.path}/: keys under ${mountpoint} in LevelDB (pins, blob records, the peer store, chain cursors).`;
    return `- keys under ${mountpoint} in memory (lost when the node stops).`;
  })
  .join("\n")}
- shards/: the cold tier's erasure-coded shards; vaults/: the vaults this node hosts.
`;

/** The libp2p address others dial: `/ip4`, `/ip6` or `/dns` by the kind of `host`. */
export function multiaddrsFor(host: string, p2pPort: number, peerId: string): string[] {
  const kind = isIP(host) === 4 ? "ip4" : isIP(host) === 6 ? "ip6" : "dns";
  return [`/${kind}/${host}/tcp/${p2pPort}/p2p/${peerId}`];
}

/** Writes the registered id into a node's `node.json`. */
export async function setNodeId(configFile: string, nodeId: number): Promise<void> {
  const config = JSON.parse(await readFile(configFile, "utf8")) as Record<string, unknown>;
  await writeFile(configFile, `${JSON.stringify({ ...config, nodeId }, null, 2)}\n`);
}
