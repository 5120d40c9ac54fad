import { hash } from "node:crypto";

/**
 * SHA-256 of `data`, synchronously: Node's one-shot `crypto.hash` (OpenSSL). The browser build
 * takes `sha256.browser.ts` instead (WebAssembly, with a JavaScript fallback).
 */
export function sha256(data: Uint8Array): Uint8Array {
  return hash("sha256", data, "buffer");
}

/** Resolves once `sha256` runs at full speed: at once in Node (the browser build loads its WebAssembly). */
export function sha256Ready(): Promise<void> {
  return Promise.resolve();
}
