import { formatEther } from "viem";
import { proofSystemAbi } from "#protocol";
import type { StrataClient } from "../../sdk/client/strata-client.ts";
import { chainClientFrom } from "../cli-context.ts";
import { errorLine, UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { readNodeFile, useNodeFile } from "../node-file.ts";
import { findRegistration } from "../node-registration.ts";
import { readStanding } from "../node-standing.ts";
import { nodeIdArg } from "../option-values.ts";
import { tokenUnits } from "../token-units.ts";

/** Whether the node answers `GET /health`, in a few words. */
async function health(
  endpoint: string,
  signal: AbortSignal,
): Promise<{ answering: boolean; detail: string }> {
  try {
    const response = await fetch(`${endpoint}/health`, {
      signal: AbortSignal.any([signal, AbortSignal.timeout(3_000)]),
    });
    const body = (await response.json().catch(() => ({}))) as { error?: { code?: string } };
    return {
      answering: response.ok,
      detail: response.ok ? "answering" : `HTTP ${response.status} ${body.error?.code ?? ""}`.trim(),
    };
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    return { answering: false, detail: `not answering (${cause ?? (error as Error).name})` };
  }
}

/** What a claim would pay now; without the indexer (which lists the node's blobs), its credit only and why. */
async function unclaimed(client: StrataClient, nodeId: number, indexerUrl: string, signal: AbortSignal) {
  try {
    return { ...(await client.unclaimedPay(nodeId, { signal })), error: undefined };
  } catch (error) {
    const why = errorLine(error, { indexerUrl });
    const credit = await client.unclaimedPay(nodeId, { signal, blobIds: [] }).catch(() => undefined);
    return { amount: undefined, credit: credit?.credit, blobs: undefined, error: why };
  }
}

export const nodeStatus: Command = {
  name: "node status",
  summary:
    "A node's registration, standing, stake against the minimum, signer gas, unclaimed pay, tiers, price, endpoint",
  help: `strata node status --config node.json   (or --node-id N)
  --config FILE     the node's node.json: finds its registration by its id or signing key
Unclaimed pay is found through the indexer (the blobs the node holds); without one it shows credit only.`,
  options: { config: { type: "string" }, "node-id": { type: "string" } },
  async run({ values, given, signal, print }) {
    let nodeId: number | undefined;
    let node: Awaited<ReturnType<typeof readNodeFile>> | undefined;
    if (values.config !== undefined) {
      node = await readNodeFile(values.config as string);
      useNodeFile(values, given, node);
    } else if (values["node-id"] !== undefined) nodeId = nodeIdArg(values["node-id"]);
    else throw new UsageError("which node? pass --config node.json or --node-id N");
    const client = await chainClientFrom(values, { signing: false });
    if (node) {
      const found = await findRegistration(client, node, signal);
      if (!found) {
        print(
          `not registered: no node in the registry signs with ${node.signer}; register it: strata node register --config ${node.path} --key-file OPERATOR_KEY`,
          { registered: false, signer: node.signer },
        );
        return;
      }
      nodeId = found.nodeId;
    }
    const id = nodeId as number;
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const standing = await readStanding(client, id);
    const [period, pay, http, signerGas, signerTokens] = await Promise.all([
      client.publicClient.readContract({
        address: client.deployment.contracts.proofSystem,
        abi: proofSystemAbi,
        functionName: "currentPeriod",
      }),
      unclaimed(client, id, values.indexer, signal),
      health(standing.endpoint, signal),
      client.publicClient.getBalance({ address: standing.signer }),
      client.balance(standing.signer),
    ]);
    const { params } = client.deployment;
    const lines = [
      `node ${id}: ${standing.standing}${standing.standing === "active" ? " (chosen for new blobs)" : ""}`,
      `  operator   ${standing.operator}`,
      `  signer     ${standing.signer}: gas ${formatEther(signerGas)}${signerGas === 0n ? " (none: it cannot enroll blobs or prove; fund it)" : ""}, ${units.format(signerTokens)}`,
      ...(node && node.signer !== standing.signer
        ? [
            `  warning    node.json's signing key is ${node.signer}: the node will not start; rotate with strata node update`,
          ]
        : []),
      `  stake      ${units.format(standing.stake)} of the ${units.format(standing.minStake)} needed`,
      ...(standing.unbondingAt
        ? [`  unbonding  withdraw from ${new Date(standing.unbondingAt * 1000).toISOString()}`]
        : []),
      `  unclaimed  ${
        pay.amount === undefined
          ? `${pay.credit === undefined ? "unknown" : `at least its credit, ${units.format(pay.credit)}`} (${pay.error})`
          : `${units.format(pay.amount)} over ${pay.blobs} blobs${pay.amount > 0n ? " (strata node claim)" : ""}`
      }`,
      `  tiers      ${standing.tiers.join(", ")}`,
      `  price      ${units.formatPrice(standing.pricePerByteEpoch)}`,
      `  capacity   ${standing.capacity} bytes`,
      `  endpoint   ${standing.endpoint} (${http.detail})`,
      `  periods    ${params.periodSeconds} s, epochs of ${params.epochSeconds} s; now period ${period}`,
    ];
    print(lines.join("\n"), {
      registered: true,
      ...standing,
      signerGas,
      signerTokens,
      unclaimed: pay.amount ?? null,
      credit: pay.credit ?? null,
      unclaimedError: pay.error ?? null,
      serving: http.answering,
      period,
    });
  },
};
