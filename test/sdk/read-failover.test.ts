// A read cut short mid-stream: a holder that stops sending in the middle of a blob (a loopback
// proxy in front of a real node forwards part of its answer and then drops the connection), and
// the SDK's read fails over to another holder, continues where the first stopped, and returns the
// exact bytes.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomBytes } from "../../devnet/strata-fixture.ts";
import { FetchFailedError, type NodeFailure, type StrataClient, type UploadResult } from "../../sdk/index.ts";
import { startCuttingProxy } from "../helpers/cutting-proxy.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "./sdk-network.ts";

const SIZE = 3 * 1024 * 1024 + 12_345;
/** Bytes of the first holder's answer that get through: about a third of the blob. */
const CUT_AFTER = 1024 * 1024 + 4321;

let net: SdkNetwork;
let dapp: StrataClient;
let data: Uint8Array;
let blob: UploadResult;

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 2, running: 2 });
  dapp = net.client(net.h.wallet(8));
  await dapp.faucet(FUNDS);
  data = randomBytes(SIZE, 31);
  blob = await dapp.upload(data, { replicas: 2 });
});

afterAll(async () => {
  await net?.stop();
});

/** The blob's two holders, the first behind a proxy that cuts its answer short. */
async function holders() {
  const [first, second] = blob.nodes;
  if (!first || !second) throw new Error(`the blob has ${blob.nodes.length} holders, not 2`);
  const proxy = await startCuttingProxy(first.endpoint, CUT_AFTER);
  return { proxy, nodes: [{ nodeId: first.nodeId, endpoint: proxy.url }, second], first, second };
}

describe("a holder that stops sending in the middle of a blob", () => {
  test("get fails over to the next holder and returns the exact bytes", async () => {
    const { proxy, nodes, first } = await holders();
    try {
      const failures: NodeFailure[] = [];
      const bytes = await dapp.get(blob.cid, { nodes, onFailure: (failure) => failures.push(failure) });
      expect(proxy.cuts).toBe(1);
      expect(failures.map((f) => f.nodeId)).toEqual([first.nodeId]);
      expect(bytes.length).toBe(SIZE);
      expect(Buffer.compare(bytes, data)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  test("stream yields the first holder's verified bytes, then the rest from the next, each byte once", async () => {
    const { proxy, nodes, first } = await holders();
    try {
      let beforeCut = -1;
      const chunks: Uint8Array[] = [];
      let received = 0;
      for await (const chunk of dapp.stream(blob.cid, {
        nodes,
        onFailure: (failure) => {
          expect(failure.nodeId).toBe(first.nodeId);
          beforeCut = received;
        },
      })) {
        chunks.push(chunk);
        received += chunk.length;
      }
      // the cut came mid-blob: some bytes were already out, the rest came from the other holder
      expect(beforeCut).toBeGreaterThan(0);
      expect(beforeCut).toBeLessThan(SIZE);
      expect(Buffer.compare(Buffer.concat(chunks), data)).toBe(0);
    } finally {
      await proxy.close();
    }
  });

  test("with every holder cut short, the read fails and names each of them", async () => {
    const [first, second] = blob.nodes;
    if (!first || !second) throw new Error("two holders expected");
    const proxies = await Promise.all([first, second].map((n) => startCuttingProxy(n.endpoint, CUT_AFTER)));
    try {
      const nodes = [first, second].map((n, i) => ({ nodeId: n.nodeId, endpoint: proxies[i]!.url }));
      const error = await dapp.get(blob.cid, { nodes }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(FetchFailedError);
      expect((error as FetchFailedError).failures.map((f) => f.nodeId)).toEqual([
        first.nodeId,
        second.nodeId,
      ]);
      expect(proxies.map((p) => p.cuts)).toEqual([1, 1]);
    } finally {
      await Promise.all(proxies.map((p) => p.close()));
    }
  });
});
