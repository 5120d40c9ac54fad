import { type Address, erc20Abi, formatUnits, type PublicClient, parseUnits } from "viem";
import { UsageError } from "./cli-error.ts";

/** Bytes in a GB (10^9: a price per GB in tokens of 18 decimals maps exactly onto the registry's per-byte units). */
const GB = 10n ** 9n;
/** The registry's highest price per byte per epoch (56 bits). */
const MAX_PRICE = 2n ** 56n - 1n;

/**
 * The payment token's units. Every amount the CLI takes or prints is a decimal token amount
 * (`200`, `0.5`) in this token's decimals, never base units; prices are tokens per GB per epoch.
 */
export interface TokenUnits {
  decimals: number;
  symbol: string;
  /** `amount` base units as `12.5 STRATA`. */
  format(amount: bigint): string;
  /** `amount` base units as the decimal the options take (`12.5`). */
  decimal(amount: bigint): string;
  /** A decimal token amount from option `--name`; UsageError unless positive (or zero, if allowed). */
  parse(value: unknown, name: string, options?: { allowZero?: boolean }): bigint;
  /** `--price` (tokens per GB per epoch) as the registry's base units per byte per epoch. */
  parsePrice(value: unknown, name?: string): bigint;
  /** A registry price (base units per byte per epoch) as `0.001 STRATA per GB per epoch`. */
  formatPrice(pricePerByteEpoch: bigint): string;
}

/** The units of the ERC-20 at `token` (18 decimals and "tokens" if it does not say). */
export async function tokenUnits(publicClient: PublicClient, token: Address): Promise<TokenUnits> {
  const [decimals, symbol] = await Promise.all([
    publicClient.readContract({ address: token, abi: erc20Abi, functionName: "decimals" }).catch(() => 18),
    publicClient
      .readContract({ address: token, abi: erc20Abi, functionName: "symbol" })
      .catch(() => "tokens"),
  ]);
  return unitsOf(Number(decimals), symbol);
}

/** Token units of `decimals` decimals named `symbol`. */
export function unitsOf(decimals: number, symbol: string): TokenUnits {
  const format = (amount: bigint) => `${formatUnits(amount, decimals)} ${symbol}`;
  const parse = (value: unknown, name: string, options: { allowZero?: boolean } = {}) => {
    const text = String(value ?? "").trim();
    let amount: bigint | undefined;
    if (/^\d+(\.\d+)?$/.test(text) && (text.split(".")[1]?.length ?? 0) <= decimals) {
      amount = parseUnits(text, decimals);
    }
    if (amount === undefined || amount < 0n || (amount === 0n && !options.allowZero))
      throw new UsageError(
        `--${name} takes a ${options.allowZero ? "" : "positive "}token amount like 200 or 12.5 (at most ${decimals} decimals), got ${value ?? "nothing"}`,
      );
    return amount;
  };
  return {
    decimals,
    symbol,
    format,
    decimal: (amount) => formatUnits(amount, decimals),
    parse,
    parsePrice(value, name = "price") {
      const perGB = parse(value, name);
      const perByte = perGB / GB;
      if (perByte < 1n)
        throw new UsageError(
          `--${name} ${value} is below the smallest price, ${formatUnits(GB, decimals)} ${symbol} per GB per epoch`,
        );
      if (perGB % GB !== 0n)
        throw new UsageError(
          `--${name} ${value}: the registry prices whole base units per byte; the nearest prices are ${formatUnits(perByte * GB, decimals)} and ${formatUnits((perByte + 1n) * GB, decimals)} ${symbol} per GB per epoch`,
        );
      if (perByte > MAX_PRICE)
        throw new UsageError(
          `--${name} ${value} is above the largest price, ${formatUnits(MAX_PRICE * GB, decimals)} ${symbol} per GB per epoch`,
        );
      return perByte;
    },
    formatPrice(pricePerByteEpoch) {
      return `${format(pricePerByteEpoch * GB)} per GB per epoch`;
    },
  };
}
