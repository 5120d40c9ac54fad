import type { Address, Hex, WalletClient } from "viem";
import { InvalidArgumentError } from "../errors.ts";

/** The subset of an ethers v6 `Signer` the SDK uses (structural: ethers is not a dependency of the SDK's types). */
export interface EthersSignerLike {
  getAddress(): Promise<string>;
  sendTransaction(tx: {
    to: string;
    data: string;
    gasLimit?: bigint;
    value?: bigint;
    nonce?: number;
  }): Promise<{ hash: string }>;
  signTypedData(
    domain: Record<string, unknown>,
    types: Record<string, { name: string; type: string }[]>,
    value: Record<string, unknown>,
  ): Promise<string>;
  signMessage(message: string): Promise<string>;
}

/** EIP-712 data to sign, as `#protocol`'s typed-data builders return it. */
export interface TypedData {
  domain: Record<string, unknown>;
  types: Record<string, readonly { name: string; type: string }[]>;
  primaryType: string;
  message: object;
}

/**
 * What the SDK needs from a wallet: an address, sending a transaction, signing EIP-712 data.
 * Reads, simulation and receipts go through the client's own RPC, so viem and ethers behave alike.
 */
export interface ChainSigner {
  readonly kind: "viem" | "ethers";
  address(): Promise<Address>;
  sendTransaction(tx: { to: Address; data: Hex; gas?: bigint; value?: bigint; nonce?: number }): Promise<Hex>;
  signTypedData(data: TypedData): Promise<Hex>;
  /** EIP-191 `personal_sign` of a text (a vault request). */
  signMessage(message: string): Promise<Hex>;
}

/** A viem WalletClient with an account. */
export function viemSigner(wallet: WalletClient): ChainSigner {
  const account = wallet.account;
  if (!account) throw new InvalidArgumentError("the viem WalletClient has no account");
  return {
    kind: "viem",
    address: async () => account.address,
    sendTransaction: (tx) =>
      wallet.sendTransaction({
        account,
        chain: wallet.chain ?? null,
        to: tx.to,
        data: tx.data,
        gas: tx.gas,
        ...(tx.value ? { value: tx.value } : {}),
        ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
      }),
    signTypedData: (data) =>
      wallet.signTypedData({ ...data, account } as Parameters<typeof wallet.signTypedData>[0]),
    signMessage: (message) => wallet.signMessage({ account, message }),
  };
}

/** An ethers v6 Signer connected to a provider. */
export function ethersSigner(signer: EthersSignerLike): ChainSigner {
  return {
    kind: "ethers",
    address: async () => (await signer.getAddress()) as Address,
    async sendTransaction(tx) {
      const response = await signer.sendTransaction({
        to: tx.to,
        data: tx.data,
        ...(tx.gas !== undefined ? { gasLimit: tx.gas } : {}),
        ...(tx.value ? { value: tx.value } : {}),
        ...(tx.nonce !== undefined ? { nonce: tx.nonce } : {}),
      });
      return response.hash as Hex;
    },
    async signTypedData(data) {
      const { EIP712Domain: _, ...types } = data.types;
      return (await signer.signTypedData(
        data.domain,
        types as Record<string, { name: string; type: string }[]>,
        data.message as Record<string, unknown>,
      )) as Hex;
    },
    signMessage: async (message) => (await signer.signMessage(message)) as Hex,
  };
}

/** A viem WalletClient or an ethers Signer, told apart by shape. */
export function toChainSigner(wallet: WalletClient | EthersSignerLike): ChainSigner {
  if ((wallet as WalletClient).type === "walletClient") return viemSigner(wallet as WalletClient);
  if (typeof (wallet as EthersSignerLike).getAddress === "function")
    return ethersSigner(wallet as EthersSignerLike);
  throw new InvalidArgumentError(
    "signer must be a viem WalletClient, an ethers v6 Signer or an EIP-1193 provider",
  );
}
