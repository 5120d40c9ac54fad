import { type Chain, defineChain } from "viem";

/** The viem chain of a Strata deployment on chain `chainId`, reached at `rpcUrl`. */
export function strataChain(chainId: number, rpcUrl: string): Chain {
  return defineChain({
    id: chainId,
    name: `strata-${chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
}
