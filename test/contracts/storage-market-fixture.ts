import { connectStrata, type StrataHarness, type TestNode, testParams } from "../../devnet/strata-fixture.ts";

/** The in-process chain the StorageMarket suites share. */
export const h: StrataHarness = await connectStrata();

/** Proving periods per epoch. */
export const PPE = BigInt(testParams.epochSeconds / testParams.periodSeconds);

/** A fresh deployment with five registered nodes (snapshotted by `loadFixture`). */
export async function marketFixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 5);
  return { ...env, nodes };
}

export type MarketEnv = Awaited<ReturnType<typeof marketFixture>>;

/** What `nodes` charge together for storing `stored` bytes one epoch. */
export const perEpoch = (nodes: TestNode[], stored: bigint) =>
  nodes.reduce((sum, n) => sum + n.price * stored, 0n);
