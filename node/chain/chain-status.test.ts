import {
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  type Hex,
} from "viem";
import { describe, expect, test } from "vitest";
import { storageMarketAbi } from "#protocol";
import {
  type ChainAccount,
  ChainStatus,
  type Claimable,
  claimableBlobs,
  readChainAccount,
} from "./chain-status.ts";

const account = (over: Partial<ChainAccount> = {}): ChainAccount => ({
  block: 42n,
  operator: "0x00000000000000000000000000000000000000aa",
  jailed: false,
  active: true,
  dropped: false,
  missesInRow: 0,
  stake: 1000n,
  minStake: 500n,
  signerGas: 7n,
  unclaimed: { blobs: 5n, marketCredit: 2n, vaultCredit: 1n },
  ...over,
});

const SIGNER = "0x00000000000000000000000000000000000000bb";

/** A read the test resolves, fails or leaves hanging, counting calls. */
function controlledRead() {
  const state = { reads: 0, next: (): Promise<ChainAccount> => Promise.resolve(account()) };
  const read = () => {
    state.reads += 1;
    return state.next();
  };
  return { state, read };
}

describe("ChainStatus", () => {
  test("reads once, answers the values with amounts as decimal strings, and caches them", async () => {
    const { state, read } = controlledRead();
    const status = new ChainStatus({ read, signer: SIGNER, maxAgeMs: 60_000 });
    const first = await status.current();
    expect(first).toMatchObject({
      block: "42",
      stale: false,
      error: null,
      standing: "active",
      stake: "1000",
      minStake: "500",
      signerGas: "7",
      unclaimedPay: "8",
      unclaimed: { blobs: "5", marketCredit: "2", vaultCredit: "1" },
      signer: SIGNER,
    });
    expect(first.readAt).not.toBeNull();
    await status.current();
    await status.current();
    expect(state.reads).toBe(1);
  });

  test("a slow chain is waited on for at most waitMs: the last values come back, marked stale", async () => {
    const { state, read } = controlledRead();
    const status = new ChainStatus({ read, signer: SIGNER, maxAgeMs: 0, waitMs: 100 });
    await status.current();
    let finish: (value: ChainAccount) => void = () => {};
    state.next = () => new Promise((resolve) => (finish = resolve));
    const started = Date.now();
    const slow = await status.current();
    expect(Date.now() - started).toBeLessThan(1000);
    expect(slow).toMatchObject({ stale: true, stake: "1000" });
    // the read goes on: once it lands, the next request sees it
    finish(account({ stake: 2000n }));
    await new Promise((resolve) => setTimeout(resolve, 10));
    state.next = () => Promise.resolve(account({ stake: 2000n }));
    expect(status.view()).toMatchObject({ stale: false, stake: "2000" });
  });

  test("before any read succeeds everything is unknown; a failed read keeps the last values", async () => {
    const { state, read } = controlledRead();
    state.next = () => Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:8545\nmore"));
    const status = new ChainStatus({ read, signer: SIGNER, maxAgeMs: 0 });
    expect(await status.current()).toMatchObject({
      standing: "unknown",
      stake: null,
      unclaimedPay: null,
      stale: true,
      error: "connect ECONNREFUSED 127.0.0.1:8545",
      signer: SIGNER,
    });
    state.next = () => Promise.resolve(account({ active: false }));
    expect(await status.current()).toMatchObject({ standing: "inactive", stale: false, error: null });
    state.next = () => Promise.reject(new Error("timeout"));
    expect(await status.current()).toMatchObject({ standing: "inactive", stale: true, error: "timeout" });
  });

  test("dropped wins over active", async () => {
    const status = new ChainStatus({ read: async () => account({ dropped: true }), signer: SIGNER });
    expect((await status.current()).standing).toBe("dropped");
  });
});

function revert(errorName: string, args: readonly unknown[]) {
  const abi = storageMarketAbi;
  const data = encodeErrorResult({ abi, errorName, args } as Parameters<typeof encodeErrorResult>[0]);
  const reverted = new ContractFunctionRevertedError({ abi, data, functionName: "claim" });
  return new ContractFunctionExecutionError(reverted, { abi, functionName: "claim", args: [] });
}

const blobId = (n: number) => `0x${n.toString(16).padStart(64, "0")}` as Hex;

/** A chain whose `claim` pays 10 per blob plus the credit, and knows only some blobs. */
function fakeChain(options: { credit: bigint; known: (id: Hex) => boolean }) {
  const calls: Hex[][] = [];
  const read =
    <T>(value: T) =>
    async () =>
      value;
  const chain = {
    nodeId: 3,
    account: { address: SIGNER },
    publicClient: { getBlockNumber: async () => 99n, getBalance: async () => 123n },
    registry: {
      read: {
        getNode: read({ operator: "0xop", jailed: false, stake: 1000n }),
        isActive: read(true),
        minStake: read(500n),
      },
    },
    proofs: { read: { nodeStanding: read([1, false] as const) } },
    market: {
      read: { creditOf: read(options.credit) },
      simulate: {
        claim: async ([, ids]: [number, Hex[], number[]]) => {
          calls.push(ids);
          const unknown = ids.find((id) => !options.known(id));
          if (unknown) throw revert("StorageMarketUnknownHolder", [unknown, 0n]);
          const result = 10n * BigInt(ids.length) + options.credit;
          if (result === 0n) throw revert("StorageMarketNothingToClaim", [3]);
          return { result };
        },
      },
    },
    vaults: { read: { creditOf: read(4n) } },
  };
  return { chain: chain as unknown as Parameters<typeof readChainAccount>[0], calls };
}

async function* blobs(count: number): AsyncGenerator<Claimable> {
  for (let i = 0; i < count; i += 1) yield { blobId: blobId(i), holder: 0 };
}

describe("readChainAccount", () => {
  test("simulates claims batch by batch; the credit is counted once", async () => {
    const { chain, calls } = fakeChain({ credit: 6n, known: () => true });
    const read = await readChainAccount(chain, () => blobs(250))();
    expect(calls.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(read).toMatchObject({
      block: 99n,
      stake: 1000n,
      minStake: 500n,
      signerGas: 123n,
      missesInRow: 1,
      unclaimed: { blobs: 2500n, marketCredit: 6n, vaultCredit: 4n },
    });
  });

  test("a blob the chain no longer has the node at is left out; nothing owed is 0", async () => {
    const { chain } = fakeChain({ credit: 0n, known: (id) => id !== blobId(1) && id !== blobId(3) });
    expect((await readChainAccount(chain, () => blobs(5))()).unclaimed.blobs).toBe(30n);
    const none = fakeChain({ credit: 0n, known: () => true });
    expect((await readChainAccount(none.chain, () => blobs(0))()).unclaimed.blobs).toBe(0n);
    expect(none.calls).toEqual([]);
  });

  test("only certified or ended records, not dropped ones, are claimed on", async () => {
    const records = [
      { blobId: blobId(1), holder: 0, state: "pending" },
      { blobId: blobId(2), holder: 1, state: "certified" },
      { blobId: blobId(3), holder: 2, state: "ended" },
      { blobId: blobId(4), holder: 0, state: "certified", dropped: true },
    ];
    const out: Claimable[] = [];
    for await (const blob of claimableBlobs(
      (async function* () {
        yield* records as never[];
      })(),
    ))
      out.push(blob);
    expect(out.map((b) => b.blobId)).toEqual([blobId(2), blobId(3)]);
  });
});
