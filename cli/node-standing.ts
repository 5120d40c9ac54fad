import { type Address, getAddress } from "viem";
import { nodeRegistryAbi, TierBit, type TierName } from "#protocol";
import { revertOf } from "../sdk/client/contract-calls.ts";
import type { StrataClient } from "../sdk/client/strata-client.ts";
import { CliError, ExitCode } from "./cli-error.ts";

/** Whether the registry chooses the node for new blobs, and if not, why. */
export type Standing = "active" | "below minimum stake" | "unbonding" | "jailed";

/** A registered node as the registry has it, with its standing. */
export interface NodeStanding {
  nodeId: number;
  operator: Address;
  signer: Address;
  standing: Standing;
  stake: bigint;
  minStake: bigint;
  /** Seconds since 1970 when its stake unlocks; 0 unless unbonding. */
  unbondingAt: number;
  tiers: TierName[];
  capacity: bigint;
  pricePerByteEpoch: bigint;
  endpoint: string;
  peerId: string;
  multiaddrs: string[];
}

/** Node `nodeId` as the registry has it; a CliError (exit 3) if the registry has no such node. */
export async function readStanding(client: StrataClient, nodeId: number): Promise<NodeStanding> {
  const registry = { address: client.deployment.contracts.registry, abi: nodeRegistryAbi } as const;
  const [info, minStake] = await Promise.all([
    client.publicClient
      .readContract({ ...registry, functionName: "getNode", args: [nodeId] })
      .catch((error) => {
        if (revertOf(error, "getNode")?.errorName === "NodeRegistryUnknownNode")
          throw new CliError(
            "STRATA_ERR_NOT_FOUND",
            ExitCode.notFound,
            `the registry at ${client.deployment.contracts.registry} has no node ${nodeId}: register it (strata node register --config node.json)`,
          );
        throw error;
      }),
    client.publicClient.readContract({ ...registry, functionName: "minStake" }),
  ]);
  const standing: Standing = info.jailed
    ? "jailed"
    : info.unbondingAt !== 0n
      ? "unbonding"
      : info.stake < minStake
        ? "below minimum stake"
        : "active";
  return {
    nodeId,
    operator: getAddress(info.operator),
    signer: getAddress(info.signer),
    standing,
    stake: info.stake,
    minStake,
    unbondingAt: Number(info.unbondingAt),
    tiers: (Object.keys(TierBit) as TierName[]).filter((tier) => (info.tiers & TierBit[tier]) !== 0),
    capacity: info.capacity,
    pricePerByteEpoch: info.pricePerByteEpoch,
    endpoint: info.endpoint,
    peerId: info.peerId,
    multiaddrs: [...info.multiaddrs],
  };
}
