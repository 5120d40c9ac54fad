import { CID } from "multiformats/cid";
import { type CarQuery, createNodeClient, type NodeClient } from "../../api/node/index.ts";
import { ServiceError } from "../../api/service-error.ts";
import {
  FetchFailedError,
  InvalidArgumentError,
  type NodeFailure,
  RangeNotSatisfiableError,
  StrataError,
  VerificationError,
} from "../errors.ts";
import { verifiedFileBytes } from "./verified-car.ts";

export interface Source {
  nodeId: number;
  endpoint: string;
}

/** A byte range of a file: `length` bytes from `offset` (to the end of the file without `length`). */
export interface ByteRange {
  offset: number;
  length?: number;
}

/**
 * The verified bytes of `cid` (or of `range` of it), from the first of `sources` that serves
 * them. Each node is asked for a CAR of just the blocks the bytes still wanted need (the trustless
 * gateway's `entity-bytes`), and every block is checked against its CID and its place on the path
 * to those bytes before any of its bytes are yielded. A node that fails (unreachable, an error
 * status, bytes that do not verify, a stream cut short) is skipped and the next one is asked for
 * the rest: bytes already yielded are not fetched or yielded again.
 *
 * A range past the end of the file yields what the file has of it; one that holds none of a
 * non-empty file's bytes throws RangeNotSatisfiableError (once a node's root block shows it).
 */
export async function* readWithFailover(
  cid: string,
  sources: Source[],
  options: {
    signal?: AbortSignal;
    timeoutMs?: number;
    onFailure?: (failure: NodeFailure) => void;
    range?: ByteRange;
  } = {},
): AsyncGenerator<Uint8Array> {
  let root: CID;
  try {
    root = CID.parse(cid);
  } catch {
    throw new StrataError("STRATA_ERR_INVALID_ARGUMENT", `${cid} is not a CID`);
  }
  const { range } = options;
  if (range) checkRange(range);
  if (range?.length === 0) return;
  if (sources.length === 0) throw new FetchFailedError(cid, [], "no node holds it");
  const offset = range?.offset ?? 0;
  const end = range?.length !== undefined ? offset + range.length : undefined;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const failures: NodeFailure[] = [];
  let delivered = 0;
  for (const source of sources) {
    options.signal?.throwIfAborted();
    const controller = new AbortController();
    const signal = AbortSignal.any([controller.signal, ...(options.signal ? [options.signal] : [])]);
    const node = createNodeClient({ baseUrl: source.endpoint, nodeId: source.nodeId });
    const from = offset + delivered;
    const wanted = { offset: from, end };
    let stop = () => {};
    try {
      const query: CarQuery = { dagScope: "entity", dups: true };
      if (range || delivered > 0) query.entityBytes = { from, to: end === undefined ? "*" : end - 1 };
      const answer = setTimeout(() => controller.abort(new Error(`no answer in ${timeoutMs} ms`)), timeoutMs);
      let body: AsyncIterable<Uint8Array>;
      try {
        body = await node.getIpfs(root.toString(), { format: "car", car: query, signal });
      } catch (error) {
        if (error instanceof ServiceError && error.code === "NODE_ERR_RANGE")
          await confirmOutside(node, root, from, signal);
        throw error;
      } finally {
        clearTimeout(answer);
      }
      // past the answer, a node may take as long as it likes, as long as bytes keep coming
      const chunks = idle(body, timeoutMs, controller);
      stop = chunks.stop;
      let size: number | undefined;
      for await (const chunk of verifiedFileBytes(root, chunks.body, {
        range: wanted,
        onSize: (bytes) => {
          size = bytes;
        },
      })) {
        delivered += chunk.length;
        yield chunk;
      }
      if (range && delivered === 0 && size !== undefined && size > 0 && from >= size)
        throw new RangeNotSatisfiableError(cid, from, size);
      return;
    } catch (error) {
      options.signal?.throwIfAborted();
      if (error instanceof RangeNotSatisfiableError) throw error;
      const failure: NodeFailure = {
        nodeId: source.nodeId,
        endpoint: source.endpoint,
        error:
          error instanceof VerificationError ? `sent bad data: ${error.message}` : (error as Error).message,
        ...(error instanceof ServiceError && error.status > 0
          ? { code: error.code, status: error.status }
          : {}),
      };
      failures.push(failure);
      options.onFailure?.(failure);
    } finally {
      stop();
      // the rest of the answer (if any) is not needed
      controller.abort();
    }
  }
  throw new FetchFailedError(cid, failures);
}

/** Throws InvalidArgumentError unless `range` is an offset and an optional length, whole numbers >= 0. */
export function checkRange(range: ByteRange): void {
  const whole = (n: unknown) => typeof n === "number" && Number.isSafeInteger(n) && n >= 0;
  if (!whole(range.offset) || (range.length !== undefined && !whole(range.length)))
    throw new InvalidArgumentError(
      `a range is an offset and a length, whole numbers >= 0 (got ${range.offset}, ${range.length})`,
    );
}

/**
 * A node refused a range as holding none of the file's bytes: its root block (verified) says how
 * big the file is. True: RangeNotSatisfiableError; false (the node refused a range it has): the
 * refusal stands as that node's failure.
 */
async function confirmOutside(node: NodeClient, root: CID, from: number, signal: AbortSignal) {
  let size: number | undefined;
  const car = await node.getIpfs(root.toString(), { format: "car", car: { dagScope: "block" }, signal });
  for await (const _ of verifiedFileBytes(root, car, {
    range: { offset: 0, end: 0 },
    onSize: (bytes) => {
      size = bytes;
    },
  })) {
    // an empty range yields nothing: only the root is read
  }
  if (size !== undefined && size > 0 && from >= size)
    throw new RangeNotSatisfiableError(root.toString(), from, size);
}

/**
 * `body`'s chunks; aborts `controller` when no chunk came for `ms` while one was wanted (a node
 * that hangs mid-stream). `stop` disarms the timer.
 */
function idle(body: AsyncIterable<Uint8Array>, ms: number, controller: AbortController) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(new Error(`no data for ${ms} ms`)), ms);
  };
  async function* chunks(): AsyncGenerator<Uint8Array> {
    arm();
    try {
      for await (const chunk of body) {
        clearTimeout(timer);
        yield chunk;
        arm();
      }
    } finally {
      clearTimeout(timer);
    }
  }
  return { body: chunks(), stop: () => clearTimeout(timer) };
}
