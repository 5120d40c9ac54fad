import type { Address } from "viem";

/** What the wallet forwards to: an EIP-1193 provider that signs for `address` (the harness chain's, its accounts unlocked). */
export interface Upstream {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/**
 * A wallet as a page sees `window.ethereum`: an EIP-1193 provider that connects `address`
 * (`eth_requestAccounts`) and passes every other call (transactions, typed data, messages, reads)
 * to `upstream`. `calls` lists the methods asked for, in order.
 */
export function testWallet(upstream: Upstream, address: Address) {
  const calls: string[] = [];
  return {
    calls,
    async request(args: { method: string; params?: unknown }): Promise<unknown> {
      calls.push(args.method);
      if (args.method === "eth_requestAccounts" || args.method === "eth_accounts") return [address];
      return upstream.request(args);
    },
  };
}
