// How numbers read on screen.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];

/** 5242880 → "5.0 MiB". */
export function bytes(value: number | bigint | string): string {
  let n = Number(value);
  let unit = 0;
  while (Math.abs(n) >= 1024 && unit < UNITS.length - 1) {
    n /= 1024;
    unit++;
  }
  return unit === 0 ? `${n} B` : `${n.toFixed(1)} ${UNITS[unit]}`;
}

/** Base units (18 decimals) as tokens: "1,234.56". */
export function tokens(baseUnits: string | bigint, decimals = 18): string {
  const value = BigInt(baseUnits);
  const scale = 10n ** BigInt(decimals);
  const whole = value / scale;
  const cents = ((value % scale) * 100n) / scale;
  const fraction = cents === 0n ? "" : `.${cents.toString().padStart(2, "0").replace(/0$/, "")}`;
  return `${whole.toLocaleString("en-US")}${fraction}`;
}

/** A price per byte and epoch in base units, as is (it is tiny): "1,000". */
export function integer(value: string | number | bigint): string {
  return BigInt(value).toLocaleString("en-US");
}

/** "0x1234…abcd". */
export function short(hex: string, keep = 6): string {
  return hex.length <= keep * 2 + 1 ? hex : `${hex.slice(0, keep)}…${hex.slice(-4)}`;
}

/** 0.973 → "97.3 %". */
export function percent(share: number): string {
  return `${(share * 100).toFixed(1)} %`;
}

/** Milliseconds: "3.2 ms", or "–" when unknown. */
export function ms(value: number | null | undefined): string {
  return value === null || value === undefined
    ? "–"
    : `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;
}

/** Tier bits (1 hot, 2 cold) as words. */
export function tiers(bits: number): string {
  const names = [bits & 1 ? "hot" : "", bits & 2 ? "cold" : ""].filter(Boolean);
  return names.length ? names.join(", ") : "none";
}

/** Seconds since a Unix time in milliseconds, as "12 s ago". */
export function ago(at: number | null | undefined, now = Date.now()): string {
  if (!at) return "never";
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return `${seconds} s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  return `${Math.round(seconds / 3600)} h ago`;
}
