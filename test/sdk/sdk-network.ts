import type { WalletClient } from "viem";
import type { Deployment } from "#protocol";
import { startNodes } from "../../devnet/start-nodes.ts";
import { connectStrata, type StrataHarness, type TestNode, TOKEN } from "../../devnet/strata-fixture.ts";
import { type EthersSignerLike, StrataClient } from "../../sdk/index.ts";
import { startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";

/**
 * A network for SDK tests, all in this process over the in-process Hardhat chain: the contracts,
 * `registered` nodes registered and staked, the first `running` of them started, and an indexer
 * that has indexed them. `client(signer)` is a StrataClient over it.
 */
export async function startSdkNetwork(options: { registered?: number; running?: number } = {}) {
  const h: StrataHarness = await connectStrata();
  const { deployment } = await h.deploy();
  const registered = await h.registerNodes(deployment, options.registered ?? 3);
  const started = await startNodes(h, deployment, registered.slice(0, options.running ?? registered.length));
  const indexer = await startTestIndexer(started.rpcUrl, deployment);
  await waitIndexed(h, indexer.indexer);
  const indexerUrl = indexer.indexer.url;
  return {
    h,
    deployment: deployment as Deployment,
    nodes: registered as TestNode[],
    started,
    indexerUrl,
    client: (signer: WalletClient | EthersSignerLike) =>
      new StrataClient({
        deployment,
        publicClient: h.publicClient,
        signer,
        indexerUrl,
        pollingIntervalMs: 100,
      }),
    /** Waits until the indexer has caught up with the chain. */
    indexed: () => waitIndexed(h, indexer.indexer),
    async stop() {
      await indexer.stop();
      await started.stop();
    },
  };
}

export type SdkNetwork = Awaited<ReturnType<typeof startSdkNetwork>>;

export const FUNDS = 1_000_000n * TOKEN;
