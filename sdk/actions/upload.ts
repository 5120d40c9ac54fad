import { basename } from "node:path";
import { type ClientContext, signing } from "../client/client-context.ts";
import type { UploadSource } from "../client/prepare-source.ts";
import { uploadBlob } from "../client/upload-blob.ts";
import type { UploadOptions, UploadResult } from "../client/upload-types.ts";

/** What to upload (bytes, a file path or a stream) and how. */
export type UploadParameters = UploadOptions & { source: UploadSource };

export type UploadReturnType = UploadResult;

/**
 * Uploads a blob and returns once it is certified on chain: CID and commitment computed locally,
 * nodes picked through the indexer, the price paid into escrow, the bytes streamed to every node,
 * their attestations certified. A file path names the blob after the file unless `name` is given.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { blobId, cid } = await upload(client.context, { source: "./photo.jpg", epochs: 4 });
 */
export async function upload(ctx: ClientContext, params: UploadParameters): Promise<UploadReturnType> {
  const { source, ...options } = params;
  const name = options.name ?? (typeof source === "string" ? basename(source) : "");
  return uploadBlob(signing(ctx), source, { ...options, name });
}
