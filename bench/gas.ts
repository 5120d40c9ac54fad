// Gas of Strata's transactions on an in-process Hardhat chain (EDR, latest hardfork). Gas is
// deterministic, so each figure is compared with its target, or, where the issues set none,
// with a plain ERC-20 transfer measured in the same run.
//   npm run bench:gas              everything (builds 1 GiB commitment trees: a few minutes)
//   npm run bench:gas -- --quick   proofs over 1 MiB blobs only
import type { Hex } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { marketActions } from "../devnet/market-actions.ts";
import { noise } from "../devnet/noise.ts";
import { connectStrata, nodeParams, TOKEN, testParams } from "../devnet/strata-fixture.ts";
import { type Figure, report } from "./report.ts";

const quick = process.argv.includes("--quick");
const MiB = 1024 * 1024;

/** Incompressible bytes (AES-CTR keystream): real blob data costs full calldata price. */

const vs = (name: string, value: number, baseline: number, baselineName: string, max?: number): Figure => ({
  name,
  value,
  unit: "gas",
  baseline,
  baselineName,
  ...(max === undefined ? {} : { max }),
});

async function marketFigures(): Promise<Figure[]> {
  const h = await connectStrata();
  const { deployment, as } = await h.deploy();
  const gas = async (hash: Promise<Hex>) => Number((await h.wait(await hash)).gasUsed);
  const owner = as(h.wallet(8));
  await h.wait(await owner.token.write.faucet([1000n * TOKEN]));
  const transfer = await gas(owner.token.write.transfer([h.wallet(9).account.address, TOKEN]));

  const nodes = await h.registerNodes(deployment, 5);
  const sixth = as(h.wallet(7));
  const signer = privateKeyToAccount(`0x${"77".repeat(32)}`).address;
  const register = await gas(sixth.registry.write.register([nodeParams(signer, 6)]));
  await h.wait(await sixth.token.write.faucet([testParams.minStake]));
  await h.wait(await sixth.token.write.approve([deployment.contracts.registry, testParams.minStake]));
  const stake = await gas(sixth.registry.write.stake([6, testParams.minStake]));

  const m = marketActions(h, deployment);
  const meta = { name: "holiday-photo.jpg", mimeType: "image/jpeg", tags: ["photos", "2026"] };
  const blobGas: Record<number, { register: number; certify: number }> = {};
  for (const count of [1, 3, 5]) {
    const chosen = nodes.slice(0, count);
    // a first registration by this owner, so the measured one pays steady-state costs (nonce slot warm)
    await m.store({ owner: h.wallet(8), nodes: chosen, data: noise(4096, 100 + count), ...meta });
    const blob = await m.register({ owner: h.wallet(8), nodes: chosen, data: noise(4096, count), ...meta });
    await m.enroll(blob);
    const certify = await gas(owner.market.write.certify([blob.blobId, await m.attestations(blob)]));
    blobGas[count] = { register: Number(blob.gasUsed), certify };
  }

  const [claimer] = nodes;
  const ten = [];
  for (let i = 0; i < 10; i += 1) {
    ten.push(await m.store({ owner: h.wallet(9), nodes: [claimer!], data: noise(1000, 50 + i) }));
  }
  await m.nextPeriod();
  await m.revealSeed();
  await m.prove(claimer!);
  await m.nextPeriod();
  const claim = await gas(
    claimer!.as.market.write.claim([claimer!.nodeId, ten.map((b) => b.blobId), ten.map(() => 0)]),
  );
  const deleteBlob = await gas(as(h.wallet(9)).market.write.deleteBlob([ten[0]!.blobId]));

  const t = (name: string, value: number) => vs(name, value, transfer, "ERC-20 transfer");
  return [
    t("register a node", register),
    t("stake", stake),
    t("registerBlob, 1 node", blobGas[1]!.register),
    vs("registerBlob, 3 nodes", blobGas[3]!.register, 220_000, "target", 1),
    t("registerBlob, 5 nodes", blobGas[5]!.register),
    t("certify, 1 attestation", blobGas[1]!.certify),
    vs("certify, 3 attestations", blobGas[3]!.certify, 80_000, "target", 1),
    t("certify, 5 attestations", blobGas[5]!.certify),
    t("claim over 10 blobs", claim),
    t("deleteBlob", deleteBlob),
  ];
}

/** Gas per sample of one period's proof, for k samples over 1 or 100 blobs of 1 MiB or 1 GiB. */
async function proofFigures(): Promise<Figure[]> {
  const figures: Figure[] = [];
  const sizes = quick ? [MiB] : [MiB, 1024 * MiB];
  const data = new Map(sizes.map((size, i) => [size, noise(size, i + 1)]));
  for (const samples of [5, 10, 20]) {
    const h = await connectStrata({ ...testParams, samplesPerProof: samples });
    const { deployment } = await h.deploy();
    const m = marketActions(h, deployment);
    const scenarios = sizes.flatMap((size) => [1, 100].map((count) => ({ size, count })));
    const nodes = await h.registerNodes(deployment, scenarios.length);
    for (const [i, { size, count }] of scenarios.entries()) {
      for (let b = 0; b < count; b += 1) {
        await m.store({ owner: h.wallet(8), nodes: [nodes[i]!], data: data.get(size)!, epochs: 10 });
      }
    }
    // a first period proven, so the measured proof pays steady-state storage costs; and not a
    // period that starts a new 64-period window (one proof in 64 also archives the last window's
    // bits: about 5k gas more, 22k once in 256 periods)
    await m.nextPeriod();
    await m.revealSeed();
    for (const node of nodes) await m.prove(node);
    await m.nextPeriod();
    if ((await m.currentPeriod()) % 64 === 0) {
      await m.revealSeed();
      for (const node of nodes) await m.prove(node);
      await m.nextPeriod();
    }
    await m.revealSeed();
    for (const [i, { size, count }] of scenarios.entries()) {
      const receipt = await m.prove(nodes[i]!);
      const label = `proof, k=${samples}, ${count} blob${count > 1 ? "s" : ""} of ${size >= 1024 * MiB ? "1 GiB" : "1 MiB"}, per sample`;
      figures.push(vs(label, Math.round(Number(receipt.gasUsed) / samples), 45_000, "target", 1));
    }
  }
  return figures;
}

const market = report("Market transactions", await marketFigures());
const proofs = report("Proof transactions (one per node per period)", await proofFigures());
process.exitCode = market && proofs ? 0 : 1;
