import { open } from "node:fs/promises";
import type { CID } from "multiformats/cid";
import { chunkBlock, VAULT_CHUNK_SIZE } from "#protocol";
import { TruncatedBodyError } from "../errors.ts";
import type { StoredFile } from "./vault-store.ts";
import type { OpenVault } from "./vaults.ts";

/** A path in a vault: `/`-separated, no empty, `.` or `..` segment, at most 1024 bytes. */
export function vaultPath(raw: string): string {
  const path = raw.replace(/^\/+/, "");
  const segments = path.split("/");
  if (
    path.length === 0 ||
    Buffer.byteLength(path) > 1024 ||
    segments.some((s) => s === "" || s === "." || s === "..") ||
    path.includes("\0")
  ) {
    return "";
  }
  return path;
}

/**
 * Writes a file: the body cut into 1 MiB chunks, each hashed and written once under its CID
 * (fsynced), then the file's row in one transaction, after which the file is durable and
 * replaces any at its path. Exactly `size` bytes or nothing: a short body leaves no row.
 */
export async function writeVaultFile(
  vault: OpenVault,
  path: string,
  body: AsyncIterable<Uint8Array>,
  options: { size: number; type: string; signal?: AbortSignal },
): Promise<StoredFile> {
  const chunks: CID[] = [];
  let buffer = Buffer.allocUnsafe(Math.min(VAULT_CHUNK_SIZE, Math.max(1, options.size)));
  let filled = 0;
  let received = 0;
  const flush = async () => {
    const bytes = buffer.subarray(0, filled);
    const block = await chunkBlock(bytes);
    await vault.store.writeChunk(block.cid, bytes);
    chunks.push(block.cid);
    buffer = Buffer.allocUnsafe(Math.min(VAULT_CHUNK_SIZE, Math.max(1, options.size - received)));
    filled = 0;
  };
  for await (const piece of body) {
    options.signal?.throwIfAborted();
    let offset = 0;
    while (offset < piece.length) {
      const take = Math.min(piece.length - offset, buffer.length - filled);
      buffer.set(piece.subarray(offset, offset + take), filled);
      filled += take;
      offset += take;
      received += take;
      if (received > options.size) throw new TruncatedBodyError(received, options.size);
      if (filled === buffer.length) await flush();
    }
  }
  if (filled > 0) await flush();
  if (received !== options.size) throw new TruncatedBodyError(received, options.size);
  await vault.store.syncChunks();
  const file: StoredFile = { path, size: options.size, type: options.type, modified: Date.now(), chunks };
  const orphans = vault.store.putFile(file);
  await vault.dropChunks(orphans);
  return file;
}

/** The bytes `offset` to `offset + length` of a file, from its chunks. */
export async function* readVaultFile(
  vault: OpenVault,
  file: StoredFile,
  range: { offset: number; length: number },
): AsyncGenerator<Uint8Array> {
  const position = range.offset;
  const end = range.offset + range.length;
  // a file replaced while it is read keeps its chunks until the read ends
  vault.readers += 1;
  try {
    yield* chunksOf(vault, file, position, end);
  } finally {
    vault.readers -= 1;
    await vault.dropChunks([]);
  }
}

async function* chunksOf(
  vault: OpenVault,
  file: StoredFile,
  start: number,
  end: number,
): AsyncGenerator<Uint8Array> {
  let position = start;
  while (position < end) {
    const index = Math.floor(position / VAULT_CHUNK_SIZE);
    const cid = file.chunks[index] as CID;
    const within = position - index * VAULT_CHUNK_SIZE;
    const length = Math.min(VAULT_CHUNK_SIZE - within, end - position);
    const handle = await open(vault.store.chunkPath(cid), "r");
    try {
      const out = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(out, 0, length, within);
      yield out.subarray(0, bytesRead);
      if (bytesRead === 0) return;
      position += bytesRead;
    } finally {
      await handle.close();
    }
  }
}

export function fileReply(file: StoredFile) {
  return {
    path: file.path,
    size: file.size,
    type: file.type,
    modified: file.modified,
    chunks: file.chunks.map(String),
  };
}
