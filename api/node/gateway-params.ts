/**
 * The trustless gateway's request parameters (specs.ipfs.tech/http-gateways/trustless-gateway),
 * as the node reads them and clients write them: `dag-scope`, `entity-bytes`, and the CAR's
 * version, order and duplicates.
 */

export const RAW_TYPE = "application/vnd.ipld.raw";
export const CAR_TYPE = "application/vnd.ipld.car";

export type DagScope = "block" | "entity" | "all";
export const DAG_SCOPES: readonly DagScope[] = ["block", "entity", "all"];

/**
 * `entity-bytes=from:to`, inclusive, as asked: a negative number counts from the end of the
 * file (-1 is its last byte), `to` may be `*` (the end of the file).
 */
export interface EntityBytes {
  from: number;
  to: number | "*";
}

const INTEGER = /^-?(0|[1-9][0-9]*)$/;

/**
 * Parses `from:to`; undefined when malformed: not two integers (or `*` for `to`), beyond 2^53,
 * or `from` after `to` when both count from the same end.
 */
export function parseEntityBytes(text: string): EntityBytes | undefined {
  const parts = text.split(":");
  if (parts.length !== 2) return undefined;
  const [first, last] = parts as [string, string];
  if (!INTEGER.test(first) || (last !== "*" && !INTEGER.test(last))) return undefined;
  const from = Number(first);
  const to = last === "*" ? "*" : Number(last);
  if (!Number.isSafeInteger(from) || (to !== "*" && !Number.isSafeInteger(to))) return undefined;
  if (Object.is(from, -0) || Object.is(to, -0)) return undefined;
  if (to !== "*" && from >= 0 === to >= 0 && from > to) return undefined;
  return { from, to };
}

export function formatEntityBytes(bytes: EntityBytes): string {
  return `${bytes.from}:${bytes.to}`;
}

/**
 * The half-open range [from, to) of a file of `size` bytes that `bytes` names, clamped to the
 * file; `outside` when it holds none of the file's bytes because it starts past the end or ends
 * before the start (a gateway answers 400 when it can tell up front). A range reversed by the
 * file's size (e.g. `10:-995` of 1000 bytes) is empty, not outside.
 */
export function resolveEntityBytes(
  bytes: EntityBytes,
  size: number,
): { from: number; to: number; outside: boolean } {
  const first = bytes.from < 0 ? size + bytes.from : bytes.from;
  const last = bytes.to === "*" ? size - 1 : bytes.to < 0 ? size + bytes.to : bytes.to;
  if (first >= size || last < 0) return { from: size, to: size, outside: true };
  const from = Math.max(0, first);
  const to = Math.min(size - 1, last) + 1;
  return { from, to: Math.max(from, to), outside: false };
}

/** How a CAR answer is asked for: scope, optional byte range, duplicates (always CARv1, DFS order). */
export interface CarQuery {
  dagScope?: DagScope;
  entityBytes?: EntityBytes;
  /** Duplicate blocks sent each time the walk meets them (`y`), or once (`n`). */
  dups?: boolean;
}

/** The query string of a CAR request (`?format=car&…`), parameters in the spec's names. */
export function carQueryString(query: CarQuery = {}): string {
  const params = new URLSearchParams({ format: "car" });
  if (query.dagScope) params.set("dag-scope", query.dagScope);
  if (query.entityBytes) params.set("entity-bytes", formatEntityBytes(query.entityBytes));
  params.set("car-version", "1");
  params.set("car-order", "dfs");
  if (query.dups !== undefined) params.set("car-dups", query.dups ? "y" : "n");
  return params.toString().replaceAll("%3A", ":").replaceAll("%2A", "*");
}

/** The Accept header matching a CAR request. */
export function carAccept(query: CarQuery = {}): string {
  return `${CAR_TYPE}; version=1; order=dfs${query.dups === undefined ? "" : `; dups=${query.dups ? "y" : "n"}`}`;
}
