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
