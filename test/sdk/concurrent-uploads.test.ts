// Parallel uploads from ONE account through the SDK, against storage nodes and an indexer over a
// real (in-process Hardhat) chain: every upload gets its own nonces and its share of the token
// allowance, whichever client instance and whichever kind of signer sends it.
import { JsonRpcProvider, Wallet } from "ethers";
import { keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomBytes } from "../../devnet/strata-fixture.ts";
import type { StrataClient, UploadResult } from "../../sdk/index.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "./sdk-network.ts";

const UPLOADS = 6;
let net: SdkNetwork;

beforeAll(async () => {
  net = await startSdkNetwork();
});

afterAll(async () => {
  await net?.stop();
});

/** Starts `UPLOADS` uploads at once, spread over `clients`, and waits for all of them. */
async function uploadAll(clients: StrataClient[], seed: number) {
  const blobs = Array.from({ length: UPLOADS }, (_, i) => randomBytes(48 * 1024 + i * 1000, seed + i));
  const settled = await Promise.allSettled(
    blobs.map((data, i) =>
      (clients[i % clients.length] as StrataClient).upload(data, { name: `parallel-${i}.bin`, replicas: 3 }),
    ),
  );
  const failed = settled.flatMap((s) =>
    s.status === "rejected"
      ? [`${s.reason} ${(s.reason as { cause?: { details?: string } }).cause?.details ?? ""}`]
      : [],
  );
  expect(failed).toEqual([]);
  return settled.map((s) => (s as PromiseFulfilledResult<UploadResult>).value);
}

async function expectCertified(client: StrataClient, results: UploadResult[]) {
  expect(new Set(results.map((r) => r.blobId)).size).toBe(UPLOADS);
  for (const result of results) {
    const status = await client.status(result.blobId);
    expect(status.status).toBe("certified");
    expect(status.attested).toBe(3);
  }
}

describe("concurrent uploads from one account", () => {
  test("a viem JSON-RPC account, through two client instances: all six certified", async () => {
    const wallet = net.h.wallet(8);
    const clients = [net.client(wallet), net.client(wallet)];
    await clients[0]?.faucet(FUNDS);
    const before = await clients[0]?.balance();
    const results = await uploadAll(clients, 100);
    await expectCertified(clients[0] as StrataClient, results);
    const paid = results.reduce((sum, r) => sum + r.cost + r.fee, 0n);
    expect(await clients[0]?.balance()).toBe((before as bigint) - paid);
  });

  test("an ethers signer with a local key: all six certified", async () => {
    const key = keccak256(toHex("strata-concurrent-ethers"));
    const signer = new Wallet(
      key,
      new JsonRpcProvider(net.started.rpcUrl, undefined, { staticNetwork: true }),
    );
    await net.h.networkHelpers.setBalance(signer.address, 10n ** 20n);
    const client = net.client(signer);
    await client.faucet(FUNDS);
    const results = await uploadAll([client], 200);
    await expectCertified(client, results);
  });
});
