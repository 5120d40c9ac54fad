import { connectStrata, type StrataHarness } from "../../devnet/strata-fixture.ts";

/** The in-process chain the ProofSystem suites share. */
export const h: StrataHarness = await connectStrata();

/** A fresh deployment with three registered nodes (snapshotted by `loadFixture`). */
export async function proofFixture() {
  const env = await h.deploy();
  const nodes = await h.registerNodes(env.deployment, 3);
  return { ...env, nodes };
}

export type ProofEnv = Awaited<ReturnType<typeof proofFixture>>;
