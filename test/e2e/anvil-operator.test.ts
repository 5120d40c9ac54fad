// The README's operator path, run through the strata CLI as an operator runs it (each command its
// own process, from a working directory of its own, the deployment file where `strata deploy` put
// it), on Foundry's anvil and on a Hardhat chain, both mining a block a second and never on
// demand: deploy with short periods, node init, register (twice: the second reports the node),
// stake (below the minimum first: a warning), node status, node start, indexer start, an upload
// with the CLI, a proof, claim, settle after the blob's term, the node killed with SIGKILL (no
// orphan keeps its port). The Hardhat run deploys with the faucet off and hands out the supply.
import { readFile, writeFile } from "node:fs/promises";
import { createConnection } from "node:net";
import { join } from "node:path";
import { createPublicClient, type Hex, http, type PublicClient } from "viem";
import { afterAll, describe, expect, test } from "vitest";
import { parseDeployment, proofSystemAbi } from "#protocol";
import { startAnvilChain } from "../../devnet/anvil-chain.ts";
import { devnetAccount, devnetKey, startHardhatChain } from "../../devnet/hardhat-chain.ts";
import { freePort } from "../../devnet/start-devnet.ts";
import { tempDir } from "../../devnet/temp-dir.ts";
import { type CliRun, type CliService, runStrata, startStrata } from "../helpers/strata-cli.ts";
import { until } from "../helpers/wait-until.ts";

const ROOT = join(import.meta.dirname, "..", "..");
const TOKEN = 10n ** 18n;

interface Chain {
  url: string;
  stop(): Promise<void>;
}

/** The chains the path runs on: each mines a block a second and nothing on demand. */
const chains: { name: string; faucet: "on" | "off"; start: (port: number) => Promise<Chain> }[] = [
  { name: "anvil", faucet: "on", start: (port) => startAnvilChain({ root: ROOT, port, blockTime: 1 }) },
  {
    name: "hardhat",
    faucet: "off",
    start: async (port) => {
      const chain = await startHardhatChain({ root: ROOT, port });
      // the devnet's hardhat mines a block a second and one per transaction: only the first now
      await createPublicClient({ transport: http(chain.url) }).request({
        method: "evm_setAutomine",
        params: [false],
      } as never);
      return chain;
    },
  },
];

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** True when something accepts TCP connections on `port` of loopback. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

const json = <T>(run: CliRun): T => {
  expect(run.code, run.stderr).toBe(0);
  return JSON.parse(run.stdout) as T;
};

describe.each(chains)("the operator path on $name (1 s blocks, no automine)", ({ name, faucet, start }) => {
  test("deploy, register, stake, start, upload, prove, claim, settle", { timeout: 240_000 }, async () => {
    const dir = await tempDir(`operator-${name}`);
    if (process.env.STRATA_KEEP_TEST_DIRS !== "1") cleanups.push(dir.cleanup);
    const cwd = dir.path;
    const chain = await start(await freePort());
    cleanups.push(() => chain.stop());
    const [httpPort, p2pPort, indexerPort] = [await freePort(), await freePort(), await freePort()];
    const indexerUrl = `http://127.0.0.1:${indexerPort}`;
    await writeFile(join(cwd, "deployer.key"), `${devnetKey(0)}\n`);
    await writeFile(join(cwd, "operator.key"), `${devnetKey(1)}\n`);
    const operator = devnetAccount(1).address;
    const dapp = { STRATA_PRIVATE_KEY: devnetKey(2), STRATA_INDEXER: indexerUrl };
    const strata = (args: string[], env: Record<string, string> = {}) =>
      runStrata(args, { cwd, env: { STRATA_INDEXER: indexerUrl, ...env } });
    const services: CliService[] = [];
    cleanups.push(async () => {
      for (const s of services) s.process.kill("SIGKILL");
    });

    // deploy: 8 s periods (a node needs three blocks to prove one: seed, seed block, proof), 2 to
    // an epoch, a minimum stake of 100; into the default deployment file
    const deployed = await strata([
      "deploy",
      "--rpc-url",
      chain.url,
      "--key-file",
      "deployer.key",
      "--period",
      "8",
      "--periods-per-epoch",
      "2",
      "--min-stake",
      "100",
      ...(faucet === "off" ? ["--faucet", "off", "--supply", "1000000"] : []),
    ]);
    expect(deployed.code, deployed.stderr).toBe(0);
    const deployment = parseDeployment(await readFile(join(cwd, ".strata", "deployment.json"), "utf8"));
    expect(deployment.params).toMatchObject({ periodSeconds: 8, epochSeconds: 16 });
    const publicClient = createPublicClient({
      transport: http(chain.url),
      pollingInterval: 250,
    }) as PublicClient;

    // tokens for the operator and the dApp: the faucet, or (faucet off) the deployer's supply
    if (faucet === "on") {
      expect((await strata(["faucet", "--amount", "1000", "--key-file", "operator.key"])).code).toBe(0);
      expect((await strata(["faucet", "--amount", "100"], dapp)).code).toBe(0);
    } else {
      const off = await strata(["faucet", "--key-file", "operator.key"]);
      expect(off.code).toBe(4);
      expect(off.stderr).toMatch(/faucet .* is off/);
      for (const to of [operator, devnetAccount(2).address]) {
        const sent = await strata(["transfer", "--to", to, "--amount", "1000", "--key-file", "deployer.key"]);
        expect(sent.code, sent.stderr).toBe(0);
      }
    }
    const held = json<{ tokens: string }>(await strata(["balance", operator, "--json"]));
    expect(BigInt(held.tokens)).toBe(1000n * TOKEN);

    // node init records the chain and the deployment in node.json
    const init = await strata([
      "node",
      "init",
      "--data-dir",
      "node-1",
      "--http-port",
      `${httpPort}`,
      "--p2p-port",
      `${p2pPort}`,
    ]);
    expect(init.code, init.stderr).toBe(0);
    const config = join(cwd, "node-1", "node.json");

    // register without funding the signer: registered, with a warning; again with funding: the same node
    const first = await strata([
      "node",
      "register",
      "--config",
      config,
      "--key-file",
      "operator.key",
      "--json",
    ]);
    expect(first.stderr).toMatch(/warning: the node's signing key .* has no gas/);
    expect(json<{ nodeId: number; alreadyRegistered: boolean }>(first)).toMatchObject({
      nodeId: 1,
      alreadyRegistered: false,
    });
    const again = await strata([
      "node",
      "register",
      "--config",
      config,
      "--key-file",
      "operator.key",
      "--fund-signer",
      "1",
      "--json",
    ]);
    expect(again.stderr).not.toMatch(/warning/);
    expect(json<{ nodeId: number; alreadyRegistered: boolean }>(again)).toMatchObject({
      nodeId: 1,
      alreadyRegistered: true,
    });

    // stake below the minimum: a warning; then enough
    const low = await strata([
      "node",
      "stake",
      "--config",
      config,
      "--amount",
      "40",
      "--key-file",
      "operator.key",
    ]);
    expect(low.code, low.stderr).toBe(0);
    expect(low.stderr).toMatch(/warning: node 1's stake will be 40 STRATA, under the minimum 100 STRATA/);
    const enough = await strata([
      "node",
      "stake",
      "--config",
      config,
      "--amount",
      "60",
      "--key-file",
      "operator.key",
    ]);
    expect(enough.stderr).not.toMatch(/warning/);
    const status = json<{ standing: string; stake: string; signerGas: string; tiers: string[] }>(
      await strata(["node", "status", "--config", config, "--json"]),
    );
    expect(status).toMatchObject({ standing: "active", stake: `${100n * TOKEN}`, tiers: ["hot", "cold"] });
    expect(BigInt(status.signerGas)).toBeGreaterThan(0n);

    // the node and the indexer, each `strata … start` in a process of its own
    const node = startStrata(["node", "start", "--config", config], { cwd, logFile: join(cwd, "node.log") });
    services.push(node);
    await until(
      "the node's /health",
      async () => (await fetch(`http://127.0.0.1:${httpPort}/health`).catch(() => undefined))?.ok,
      60_000,
    ).catch((error) => {
      throw new Error(`${(error as Error).message}\n${node.output().slice(-2_000)}`);
    });
    const indexer = startStrata(
      ["indexer", "start", "--port", `${indexerPort}`, "--database", "indexer.db"],
      {
        cwd,
        logFile: join(cwd, "indexer.log"),
      },
    );
    services.push(indexer);
    await until(
      "the indexer to list the node",
      async () => {
        const reply = await fetch(`${indexerUrl}/nodes`).catch(() => undefined);
        if (!reply?.ok) return false;
        const { nodes } = (await reply.json()) as { nodes: { nodeId: number; status: string }[] };
        return nodes.some((n) => n.nodeId === 1 && n.status === "active");
      },
      60_000,
    );

    // a second `node start` of the same node: one line naming the port in use, exit 2
    const twice = await strata(["node", "start", "--config", config]);
    expect(twice.code).toBe(2);
    expect(twice.stderr.trim().split("\n")).toHaveLength(1);
    expect(twice.stderr).toMatch(/EADDRINUSE/);

    // an upload through the CLI, certified on the node
    await writeFile(join(cwd, "photo.bin"), Buffer.alloc(300_000, 7));
    const uploaded = json<{ blobId: Hex; cid: string }>(
      await strata(["upload", "photo.bin", "--replicas", "1", "--json"], dapp),
    );
    const blob = json<{ startPeriod: number; endPeriod: number }>(
      await strata(["status", uploaded.blobId, "--json"]),
    );

    // a proof of a period of the blob's term, then a claim once that period has closed
    const proven = await until(
      "a proof",
      async () => {
        const logs = await publicClient.getContractEvents({
          address: deployment.contracts.proofSystem,
          abi: proofSystemAbi,
          eventName: "ProofSubmitted",
          args: { nodeId: 1 },
          fromBlock: deployment.deploymentBlock,
        });
        return logs.map((log) => Number(log.args.period)).find((period) => period >= blob.startPeriod);
      },
      60_000,
    ).catch((error) => {
      throw new Error(`${(error as Error).message}; the node's log ends:\n${node.output().slice(-3_000)}`);
    });
    const currentPeriod = () =>
      publicClient.readContract({
        address: deployment.contracts.proofSystem,
        abi: proofSystemAbi,
        functionName: "currentPeriod",
      });
    await until("the proven period to close", async () => (await currentPeriod()) > proven, 30_000);
    // the blob named: the indexer stops listing it for the node once its term ends and the node prunes it
    const claimed = json<{ amount: string }>(
      await strata([
        "node",
        "claim",
        "--config",
        config,
        "--blob",
        uploaded.blobId,
        "--key-file",
        "operator.key",
        "--json",
      ]),
    );
    expect(BigInt(claimed.amount)).toBeGreaterThan(0n);

    // settle once the term has ended (by CID: anyone may), then the holders' credit is claimed
    await until("the end of the blob's term", async () => (await currentPeriod()) >= blob.endPeriod, 60_000);
    const settled = json<{ results: { settled: boolean }[] }>(
      await strata(["settle", uploaded.cid, "--json"], dapp),
    );
    expect(settled.results).toEqual([expect.objectContaining({ settled: true })]);
    const after = json<{ status: string }>(await strata(["status", uploaded.blobId, "--json"]));
    expect(after.status).toBe("settled");
    const reclaim = await strata(["reclaim", uploaded.blobId], dapp);
    expect(reclaim.code).toBe(4);
    expect(reclaim.stderr).toMatch(/settled: only an upload never certified is reclaimed/);

    // an unreachable chain: one line, exit 5
    const down = await strata(["balance", operator, "--rpc-url", "http://127.0.0.1:9"]);
    expect(down.code).toBe(5);
    expect(down.stderr.trim().split("\n")).toHaveLength(1);

    // SIGKILL of `strata node start` takes the node down with it: nothing keeps its port
    node.process.kill("SIGKILL");
    expect(await node.exited).toBe("SIGKILL");
    await until("the node's port closed", async () => !(await listening(httpPort)), 5_000);
    // SIGTERM stops the indexer cleanly
    indexer.process.kill("SIGTERM");
    expect(await indexer.exited).toBe(0);
  });
});
