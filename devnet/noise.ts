import { createCipheriv } from "node:crypto";

/** `length` pseudo-random bytes from `seed` (AES-128-CTR of zeros): incompressible, reproducible, fast. */
export function noise(length: number, seed: number): Uint8Array {
  return createCipheriv("aes-128-ctr", new Uint8Array(16).fill(seed), new Uint8Array(16)).update(
    new Uint8Array(length),
  );
}
