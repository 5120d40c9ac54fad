import { type Hex, toHex } from "viem";
import { vaultRequestMessage } from "../../protocol/index.ts";
import type { VaultAuthorizer } from "./vault-node-client.ts";

/**
 * Signs each vault request as `address` with `signMessage` (EIP-191): the value of the
 * `x-strata-vault-auth` header, fresh time and nonce every time.
 */
export function vaultAuthorizer(options: {
  address: string;
  chainId: number;
  vaultId: number;
  signMessage: (message: string) => Promise<Hex>;
}): VaultAuthorizer {
  return async (method, path, contentLength) => {
    const timestamp = Math.floor(Date.now() / 1000);
    const nonce = toHex(crypto.getRandomValues(new Uint8Array(16)));
    const message = vaultRequestMessage({
      chainId: options.chainId,
      vaultId: options.vaultId,
      method,
      path,
      contentLength,
      timestamp,
      nonce,
    });
    const signature = await options.signMessage(message);
    return `${options.address}.${timestamp}.${nonce}.${signature}`;
  };
}
