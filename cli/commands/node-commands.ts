import { spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatUnits, parseUnits } from "viem";
import { initNode, setNodeId } from "../../node/setup/init-node.ts";
import { clientFrom, loadDeployment } from "../cli-context.ts";
import { UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";

const ROOT = join(import.meta.dirname, "..", "..");

function nodeIdOf(value: unknown): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1)
    throw new UsageError(`--node-id must be a positive integer, got ${value ?? "nothing"}`);
  return id;
}

function tokenAmount(value: unknown, name: string): bigint {
  try {
    const amount = parseUnits(String(value), 18);
    if (amount <= 0n) throw new Error();
    return amount;
  } catch {
    throw new UsageError(
      `--${name} takes a positive token amount like 200 or 12.5, got ${value ?? "nothing"}`,
    );
  }
}

function port(value: unknown, name: string, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--${name} must be a TCP port, got ${value}`);
  return n;
}

export const nodeInit: Command = {
  name: "node init",
  summary: "Prepare a node: data directory, signing key, libp2p identity, node.json",
  help: `strata node init --data-dir DIR [--http-port 9100] [--p2p-port 4001] [--host HOST]
  --host HOST       where clients reach the node (default 127.0.0.1)`,
  options: {
    "data-dir": { type: "string" },
    "http-port": { type: "string" },
    "p2p-port": { type: "string" },
    host: { type: "string" },
  },
  async run({ values, print }) {
    if (!values["data-dir"]) throw new UsageError("--data-dir is required");
    await loadDeployment(values.deployment);
    const dataDir = resolve(values["data-dir"] as string);
    const init = await initNode({
      dataDir,
      rpcUrl: values["rpc-url"],
      deploymentFile: resolve(values.deployment),
      httpPort: port(values["http-port"], "http-port", 9100),
      p2pPort: port(values["p2p-port"], "p2p-port", 4001),
      ...(values.host ? { publicHost: values.host as string } : {}),
    });
    print(
      [
        `initialized ${dataDir}`,
        `  config   ${init.configFile}`,
        `  signer   ${init.signer} (key in ${join(dataDir, "signer.key")})`,
        `  peer id  ${init.peerId}`,
        `next: strata node register --config ${init.configFile} --key-file OPERATOR_KEY`,
      ].join("\n"),
      init,
    );
  },
};

export const nodeRegister: Command = {
  name: "node register",
  summary: "Register the node of a node.json in the NodeRegistry (as its operator)",
  help: `strata node register --config node.json [--endpoint URL] [--capacity BYTES] [--price UNITS] [--tiers hot,cold]
  --price UNITS     price per byte per epoch in token base units (default 1000)
  --fund-signer ETH send the node's signing key this much native currency for the gas of its proofs
  --fund-signer-tokens N  and this many tokens, which pay the blobs of its vaults' snapshots`,
  options: {
    config: { type: "string" },
    endpoint: { type: "string" },
    capacity: { type: "string" },
    price: { type: "string" },
    tiers: { type: "string" },
    "fund-signer": { type: "string" },
    "fund-signer-tokens": { type: "string" },
  },
  async run({ values, signal, print }) {
    if (!values.config) throw new UsageError("--config is required");
    const configFile = resolve(values.config as string);
    const config = JSON.parse(await readFile(configFile, "utf8")) as {
      dataDir: string;
      http: { port: number };
      p2p: { port: number };
    };
    const init = await initNode({
      dataDir: config.dataDir,
      rpcUrl: values["rpc-url"],
      deploymentFile: resolve(values.deployment),
      httpPort: config.http.port,
      p2pPort: config.p2p.port,
      extra: config as Record<string, unknown>,
    });
    const tiers = String(values.tiers ?? "hot").split(",") as ("hot" | "cold")[];
    if (tiers.some((tier) => tier !== "hot" && tier !== "cold"))
      throw new UsageError("--tiers takes hot, cold or hot,cold");
    const client = await clientFrom(values, { signing: true });
    const { nodeId, hash } = await client.registerNode(
      {
        signer: init.signer,
        endpoint: (values.endpoint as string | undefined) ?? init.endpoint,
        peerId: init.peerId,
        multiaddrs: init.multiaddrs,
        tiers,
        capacity: BigInt((values.capacity as string | undefined) ?? 64 * 2 ** 30),
        pricePerByteEpoch: BigInt((values.price as string | undefined) ?? 1000),
      },
      { signal },
    );
    await setNodeId(configFile, nodeId);
    if (values["fund-signer"] !== undefined || values["fund-signer-tokens"] !== undefined) {
      const amount = (option: string) => {
        try {
          return parseUnits(String(values[option] ?? "0"), 18);
        } catch {
          throw new UsageError(`--${option} takes an amount like 0.5, got ${values[option]}`);
        }
      };
      const tokens = amount("fund-signer-tokens");
      await client.fundSigner(init.signer, amount("fund-signer"), {
        signal,
        ...(tokens > 0n ? { tokens } : {}),
      });
    }
    print(
      `registered node ${nodeId} (transaction ${hash}); next: strata node stake --node-id ${nodeId} --amount 200`,
      {
        nodeId,
        hash,
      },
    );
  },
};

export const nodeStake: Command = {
  name: "node stake",
  summary: "Stake tokens on a node (approves, then stakes)",
  help: "strata node stake --node-id N --amount TOKENS",
  options: { "node-id": { type: "string" }, amount: { type: "string" } },
  async run({ values, signal, print }) {
    const nodeId = nodeIdOf(values["node-id"]);
    const amount = tokenAmount(values.amount, "amount");
    const client = await clientFrom(values, { signing: true });
    const { hash } = await client.stake(nodeId, amount, { signal });
    print(`staked ${formatUnits(amount, 18)} STRATA on node ${nodeId} (transaction ${hash})`, {
      nodeId,
      amount,
      hash,
    });
  },
};

export const nodeUnstake: Command = {
  name: "node unstake",
  summary: "Start unbonding a node's stake (the node stops taking blobs)",
  help: "strata node unstake --node-id N",
  options: { "node-id": { type: "string" } },
  async run({ values, signal, print }) {
    const nodeId = nodeIdOf(values["node-id"]);
    const client = await clientFrom(values, { signing: true });
    const { hash } = await client.requestUnstake(nodeId, { signal });
    print(`node ${nodeId} is unbonding (transaction ${hash}); withdraw after the unbonding delay`, {
      nodeId,
      hash,
    });
  },
};

export const nodeWithdraw: Command = {
  name: "node withdraw",
  summary: "Withdraw an unbonded node's stake",
  help: "strata node withdraw --node-id N",
  options: { "node-id": { type: "string" } },
  async run({ values, signal, print }) {
    const nodeId = nodeIdOf(values["node-id"]);
    const client = await clientFrom(values, { signing: true });
    const { hash } = await client.withdraw(nodeId, { signal });
    print(`withdrew the stake of node ${nodeId} (transaction ${hash})`, { nodeId, hash });
  },
};

export const nodeClaim: Command = {
  name: "node claim",
  summary: "Claim a node's pay for proven periods on every blob it holds",
  help: "strata node claim --node-id N",
  options: { "node-id": { type: "string" } },
  async run({ values, signal, print }) {
    const nodeId = nodeIdOf(values["node-id"]);
    const client = await clientFrom(values, { signing: true });
    const result = await client.claim(nodeId, { signal });
    print(
      `node ${nodeId} claimed ${formatUnits(result.amount, 18)} STRATA over ${result.blobs} blobs (transaction ${result.hash})`,
      {
        nodeId,
        ...result,
      },
    );
  },
};

export const nodeStart: Command = {
  name: "node start",
  summary: "Run the storage node of a node.json (Ctrl-C stops it)",
  help: "strata node start --config node.json",
  options: { config: { type: "string" } },
  async run({ values }) {
    if (!values.config) throw new UsageError("--config is required");
    const child = spawn(
      process.execPath,
      [join(ROOT, "node", "server.ts"), resolve(values.config as string)],
      {
        stdio: "inherit",
      },
    );
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
    const code = await new Promise<number>((done) => child.once("exit", (c) => done(c ?? 1)));
    if (code !== 0) process.exitCode = code;
  },
};
