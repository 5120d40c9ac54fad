/**
 * `bytes[start, end)` as a latin1 string (one character per byte): Node's Buffer decodes it
 * without copying. The browser build takes `latin1.browser.ts`.
 */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1", start, end);
}
