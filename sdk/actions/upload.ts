import { type ClientContext, signing } from "../client/client-context.ts";
import { uploadBlob } from "../client/upload-blob.ts";
import type { UploadOptions, UploadResult, UploadSource } from "../client/upload-types.ts";

/** What to upload (bytes, a File or Blob, a stream, or in Node.js a file path) and how. */
export type UploadParameters = UploadOptions & { source: UploadSource };

export type UploadReturnType = UploadResult;

/**
 * Uploads a blob and returns once it is certified on chain: CID and commitment computed locally,
 * nodes picked through the indexer, the price paid into escrow, the bytes streamed to every node,
 * their attestations certified. A file path or a `File` names the blob after the file unless
 * `name` is given, and a `File` or `Blob` with a type gives its MIME type unless `mimeType` is.
 *
 * @example
 * const client = new StrataClient({ deployment, rpcUrl, signer, indexerUrl });
 * const { blobId, cid } = await upload(client.context, { source: "./photo.jpg", epochs: 4 });
 * // in a page: the File of an <input type="file">
 * await upload(client.context, { source: input.files[0], onProgress: (p) => console.log(p.stage, p.bytes) });
 */
export async function upload(ctx: ClientContext, params: UploadParameters): Promise<UploadReturnType> {
  const { source, ...options } = params;
  const name = options.name ?? nameOf(source);
  const mimeType = options.mimeType ?? (source instanceof Blob && source.type ? source.type : undefined);
  return uploadBlob(signing(ctx), source, { ...options, name, ...(mimeType ? { mimeType } : {}) });
}

/** The file name of a path or a File; "" for anything else. */
function nameOf(source: UploadSource): string {
  if (typeof source === "string") return source.split(/[\\/]/).pop() ?? "";
  if (typeof File !== "undefined" && source instanceof File) return source.name;
  return "";
}
