import { describe, expect, test } from "vitest";
import { devnetParams } from "../devnet/deploy-strata.ts";
import { deployParamsFrom } from "./deploy-options.ts";
import { unitsOf } from "./token-units.ts";

const units = unitsOf(18, "STRATA");
const TOKEN = 10n ** 18n;

describe("strata deploy's parameters", () => {
  test("no flags: the devnet's", () => {
    expect(deployParamsFrom({}, units)).toEqual(devnetParams);
  });

  test("flags set periods, stake, slashing, fees and the faucet", () => {
    const params = deployParamsFrom(
      {
        period: "5",
        "periods-per-epoch": "2",
        "min-stake": "250",
        slash: "2.5",
        "reporter-share": "12.5%",
        fee: "0.5",
        faucet: "off",
        supply: "1000000",
        treasury: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8",
      },
      units,
    );
    expect(params).toMatchObject({
      periodSeconds: 5,
      epochSeconds: 10,
      minStake: 250n * TOKEN,
      slashAmount: 25n * 10n ** 17n,
      reporterBps: 1_250,
      feeBps: 50,
      faucetLimit: 0n,
      supply: 1_000_000n * TOKEN,
      treasury: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    });
  });

  test("an existing ERC-20: no faucet and no supply, amounts in its decimals", () => {
    const token = "0x5FbDB2315678afecb367f032d93F642f64180aa3";
    const params = deployParamsFrom({ token, "min-stake": "10" }, unitsOf(6, "USDC"));
    expect(params).toMatchObject({ token, faucetLimit: 0n, minStake: 10_000_000n });
    expect(() => deployParamsFrom({ token, faucet: "on" }, units)).toThrow(/has no faucet/);
  });

  test("mistakes are usage errors that say what the flag takes", () => {
    expect(() => deployParamsFrom({ faucet: "off" }, units)).toThrow(/needs --supply/);
    expect(() => deployParamsFrom({ period: "0" }, units)).toThrow(/--period takes a whole number/);
    expect(() => deployParamsFrom({ fee: "101" }, units)).toThrow(/--fee takes a percentage/);
    expect(() => deployParamsFrom({ faucet: "maybe" }, units)).toThrow(/--faucet takes on or off/);
    expect(() => deployParamsFrom({ treasury: "0x12" }, units)).toThrow(/--treasury takes an address/);
  });
});
