import { type Address, getAddress, zeroAddress } from "viem";
import { nodeRegistryAbi } from "#protocol";
import type { StrataClient } from "../sdk/client/strata-client.ts";
import { CliError, ExitCode } from "./cli-error.ts";
import type { NodeFile } from "./node-file.ts";

/** A node in the registry: its id, operator and signing key. */
export interface Registration {
  nodeId: number;
  operator: Address;
  signer: Address;
}

async function accountsOf(client: StrataClient, nodeId: number): Promise<Registration> {
  const [operator, signer] = await client.publicClient.readContract({
    address: client.deployment.contracts.registry,
    abi: nodeRegistryAbi,
    functionName: "nodeAccounts",
    args: [nodeId],
  });
  return { nodeId, operator: getAddress(operator), signer: getAddress(signer) };
}

/**
 * The registry's node for node.json: the id node.json records when the registry has it with
 * node.json's signing key, else the newest node registered with that key; undefined if none.
 * An id the registry gives to another key is refused (exit 4): node.json and the chain disagree.
 */
export async function findRegistration(
  client: StrataClient,
  node: NodeFile,
  signal?: AbortSignal,
): Promise<Registration | undefined> {
  if (node.nodeId > 0) {
    const recorded = await accountsOf(client, node.nodeId);
    if (recorded.signer === node.signer) return recorded;
    if (recorded.operator !== zeroAddress)
      throw new CliError(
        "STRATA_ERR_NODE_MISMATCH",
        ExitCode.rejected,
        `${node.path} says node ${node.nodeId}, but the registry's node ${node.nodeId} signs with ${recorded.signer}, not this node's key ${node.signer}: set nodeId to 0 in node.json to register this key as a new node, or rotate the key with strata node update`,
      );
  }
  const count = Number(
    await client.publicClient.readContract({
      address: client.deployment.contracts.registry,
      abi: nodeRegistryAbi,
      functionName: "nodeCount",
    }),
  );
  // newest first, a few reads at a time
  for (let top = count; top >= 1; top -= 8) {
    signal?.throwIfAborted();
    const ids = Array.from({ length: Math.min(8, top) }, (_, i) => top - i);
    const found = (await Promise.all(ids.map((id) => accountsOf(client, id)))).find(
      (r) => r.signer === node.signer,
    );
    if (found) return found;
  }
  return undefined;
}
