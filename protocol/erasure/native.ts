import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { matMulJs } from "./gf256.ts";

/** The compiled erasure kernel (native/erasure.c), built by `npm install` through node-gyp. */
interface NativeErasure {
  matMul(coefficients: Uint8Array, inputs: readonly Uint8Array[], outputs: readonly Uint8Array[]): void;
  usesAvx2(): boolean;
}

function load(): NativeErasure | undefined {
  if (process.env.STRATA_NO_NATIVE === "1") return undefined;
  const path = join(import.meta.dirname, "..", "..", "build", "Release", "strata_erasure.node");
  if (!existsSync(path)) return undefined;
  return createRequire(import.meta.url)(path) as NativeErasure;
}

const addon = load();

/**
 * `outputs[r] = sum over c of coefficients[r * inputs.length + c] * inputs[c]` in GF(2^8), every
 * buffer of one length: the addon where it was built, else the same product in JavaScript.
 */
export const matMul: (
  coefficients: Uint8Array,
  inputs: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
) => void = addon ? addon.matMul : matMulJs;

/** Which kernel runs the products: "avx2", "table" (the addon without AVX2) or "js". */
export const erasureKernel: "avx2" | "table" | "js" = addon ? (addon.usesAvx2() ? "avx2" : "table") : "js";
