import { describe, expect, test } from "vitest";
import { isNonceError, NonceSequencer, NonceSequencers } from "./nonce-sequencer.ts";

/** A chain's view of one account: the pending count, and which nonces were taken. */
function fakeChain(start: number) {
  const taken = new Set<number>();
  let count = start;
  return {
    taken,
    pendingCalls: 0,
    pending: async function (this: void) {
      chain.pendingCalls += 1;
      return count;
    },
    /** Accepts `nonce` if it is the next one, as a node does. */
    send: async (nonce: number) => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      if (nonce < count)
        throw new Error(`Nonce ${nonce} is lower than the current nonce of the account (${count})`);
      if (nonce > count) throw new Error(`nonce too high: ${nonce}`);
      taken.add(nonce);
      count += 1;
      return `0x${nonce}`;
    },
    /** Another wallet sent `n` transactions from the same account. */
    elsewhere(n: number) {
      count += n;
    },
  };
}
let chain: ReturnType<typeof fakeChain>;

describe("NonceSequencer", () => {
  test("parallel sends get consecutive nonces, asking the chain once", async () => {
    chain = fakeChain(5);
    const sequencer = new NonceSequencer();
    const hashes = await Promise.all(
      Array.from({ length: 6 }, () => sequencer.send(chain.pending, chain.send)),
    );
    expect(hashes.sort()).toEqual(["0x10", "0x5", "0x6", "0x7", "0x8", "0x9"]);
    expect(chain.pendingCalls).toBe(1);
  });

  test("a chain behind the sequence (a devnet restarted at the same id) is followed down", async () => {
    chain = fakeChain(7);
    const sequencer = new NonceSequencer();
    await sequencer.send(chain.pending, chain.send);
    await sequencer.send(chain.pending, chain.send);
    // a new chain, same id and account: its count starts again at 0
    chain = fakeChain(0);
    expect(await sequencer.send(chain.pending, chain.send)).toBe("0x0");
    expect(await sequencer.send(chain.pending, chain.send)).toBe("0x1");
    expect([...chain.taken]).toEqual([0, 1]);
  });

  test("a nonce error resynchronises from the chain and retries", async () => {
    chain = fakeChain(0);
    const sequencer = new NonceSequencer();
    await sequencer.send(chain.pending, chain.send);
    chain.elsewhere(3);
    // the local count says 1; the chain is at 4: refused once, then sent with 4
    await expect(sequencer.send(chain.pending, chain.send)).resolves.toBe("0x4");
    expect(chain.pendingCalls).toBe(2);
    await expect(sequencer.send(chain.pending, chain.send)).resolves.toBe("0x5");
  });

  test("retries are bounded; another failure resynchronises and is thrown at once", async () => {
    chain = fakeChain(0);
    const sequencer = new NonceSequencer();
    let tries = 0;
    const alwaysLow = async () => {
      tries += 1;
      throw new Error("nonce too low");
    };
    await expect(sequencer.send(chain.pending, alwaysLow, { attempts: 3 })).rejects.toThrow("nonce too low");
    expect(tries).toBe(3);
    tries = 0;
    const broken = async () => {
      tries += 1;
      throw new Error("insufficient funds for gas");
    };
    await expect(sequencer.send(chain.pending, broken)).rejects.toThrow("insufficient funds");
    expect(tries).toBe(1);
    // the failed nonce was not used: the next send takes it
    await expect(sequencer.send(chain.pending, chain.send)).resolves.toBe("0x0");
  });

  test("sequencers are shared per chain and account, whatever the address case", () => {
    const all = new NonceSequencers();
    const address = "0xAbC0000000000000000000000000000000000001";
    expect(all.for(1, address)).toBe(all.for(1, address.toLowerCase()));
    expect(all.for(1, address)).not.toBe(all.for(2, address));
  });

  test("nonce errors are told from others, through causes", () => {
    expect(isNonceError(new Error("already known"))).toBe(true);
    expect(isNonceError(new Error("send failed", { cause: new Error("nonce too low: next 7") }))).toBe(true);
    expect(isNonceError(new Error("execution reverted"))).toBe(false);
  });
});
