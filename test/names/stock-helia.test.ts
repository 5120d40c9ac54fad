import { withHTTP } from "@helia/http";
import { ipns } from "@helia/ipns";
import { unixfs } from "@helia/unixfs";
import { createHeliaLight } from "helia";
import { CID } from "multiformats/cid";
import { afterAll, beforeAll, expect, test } from "vitest";
import { randomBytes } from "../../devnet/strata-fixture.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "../sdk/sdk-network.ts";

// Software nobody here wrote resolving a Strata name: a stock Helia whose only router is a
// delegated-routing client pointed at the indexer (no DHT, no public gateways) resolves the name
// with @helia/ipns and fetches the content from the Strata node the indexer names as provider.
let net: SdkNetwork;
beforeAll(async () => {
  net = await startSdkNetwork({ registered: 1 });
}, 120_000);
afterAll(async () => {
  await net?.stop();
});

async function collect(source: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const part of source) parts.push(part);
  return Buffer.concat(parts);
}

test("a stock Helia with only a delegated-routing client at the indexer resolves a Strata name and fetches its content", async () => {
  const owner = net.client(net.h.wallet(9));
  await owner.faucet(FUNDS);
  const data = randomBytes(2 * 1024 * 1024 + 77, 9);
  const { cid } = await owner.upload(data, { nodes: [net.nodes[0]!.nodeId] });
  const published = await owner.names.publish("home", cid);
  await net.indexed();

  const helia = withHTTP(createHeliaLight(), {
    delegatedRouters: [net.indexerUrl],
    recursiveGateways: [],
    allowInsecure: true,
    allowLocal: true,
  });
  await helia.start();
  try {
    const results = [];
    for await (const result of ipns(helia).resolve(published.ipnsName, {
      signal: AbortSignal.timeout(20_000),
    })) {
      results.push(result);
    }
    const last = results.at(-1);
    expect(last?.value).toBe(`/ipfs/${cid}`);
    expect(last?.record.signatureV2).toHaveLength(64);
    // as @helia/verified-fetch does: a session over the root's providers fetches every block of it
    const root = CID.parse(last!.value.slice("/ipfs/".length));
    const session = helia.blockstore.createSession(root, { signal: AbortSignal.timeout(20_000) });
    const bytes = await collect(
      unixfs({ blockstore: session }).cat(root, { signal: AbortSignal.timeout(30_000) }),
    );
    expect(bytes.equals(Buffer.from(data))).toBe(true);
  } finally {
    await helia.stop();
  }
});
