import { type Address, getAddress, isAddress } from "viem";
import { ProtocolError } from "./errors.ts";

/** Where a Strata deployment lives; written by the deploy script, read by nodes, indexer and SDK. */
export interface Deployment {
  chainId: number;
  /** Block of the first deployment transaction: where the indexer starts. */
  deploymentBlock: bigint;
  contracts: {
    token: Address;
    registry: Address;
    market: Address;
    proofSystem: Address;
    /** The NameRegistry: mutable names (docs/protocol.md, "Names"). */
    names: Address;
    /** The VaultRegistry: vaults on home nodes, their escrow, snapshots and moves. */
    vaults: Address;
  };
  params: {
    epochSeconds: number;
    periodSeconds: number;
    genesis: number;
  };
}

/** Parses and checks a deployment file's JSON text. */
export function parseDeployment(text: string): Deployment {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new ProtocolError("deployment file is not JSON", { cause });
  }
  const value = raw as Record<string, unknown>;
  const contracts = (value.contracts ?? {}) as Record<string, unknown>;
  const params = (value.params ?? {}) as Record<string, unknown>;
  const address = (name: string): Address => {
    const candidate = contracts[name];
    if (typeof candidate !== "string" || !isAddress(candidate)) {
      throw new ProtocolError(`deployment file: contracts.${name} is not an address`);
    }
    return getAddress(candidate);
  };
  const integer = (where: Record<string, unknown>, name: string): number => {
    const candidate = where[name];
    if (typeof candidate !== "number" || !Number.isSafeInteger(candidate) || candidate < 0) {
      throw new ProtocolError(`deployment file: ${name} is not a non-negative integer`);
    }
    return candidate;
  };
  return {
    chainId: integer(value, "chainId"),
    deploymentBlock: BigInt(integer(value, "deploymentBlock")),
    contracts: {
      token: address("token"),
      registry: address("registry"),
      market: address("market"),
      proofSystem: address("proofSystem"),
      names: address("names"),
      vaults: address("vaults"),
    },
    params: {
      epochSeconds: integer(params, "epochSeconds"),
      periodSeconds: integer(params, "periodSeconds"),
      genesis: integer(params, "genesis"),
    },
  };
}

/** The JSON text of a deployment file. */
export function serializeDeployment(deployment: Deployment): string {
  return `${JSON.stringify({ ...deployment, deploymentBlock: Number(deployment.deploymentBlock) }, null, 2)}\n`;
}
