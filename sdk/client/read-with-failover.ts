import { CID } from "multiformats/cid";
import { createNodeClient } from "../../api/node/index.ts";
import { FetchFailedError, type NodeFailure, StrataError, VerificationError } from "../errors.ts";
import { verifiedFileBytes } from "./verified-car.ts";

export interface Source {
  nodeId: number;
  endpoint: string;
}

/**
 * The verified bytes of `cid`, from the first of `sources` that serves them. A node that fails
 * (unreachable, an error status, bytes that do not verify, a stream cut short) is skipped and the
 * next one continues where it stopped: bytes already yielded are not yielded again.
 */
export async function* readWithFailover(
  cid: string,
  sources: Source[],
  options: { signal?: AbortSignal; timeoutMs?: number; onFailure?: (failure: NodeFailure) => void } = {},
): AsyncGenerator<Uint8Array> {
  let root: CID;
  try {
    root = CID.parse(cid);
  } catch {
    throw new StrataError("STRATA_ERR_INVALID_ARGUMENT", `${cid} is not a CID`);
  }
  if (sources.length === 0) throw new FetchFailedError(cid, [], "no node holds it");
  const failures: NodeFailure[] = [];
  let delivered = 0;
  for (const source of sources) {
    options.signal?.throwIfAborted();
    const controller = new AbortController();
    const signals = [controller.signal, ...(options.signal ? [options.signal] : [])];
    let skip = delivered;
    try {
      const timeoutMs = options.timeoutMs ?? 10_000;
      const answer = setTimeout(() => controller.abort(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      const node = createNodeClient({ baseUrl: source.endpoint, nodeId: source.nodeId });
      const body = await node
        .getIpfs(root.toString(), { format: "car", signal: AbortSignal.any(signals) })
        .finally(() => clearTimeout(answer));
      // past the answer, a node may take as long as it likes, as long as bytes keep coming
      for await (const chunk of verifiedFileBytes(root, idle(body, timeoutMs, controller))) {
        if (skip >= chunk.length) {
          skip -= chunk.length;
          continue;
        }
        const fresh = skip > 0 ? chunk.subarray(skip) : chunk;
        skip = 0;
        delivered += fresh.length;
        yield fresh;
      }
      return;
    } catch (error) {
      options.signal?.throwIfAborted();
      controller.abort();
      const failure = {
        nodeId: source.nodeId,
        endpoint: source.endpoint,
        error:
          error instanceof VerificationError ? `sent bad data: ${error.message}` : (error as Error).message,
      };
      failures.push(failure);
      options.onFailure?.(failure);
    }
  }
  throw new FetchFailedError(cid, failures);
}

/** `body`'s chunks; aborts `controller` when no chunk came for `ms` (a node that hangs mid-stream). */
async function* idle(
  body: AsyncIterable<Uint8Array>,
  ms: number,
  controller: AbortController,
): AsyncGenerator<Uint8Array> {
  let timer = setTimeout(() => controller.abort(new Error(`no data for ${ms} ms`)), ms);
  try {
    for await (const chunk of body) {
      clearTimeout(timer);
      yield chunk;
      timer = setTimeout(() => controller.abort(new Error(`no data for ${ms} ms`)), ms);
    }
  } finally {
    clearTimeout(timer);
  }
}
