import { type Hex, toHex } from "viem";
import { CommitmentBuilder, cidOfStream, sha256Ready } from "../../protocol/index.ts";
import { InvalidArgumentError } from "../errors.ts";

/** A blob's size, CID and commitment. */
export interface HashedSource {
  size: number;
  cid: string;
  cidBytes: Hex;
  commitment: Hex;
}

/**
 * The CID and the commitment of the bytes `chunks` yields, both in the one pass: each chunk is fed
 * to the commitment builder as the UnixFS importer takes it. `onBytes` hears each chunk hashed.
 */
export async function hashSource(
  chunks: AsyncIterable<Uint8Array>,
  options: { signal?: AbortSignal | undefined; onBytes?: ((bytes: number) => void) | undefined } = {},
): Promise<HashedSource> {
  const { signal, onBytes } = options;
  await sha256Ready();
  const builder = new CommitmentBuilder();
  const tee = async function* () {
    for await (const chunk of chunks) {
      signal?.throwIfAborted();
      builder.update(chunk);
      onBytes?.(chunk.length);
      yield chunk;
    }
  };
  const cid = await cidOfStream(tee(), signal ? { signal } : {});
  if (builder.size === 0) throw new InvalidArgumentError("cannot upload an empty blob");
  return {
    size: builder.size,
    cid: cid.toString(),
    cidBytes: toHex(cid.bytes),
    commitment: toHex(builder.digest()),
  };
}
