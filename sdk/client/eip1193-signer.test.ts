import { type Hex, recoverMessageAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { eip1193Signer, isEip1193Provider } from "./eip1193-signer.ts";

const account = privateKeyToAccount(`0x${"11".repeat(32)}`);

/** A wallet that signs messages with `account` and records what it is asked; refuses to connect while `refusing`. */
function wallet() {
  const calls: { method: string; params?: unknown }[] = [];
  const state = { refusing: false };
  return {
    calls,
    state,
    async request(args: { method: string; params?: unknown }): Promise<unknown> {
      calls.push(args);
      if (args.method === "eth_requestAccounts") {
        if (state.refusing) throw Object.assign(new Error("User rejected the request."), { code: 4001 });
        return [account.address.toLowerCase()];
      }
      if (args.method === "personal_sign") {
        const [message] = args.params as [Hex];
        return account.signMessage({ message: { raw: message } });
      }
      throw new Error(`unexpected ${args.method}`);
    },
  };
}

describe("eip1193Signer", () => {
  test("connects the wallet's first account on first use, once, and signs messages through it", async () => {
    const provider = wallet();
    const signer = eip1193Signer(provider);
    expect(provider.calls).toEqual([]);
    expect(await signer.address()).toBe(account.address);
    const signature = await signer.signMessage("hello strata");
    expect(await recoverMessageAddress({ message: "hello strata", signature })).toBe(account.address);
    expect(provider.calls.map((c) => c.method)).toEqual(["eth_requestAccounts", "personal_sign"]);
  });

  test("uses the account it is given without asking the wallet", async () => {
    const provider = wallet();
    expect(await eip1193Signer(provider, { account: account.address }).address()).toBe(account.address);
    expect(provider.calls).toEqual([]);
  });

  test("asks again after the user refused to connect", async () => {
    const provider = wallet();
    provider.state.refusing = true;
    const signer = eip1193Signer(provider);
    await expect(signer.address()).rejects.toThrow("User rejected");
    provider.state.refusing = false;
    expect(await signer.address()).toBe(account.address);
  });

  test("tells a provider from a viem WalletClient and an ethers signer", () => {
    expect(isEip1193Provider(wallet())).toBe(true);
    expect(isEip1193Provider({ type: "walletClient", request: async () => undefined })).toBe(false);
    expect(isEip1193Provider({ getAddress: async () => "0x", request: async () => undefined })).toBe(false);
    expect(isEip1193Provider({})).toBe(false);
  });
});
