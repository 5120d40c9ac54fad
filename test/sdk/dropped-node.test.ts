// A node the proof system dropped refuses uploads with its code, and the SDK routes around it:
// picked by the indexer, it is left out before anything is paid; named, the upload is refused
// with the node's code. Real nodes, the real (in-process) chain, the indexer.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { marketActions } from "../../devnet/market-actions.ts";
import { contractsFor, randomBytes, testParams } from "../../devnet/strata-fixture.ts";
import { NodeUnavailableError, type StrataClient } from "../../sdk/index.ts";
import { until } from "../helpers/wait-until.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "./sdk-network.ts";

let net: SdkNetwork;
let dapp: StrataClient;

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 4, running: 4 });
  dapp = net.client(net.h.wallet(8));
  await dapp.faucet(FUNDS);
});

afterAll(async () => {
  await net?.stop();
});

describe("a dropped node", () => {
  test("says NODE_ERR_NODE_DROPPED on /health; the SDK picks other nodes and refuses it named", async () => {
    const dropped = net.nodes[0]!;
    // the cheapest node stops proving a blob it holds, and is reported until it is dropped
    await net.started.restart(0, { prover: { enabled: false, pollMs: 200, watchdog: false } });
    await dapp.upload(randomBytes(6_000, 41), { nodes: [dropped.nodeId, net.nodes[1]!.nodeId] });
    const m = marketActions(net.h, net.deployment);
    const reporter = contractsFor(net.deployment, net.h.publicClient, net.h.wallet(9)).proofs;
    await m.nextPeriod();
    for (let miss = 0; miss < testParams.missesToDrop; miss += 1) {
      const period = await m.currentPeriod();
      await until(`period ${period}'s seed`, async () => {
        await net.h.networkHelpers.mine(1);
        return (await reporter.read.seedOf([period])) !== `0x${"0".repeat(64)}`;
      });
      await m.nextPeriod();
      await net.h.wait(await reporter.write.reportMissedProof([dropped.nodeId, period]));
    }
    expect((await reporter.read.nodeStanding([dropped.nodeId]))[1]).toBe(true);
    const url = net.started.nodes[0]!.url;
    await until("the node to say it is dropped", async () => {
      await net.h.networkHelpers.mine(1);
      const health = await fetch(`${url}/health`);
      return (
        health.status === 503 && ((await health.json()) as { code?: string }).code === "NODE_ERR_NODE_DROPPED"
      );
    });

    // picked through the indexer (it is the cheapest, and still registered): left out
    await net.indexed();
    const uploaded = await dapp.upload(randomBytes(9_000, 42), { replicas: 3 });
    expect(uploaded.nodes.map((n) => n.nodeId)).not.toContain(dropped.nodeId);
    expect((await dapp.status(uploaded.blobId)).status).toBe("certified");
    // named: refused before anything is paid (a dropped node is jailed: the registry, asked before
    // the node's own /health, already calls it inactive)
    const before = await dapp.balance();
    const refused = await dapp
      .upload(randomBytes(1_000, 43), { nodes: [dropped.nodeId] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(NodeUnavailableError);
    expect((refused as NodeUnavailableError).message).toContain("NODE_ERR_NODE_INACTIVE");
    expect(await dapp.balance()).toBe(before);
  });
});
