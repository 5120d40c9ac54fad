import { type Address, getAddress, isAddress } from "viem";
import type { DeployParams } from "../devnet/deploy-strata.ts";
import { UsageError } from "./cli-error.ts";
import type { TokenUnits } from "./token-units.ts";

/** The flags of `strata deploy` that set the contracts' parameters, with the devnet's defaults. */
export const deployFlags = {
  period: { type: "string" },
  "periods-per-epoch": { type: "string" },
  "certify-window": { type: "string" },
  "min-stake": { type: "string" },
  slash: { type: "string" },
  "reporter-share": { type: "string" },
  "misses-to-drop": { type: "string" },
  "unbonding-delay": { type: "string" },
  fee: { type: "string" },
  samples: { type: "string" },
  "cold-margin": { type: "string" },
  treasury: { type: "string" },
  token: { type: "string" },
  faucet: { type: "string" },
  "faucet-limit": { type: "string" },
  "faucet-cooldown": { type: "string" },
  supply: { type: "string" },
} as const;

export const deployFlagsHelp = `Time:
  --period SECONDS        proving period: every node proves once per period (default 60)
  --periods-per-epoch N   periods in an epoch, the unit of price and term (default 10)
  --certify-window SECS   time an upload has to be certified, else it may be reclaimed (default 600)
Stake and slashing:
  --min-stake TOKENS      stake a node needs to be chosen for blobs (default 100)
  --slash TOKENS          stake taken for each missed proof (default 10)
  --reporter-share PCT    percent of a slash paid to whoever reported the miss (default 20)
  --misses-to-drop N      misses in a row that drop a node from its blobs (default 3)
  --unbonding-delay SECS  time between unstake and withdraw (default 60)
Market:
  --fee PCT               protocol fee, percent on top of storage prices (default 1)
  --samples N             leaves sampled per proof (default 5)
  --cold-margin N         attestations beyond the recovery threshold a cold blob needs (default 1)
  --treasury ADDRESS      receives fees and slashed stake (default: the deployer)
Token:
  --token ADDRESS         pay and stake with this existing ERC-20 (it has no faucet)
  --faucet on|off         the faucet of a fresh devnet token (default on)
  --faucet-limit TOKENS   most tokens one faucet call hands out (default 1000000)
  --faucet-cooldown SECS  time between one account's faucet calls (default 0)
  --supply TOKENS         minted to the deployer with a fresh token (default 0; needed with --faucet off)`;

type Values = Record<string, unknown>;

function whole(values: Values, name: string, fallback: number, min: number, max: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}, got ${raw}`);
  return n;
}

/** A percentage (`20`, `0.5`, `20%`) as basis points. */
function percent(values: Values, name: string, fallbackBps: number): number {
  const raw = values[name];
  if (raw === undefined) return fallbackBps;
  const n = Number(String(raw).replace(/%$/, ""));
  const bps = Math.round(n * 100);
  if (!Number.isFinite(n) || n < 0 || n > 100 || Math.abs(bps - n * 100) > 1e-6)
    throw new UsageError(`--${name} takes a percentage from 0 to 100 in steps of 0.01, got ${raw}`);
  return bps;
}

function address(values: Values, name: string): Address | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !isAddress(raw))
    throw new UsageError(`--${name} takes an address (0x + 40 hex digits), got ${raw}`);
  return getAddress(raw);
}

/** The existing ERC-20 of `--token`, if given; checked against the faucet flags first. */
export function existingToken(values: Values): Address | undefined {
  const token = address(values, "token");
  if (
    token &&
    (values.faucet === "on" || values["faucet-limit"] !== undefined || values.supply !== undefined)
  )
    throw new UsageError(
      "--token names an existing ERC-20: it has no faucet and no supply to mint (drop --faucet, --faucet-limit and --supply)",
    );
  return token;
}

/** DeployParams from the flags; token amounts in `units` (the fresh token's, or the existing ERC-20's). */
export function deployParamsFrom(values: Values, units: TokenUnits): DeployParams {
  const token = existingToken(values);
  const period = whole(values, "period", 60, 1, 2 ** 31);
  const perEpoch = whole(values, "periods-per-epoch", 10, 1, 2 ** 31);
  if (period * perEpoch > 2 ** 32 - 1)
    throw new UsageError("an epoch (--period × --periods-per-epoch) must be under 2^32 seconds");
  const faucet = values.faucet ?? "on";
  if (faucet !== "on" && faucet !== "off") throw new UsageError(`--faucet takes on or off, got ${faucet}`);
  const supply = values.supply === undefined ? 0n : units.parse(values.supply, "supply", { allowZero: true });
  if (!token && faucet === "off" && supply === 0n)
    throw new UsageError(
      "--faucet off with a fresh token needs --supply TOKENS: nobody could get tokens otherwise",
    );
  const faucetLimit =
    faucet === "off" || token
      ? 0n
      : values["faucet-limit"] === undefined
        ? 1_000_000n * 10n ** BigInt(units.decimals)
        : units.parse(values["faucet-limit"], "faucet-limit");
  const treasury = address(values, "treasury");
  return {
    periodSeconds: period,
    epochSeconds: period * perEpoch,
    certifyWindow: whole(values, "certify-window", 600, 1, 2 ** 32 - 1),
    minStake:
      values["min-stake"] === undefined
        ? 100n * 10n ** BigInt(units.decimals)
        : units.parse(values["min-stake"], "min-stake"),
    slashAmount:
      values.slash === undefined
        ? 10n * 10n ** BigInt(units.decimals)
        : units.parse(values.slash, "slash", { allowZero: true }),
    reporterBps: percent(values, "reporter-share", 2_000),
    missesToDrop: whole(values, "misses-to-drop", 3, 1, 65_535),
    unbondingDelay: BigInt(whole(values, "unbonding-delay", 60, 0, Number.MAX_SAFE_INTEGER)),
    feeBps: percent(values, "fee", 100),
    samplesPerProof: whole(values, "samples", 5, 1, 255),
    coldMargin: whole(values, "cold-margin", 1, 0, 255),
    faucetLimit,
    faucetCooldown: BigInt(whole(values, "faucet-cooldown", 0, 0, Number.MAX_SAFE_INTEGER)),
    ...(supply > 0n ? { supply } : {}),
    ...(token ? { token } : {}),
    ...(treasury ? { treasury } : {}),
  };
}
