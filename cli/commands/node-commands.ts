import { readFile, rename, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { formatEther, parseEther } from "viem";
import { chainClientFrom, loadDeployment } from "../cli-context.ts";
import { CliError, ExitCode, UsageError } from "../cli-error.ts";
import type { Command, CommandContext } from "../command.ts";
import { requireGas, requireTokens } from "../funds.ts";
import { type NodeFile, readNodeFile, useNodeFile, writeNodeId } from "../node-file.ts";
import { findRegistration } from "../node-registration.ts";
import { readStanding } from "../node-standing.ts";
import { nodeTarget, nodeTargetOptions } from "../node-target.ts";
import { sizeArg, tiersArg } from "../option-values.ts";
import { type TokenUnits, tokenUnits } from "../token-units.ts";

function port(value: unknown, name: string, fallback: number): number {
  const n = value === undefined ? fallback : Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new UsageError(`--${name} must be a TCP port, got ${value}`);
  return n;
}

function endpointArg(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !/^https?:\/\/[^/]+/.test(value))
    throw new UsageError(
      `--endpoint takes the URL clients reach the node at (http://host:port), got ${value}`,
    );
  return value.replace(/\/+$/, "");
}

/** `--fund-signer` (native currency, decimal) as wei. */
function gasAmount(value: unknown): bigint {
  try {
    const wei = parseEther(String(value));
    if (wei <= 0n) throw new Error();
    return wei;
  } catch {
    throw new UsageError(`--fund-signer takes an amount of the chain's currency like 0.5, got ${value}`);
  }
}

/** Writes `fields` into node.json, leaving the rest as it is. */
async function updateNodeFile(path: string, fields: Record<string, unknown>): Promise<void> {
  const raw = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  await writeFile(`${path}.partial`, `${JSON.stringify({ ...raw, ...fields }, null, 2)}\n`);
  await rename(`${path}.partial`, path);
}

export const nodeInit: Command = {
  name: "node init",
  summary: "Prepare a node: data directory, signing key, libp2p identity, node.json",
  help: `strata node init --data-dir DIR [--http-port 9100] [--p2p-port 4001] [--host HOST]
  --host HOST       where clients reach the node (default 127.0.0.1); recorded as node.json's endpoint
node.json records --rpc-url and --deployment: every node command then reads them from it.`,
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
    const { initNode } = await import("../../node/setup/init-node.ts");
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
        `  config    ${init.configFile}`,
        `  signer    ${init.signer} (key in ${join(dataDir, "signer.key")}; it pays the gas of proofs)`,
        `  peer id   ${init.peerId}`,
        `  endpoint  ${init.endpoint}`,
        `  chain     ${values["rpc-url"]}, deployment ${resolve(values.deployment)}`,
        `next: strata node register --config ${init.configFile} --key-file OPERATOR_KEY --fund-signer 0.1`,
      ].join("\n"),
      init,
    );
  },
};

/** Sends the node's signing key gas and tokens when asked; warns when it is left without gas. */
async function fundSigner(
  { values, signal, warn }: CommandContext,
  client: Awaited<ReturnType<typeof chainClientFrom>>,
  node: NodeFile,
  units: TokenUnits,
): Promise<bigint> {
  const wei = values["fund-signer"] === undefined ? 0n : gasAmount(values["fund-signer"]);
  const tokens =
    values["fund-signer-tokens"] === undefined
      ? 0n
      : units.parse(values["fund-signer-tokens"], "fund-signer-tokens");
  if (tokens > 0n) await requireTokens(client, await client.address(), tokens, units, "--fund-signer-tokens");
  if (wei > 0n || tokens > 0n)
    await client.fundSigner(node.signer, wei, { signal, ...(tokens > 0n ? { tokens } : {}) });
  const gas = await client.publicClient.getBalance({ address: node.signer });
  if (gas === 0n)
    warn(
      `the node's signing key ${node.signer} has no gas: it pays for enrolments and proofs, so uploads to the node fail until it has some. Fund it: strata node register --config ${node.path} --fund-signer 0.1 (or send it the chain's currency)`,
    );
  return gas;
}

export const nodeRegister: Command = {
  name: "node register",
  summary:
    "Register the node of a node.json in the NodeRegistry (as its operator); run again, it reports the node",
  help: `strata node register --config node.json --key-file OPERATOR_KEY [options]
  --tiers hot,cold          tiers served (default hot,cold)
  --price TOKENS            price per GB (10^9 bytes) stored per epoch, in tokens (default 0.001)
  --capacity SIZE           bytes offered: 512g, 2t… (default 64g)
  --endpoint URL            where clients reach the node (default: node.json's endpoint)
  --fund-signer AMOUNT      send the node's signing key this much of the chain's currency (gas for its proofs)
  --fund-signer-tokens N    and this many tokens, which pay the blobs of its vaults' snapshots
Idempotent: a node already registered with node.json's signing key is reported (and funded if
asked), not registered again; change it with strata node update. Uses node.json's chain and deployment.`,
  options: {
    config: { type: "string" },
    endpoint: { type: "string" },
    capacity: { type: "string" },
    price: { type: "string" },
    tiers: { type: "string" },
    "fund-signer": { type: "string" },
    "fund-signer-tokens": { type: "string" },
  },
  async run(context) {
    const { values, given, signal, print, warn } = context;
    if (!values.config) throw new UsageError("--config is required (the node.json strata node init wrote)");
    const node = await readNodeFile(values.config as string);
    useNodeFile(values, given, node);
    const tiers = tiersArg(values.tiers, ["hot", "cold"]) as ("hot" | "cold")[];
    const capacity = sizeArg(values.capacity, "capacity", 64n << 30n) as bigint;
    const endpoint = endpointArg(values.endpoint) ?? node.endpoint ?? `http://127.0.0.1:${node.httpPort}`;
    const client = await chainClientFrom(values, { signing: true });
    const operator = await client.address();
    if (operator === node.signer)
      throw new UsageError(
        "the operator's key (--key-file) must not be the node's own signing key: use another account",
      );
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const price = units.parsePrice(values.price ?? "0.001");
    const existing = await findRegistration(client, node, signal);
    let nodeId: number;
    let hash: string | undefined;
    if (existing) {
      if (existing.operator !== operator)
        throw new CliError(
          "STRATA_ERR_NOT_OPERATOR",
          ExitCode.rejected,
          `node ${existing.nodeId} (node.json's signing key) is operated by ${existing.operator}, not ${operator}: pass that operator's --key-file`,
        );
      nodeId = existing.nodeId;
      if (node.nodeId !== nodeId) await writeNodeId(node.path, nodeId);
      const standing = await readStanding(client, nodeId);
      const differs = [
        values.tiers !== undefined && tiers.join() !== standing.tiers.join() ? "--tiers" : "",
        values.price !== undefined && price !== standing.pricePerByteEpoch ? "--price" : "",
        values.capacity !== undefined && capacity !== standing.capacity ? "--capacity" : "",
        values.endpoint !== undefined && endpoint !== standing.endpoint ? "--endpoint" : "",
      ].filter(Boolean);
      if (differs.length > 0)
        warn(
          `${differs.join(", ")} differ from the registry's: change them with strata node update --config ${node.path}`,
        );
    } else {
      await requireGas(client, operator, "the operator");
      const { multiaddrsFor, readPeerId } = await import("../../node/setup/init-node.ts");
      const peerId = await readPeerId(node.dataDir).catch((cause: unknown) => {
        throw new CliError(
          "STRATA_ERR_NODE_CONFIG",
          ExitCode.usage,
          `cannot read the node's identity in ${node.dataDir} (is the node running? stop it first): ${(cause as Error).message}`,
        );
      });
      const registered = await client.registerNode(
        {
          signer: node.signer,
          endpoint,
          peerId,
          multiaddrs: multiaddrsFor(new URL(endpoint).hostname.replace(/^\[|\]$/g, ""), node.p2pPort, peerId),
          tiers,
          capacity,
          pricePerByteEpoch: price,
        },
        { signal },
      );
      nodeId = registered.nodeId;
      hash = registered.hash;
      await updateNodeFile(node.path, { nodeId, endpoint });
    }
    const gas = await fundSigner(context, client, node, units);
    const standing = await readStanding(client, nodeId);
    const missing = standing.minStake - standing.stake;
    const next =
      missing > 0n
        ? `next: strata node stake --config ${node.path} --amount ${units.decimal(missing)}`
        : `next: strata node start --config ${node.path}`;
    print(
      [
        existing
          ? `node ${nodeId} is already registered with this signing key (operator ${operator}); nothing registered`
          : `registered node ${nodeId} (transaction ${hash})`,
        `  endpoint  ${standing.endpoint}`,
        `  tiers     ${standing.tiers.join(", ")}; ${units.formatPrice(standing.pricePerByteEpoch)}`,
        `  signer    ${node.signer} holds ${formatEther(gas)} for gas`,
        `  stake     ${units.format(standing.stake)} of the ${units.format(standing.minStake)} needed`,
        next,
      ].join("\n"),
      { nodeId, hash: hash ?? null, alreadyRegistered: existing !== undefined, signerGas: gas, standing },
    );
  },
};

export const nodeUpdate: Command = {
  name: "node update",
  summary:
    "Change a registered node's tiers, price, capacity or endpoint (and its signing key to node.json's)",
  help: `strata node update --config node.json --key-file OPERATOR_KEY [--tiers hot,cold] [--price TOKENS] [--capacity SIZE] [--endpoint URL]
  --price TOKENS    price per GB (10^9 bytes) stored per epoch, in tokens (applies to blobs registered from now on)
The signing key becomes node.json's when the registry has another (a rotated key).`,
  options: {
    ...nodeTargetOptions,
    endpoint: { type: "string" },
    capacity: { type: "string" },
    price: { type: "string" },
    tiers: { type: "string" },
  },
  async run({ values, given, signal, print }) {
    const { nodeId, node } = await nodeTarget(values, given);
    if (!node) throw new UsageError("--config is required: the signing key and endpoint come from node.json");
    const client = await chainClientFrom(values, { signing: true });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const now = await readStanding(client, nodeId);
    const operator = await client.address();
    if (now.operator !== operator)
      throw new CliError(
        "STRATA_ERR_NOT_OPERATOR",
        ExitCode.rejected,
        `node ${nodeId} is operated by ${now.operator}, not ${operator}: pass that operator's --key-file`,
      );
    const next = {
      signer: node.signer,
      endpoint: endpointArg(values.endpoint) ?? now.endpoint,
      peerId: now.peerId,
      multiaddrs: now.multiaddrs,
      tiers: tiersArg(values.tiers, now.tiers) as ("hot" | "cold")[],
      capacity: sizeArg(values.capacity, "capacity", now.capacity) as bigint,
      pricePerByteEpoch: values.price === undefined ? now.pricePerByteEpoch : units.parsePrice(values.price),
    };
    const changes = [
      next.signer !== now.signer ? `signer ${now.signer} → ${next.signer}` : "",
      next.endpoint !== now.endpoint ? `endpoint ${now.endpoint} → ${next.endpoint}` : "",
      next.tiers.join() !== now.tiers.join() ? `tiers ${now.tiers.join(",")} → ${next.tiers.join(",")}` : "",
      next.capacity !== now.capacity ? `capacity ${now.capacity} → ${next.capacity} bytes` : "",
      next.pricePerByteEpoch !== now.pricePerByteEpoch
        ? `price ${units.formatPrice(now.pricePerByteEpoch)} → ${units.formatPrice(next.pricePerByteEpoch)}`
        : "",
    ].filter(Boolean);
    if (changes.length === 0) {
      print(`node ${nodeId}: nothing to change`, { nodeId, changes, hash: null });
      return;
    }
    await requireGas(client, operator, "the operator");
    const { hash } = await client.updateNode(nodeId, next, { signal });
    if (next.endpoint !== node.endpoint) await updateNodeFile(node.path, { endpoint: next.endpoint });
    print([`updated node ${nodeId} (transaction ${hash})`, ...changes.map((c) => `  ${c}`)].join("\n"), {
      nodeId,
      changes,
      hash,
    });
  },
};
