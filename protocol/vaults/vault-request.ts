import type { Hex } from "viem";

/** What a signed request to a vault on a node covers (docs/protocol.md §8). */
export interface VaultRequest {
  chainId: number;
  vaultId: number;
  method: string;
  /** Path and query, as sent. */
  path: string;
  /** The body's length in bytes (0 without one). */
  contentLength: number;
  /** Unix seconds; a node refuses a request more than two minutes off its clock. */
  timestamp: number;
  /** 16 random bytes, hex: a node refuses one it has seen. */
  nonce: Hex;
}

/** How far a signed request's time may be from the node's. */
export const VAULT_REQUEST_SKEW_SECONDS = 120;

/**
 * The text the owner, an app key or a node signs (EIP-191 `personal_sign`) for one request. The
 * chain and vault bind it to one vault of one deployment; method, path and length to one request;
 * timestamp and nonce make it good once.
 */
export function vaultRequestMessage(request: VaultRequest): string {
  return [
    "Strata vault request",
    `chain: ${request.chainId}`,
    `vault: ${request.vaultId}`,
    `${request.method.toUpperCase()} ${request.path}`,
    `length: ${request.contentLength}`,
    `at: ${request.timestamp}`,
    `nonce: ${request.nonce.toLowerCase()}`,
  ].join("\n");
}
