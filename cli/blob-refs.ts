import { CID } from "multiformats/cid";
import { type Address, type Hex, isHex } from "viem";
import type { StrataClient } from "../sdk/client/strata-client.ts";
import { CliError, ExitCode, UsageError } from "./cli-error.ts";

/** Pages of the indexer's blob list read looking for a CID (100 blobs a page). */
const MAX_PAGES = 100;

/**
 * The blob ids `ref` names: a blob id itself, or every blob registered with that CID the indexer
 * lists (of `owner` when given), newest first. A CID nobody registered is a CliError (exit 3).
 */
export async function blobIdsOf(
  client: StrataClient,
  ref: string | undefined,
  options: { owner?: Address; signal?: AbortSignal } = {},
): Promise<Hex[]> {
  if (ref && isHex(ref) && ref.length === 66) return [ref.toLowerCase() as Hex];
  let cid: string;
  try {
    cid = CID.parse(ref ?? "").toString();
  } catch {
    throw new UsageError(`expected a blob id (0x + 64 hex digits) or a CID, got ${ref ?? "nothing"}`);
  }
  const found: Hex[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const { blobs, next } = await client.indexer.blobs(
      { limit: 100, ...(options.owner ? { owner: options.owner } : {}), ...(after ? { after } : {}) },
      { signal: options.signal },
    );
    found.push(...blobs.filter((blob) => blob.cid === cid).map((blob) => blob.blobId as Hex));
    if (!next) break;
    after = next;
  }
  if (found.length === 0)
    throw new CliError(
      "STRATA_ERR_NOT_FOUND",
      ExitCode.notFound,
      `the indexer lists no blob with CID ${cid}${options.owner ? ` owned by ${options.owner}` : ""}: pass the blob id (strata upload printed it)`,
    );
  return found;
}
