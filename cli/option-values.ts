import { UsageError } from "./cli-error.ts";

/** A positive integer option (`--replicas 3`), or `fallback` when absent; UsageError otherwise. */
export function positiveInt(value: unknown, name: string, fallback?: number): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--${name} must be a positive integer, got ${value}`);
  return n;
}

/** `--tier hot|cold` (hot when absent); UsageError otherwise. */
export function tierArg(value: unknown): "hot" | "cold" {
  if (value === undefined || value === "hot" || value === "cold") return (value as "hot" | "cold") ?? "hot";
  throw new UsageError(`--tier takes hot or cold, got ${value}`);
}

const SIZE = /^(\d+)([kmgt]?)(i?b)?$/i;

/** A size option (`64g`, `512m`, `1073741824`) in bytes, or `fallback` when absent; UsageError otherwise. */
export function sizeArg(value: unknown, name: string, fallback?: bigint): bigint | undefined {
  if (value === undefined) return fallback;
  const match = SIZE.exec(String(value));
  if (!match || BigInt(match[1] as string) === 0n)
    throw new UsageError(`--${name} takes a size: 512m, 64g, 1t, 1073741824`);
  const shift = { "": 0n, k: 10n, m: 20n, g: 30n, t: 40n }[(match[2] ?? "").toLowerCase() as ""];
  return BigInt(match[1] as string) << shift;
}

/** `--tiers hot,cold` as tier names, or `fallback` when absent; UsageError otherwise. */
export function tiersArg(value: unknown, fallback?: ("hot" | "cold")[]): ("hot" | "cold")[] | undefined {
  if (value === undefined) return fallback;
  const tiers = [
    ...new Set(
      String(value)
        .split(",")
        .map((t) => t.trim()),
    ),
  ];
  if (tiers.length === 0 || tiers.some((tier) => tier !== "hot" && tier !== "cold"))
    throw new UsageError(`--tiers takes hot, cold or hot,cold, got ${value}`);
  return tiers as ("hot" | "cold")[];
}

/** `--node-id N`. */
export function nodeIdArg(value: unknown): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1)
    throw new UsageError(`--node-id must be a positive integer, got ${value ?? "nothing"}`);
  return id;
}
