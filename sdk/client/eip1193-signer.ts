import { type Address, type Chain, createWalletClient, custom, type EIP1193Provider, getAddress } from "viem";
import { InvalidArgumentError } from "../errors.ts";
import { type ChainSigner, viemSigner } from "./chain-signer.ts";

/** An EIP-1193 provider: a page's injected wallet (`window.ethereum`), WalletConnect's, any. */
export interface Eip1193ProviderLike {
  request(args: { method: string; params?: unknown }): Promise<unknown>;
}

/**
 * A wallet reached through an EIP-1193 provider, signing through viem's `custom` transport:
 * transactions with `eth_sendTransaction`, typed data with `eth_signTypedData_v4`, messages with
 * `personal_sign`, each confirmed by the user in the wallet. The account is `account`, else the
 * wallet's first, asked for (`eth_requestAccounts`) at the first call that needs it. With
 * `chain`, a transaction is refused (viem's ChainMismatchError) while the wallet is on another
 * chain.
 */
export function eip1193Signer(
  provider: Eip1193ProviderLike,
  options: { account?: Address; chain?: Chain } = {},
): ChainSigner {
  let ready: Promise<ChainSigner> | undefined;
  const signer = (): Promise<ChainSigner> => {
    ready ??= (async () => {
      const account = options.account ?? (await requestAccount(provider));
      const transport = custom(provider as EIP1193Provider);
      return viemSigner(
        createWalletClient({ account, transport, ...(options.chain ? { chain: options.chain } : {}) }),
      );
    })().catch((error: unknown) => {
      ready = undefined; // a refusal in the wallet is asked again next time
      throw error;
    });
    return ready;
  };
  return {
    kind: "viem",
    address: async () => (await signer()).address(),
    sendTransaction: async (tx) => (await signer()).sendTransaction(tx),
    signTypedData: async (data) => (await signer()).signTypedData(data),
    signMessage: async (message) => (await signer()).signMessage(message),
  };
}

/** The wallet's first account, asked for (the wallet may ask its user to connect). */
async function requestAccount(provider: Eip1193ProviderLike): Promise<Address> {
  const accounts = (await provider.request({ method: "eth_requestAccounts" })) as string[] | undefined;
  const first = accounts?.[0];
  if (!first) throw new InvalidArgumentError("the wallet gave no account");
  return getAddress(first);
}

/** Whether `wallet` is an EIP-1193 provider (a `request` function, and neither a viem client nor an ethers signer). */
export function isEip1193Provider(wallet: unknown): wallet is Eip1193ProviderLike {
  const candidate = wallet as { request?: unknown; type?: unknown; getAddress?: unknown } | undefined;
  return (
    typeof candidate?.request === "function" &&
    candidate.type !== "walletClient" &&
    typeof candidate.getAddress !== "function"
  );
}
