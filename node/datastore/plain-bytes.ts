/**
 * Bytes as a plain Uint8Array, without a copy: LevelDB and file reads give Buffers, whose
 * `toString` and equality differ from a Uint8Array's, so stores mounted side by side give one kind.
 */
export function plainBytes(bytes: Uint8Array): Uint8Array {
  return Buffer.isBuffer(bytes) ? new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) : bytes;
}
