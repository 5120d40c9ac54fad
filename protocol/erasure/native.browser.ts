// The browser build's `native.ts`: no addon in a page, so GF(2^8) products run in JavaScript.
import { matMulJs } from "./gf256.ts";
import type * as Node from "./native.ts";

export const matMul: typeof Node.matMul = matMulJs;

export const erasureKernel: typeof Node.erasureKernel = "js";
