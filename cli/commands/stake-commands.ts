import { type Hex, isHex } from "viem";
import { revertOf } from "../../sdk/client/contract-calls.ts";
import { chainClientFrom } from "../cli-context.ts";
import { CliError, ExitCode, UsageError } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { requireGas, requireTokens } from "../funds.ts";
import { readStanding } from "../node-standing.ts";
import { nodeTarget, nodeTargetHelp, nodeTargetOptions } from "../node-target.ts";
import { tokenUnits } from "../token-units.ts";

export const nodeStake: Command = {
  name: "node stake",
  summary: "Stake tokens on a node (approves, then stakes); warns below the minimum",
  help: `strata node stake --config node.json --amount TOKENS   (or --node-id N)
${nodeTargetHelp}
  --amount TOKENS   tokens to add to the node's stake (decimal, e.g. 200 or 12.5)
Anyone may stake on a node; a node is chosen for blobs once its stake reaches the minimum.`,
  options: { ...nodeTargetOptions, amount: { type: "string" } },
  async run({ values, given, signal, print, warn }) {
    const { nodeId } = await nodeTarget(values, given);
    const client = await chainClientFrom(values, { signing: true });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const amount = units.parse(values.amount, "amount");
    const before = await readStanding(client, nodeId);
    if (before.standing === "unbonding")
      throw new CliError(
        "STRATA_ERR_UNBONDING",
        ExitCode.rejected,
        `node ${nodeId} is unbonding: it takes no more stake (withdraw once the delay has passed: strata node withdraw)`,
      );
    const me = await client.address();
    await requireGas(client, me, "the signing key");
    await requireTokens(client, me, amount, units, "staking");
    const total = before.stake + amount;
    if (total < before.minStake)
      warn(
        `node ${nodeId}'s stake will be ${units.format(total)}, under the minimum ${units.format(before.minStake)}: the registry will not choose it for blobs until you stake ${units.decimal(before.minStake - total)} more`,
      );
    const { hash } = await client.stake(nodeId, amount, { signal });
    const after = await readStanding(client, nodeId);
    print(
      `staked ${units.format(amount)} on node ${nodeId} (transaction ${hash}); its stake is ${units.format(after.stake)} of the ${units.format(after.minStake)} needed: ${after.standing}`,
      { nodeId, amount, stake: after.stake, minStake: after.minStake, standing: after.standing, hash },
    );
  },
};

export const nodeUnstake: Command = {
  name: "node unstake",
  summary: "Start unbonding a node's stake (the node stops taking blobs)",
  help: `strata node unstake --config node.json   (or --node-id N)\n${nodeTargetHelp}`,
  options: nodeTargetOptions,
  async run({ values, given, signal, print }) {
    const { nodeId } = await nodeTarget(values, given);
    const client = await chainClientFrom(values, { signing: true });
    await requireGas(client, await client.address(), "the operator");
    const { hash } = await client.requestUnstake(nodeId, { signal });
    const { unbondingAt } = await readStanding(client, nodeId);
    print(
      `node ${nodeId} is unbonding (transaction ${hash}); withdraw from ${new Date(unbondingAt * 1000).toISOString()} (strata node withdraw)`,
      { nodeId, hash, unbondingAt },
    );
  },
};

export const nodeWithdraw: Command = {
  name: "node withdraw",
  summary: "Withdraw an unbonded node's stake",
  help: `strata node withdraw --config node.json   (or --node-id N)\n${nodeTargetHelp}`,
  options: nodeTargetOptions,
  async run({ values, given, signal, print }) {
    const { nodeId } = await nodeTarget(values, given);
    const client = await chainClientFrom(values, { signing: true });
    await requireGas(client, await client.address(), "the operator");
    const { hash } = await client.withdraw(nodeId, { signal });
    print(`withdrew the stake of node ${nodeId} (transaction ${hash})`, { nodeId, hash });
  },
};

export const nodeClaim: Command = {
  name: "node claim",
  summary: "Claim a node's pay for proven periods on every blob it holds (paid to its operator)",
  help: `strata node claim --config node.json   (or --node-id N)
${nodeTargetHelp}
  --blob BLOB_ID    claim on this blob (repeat for more); default: every blob the indexer lists the node holding
Pay accrues for each period the node proved, once that period has closed. The operator or the
node's signing key may claim; either way it is paid to the operator.`,
  options: { ...nodeTargetOptions, blob: { type: "string", multiple: true } },
  async run({ values, given, signal, print }) {
    const { nodeId } = await nodeTarget(values, given);
    const blobIds = (values.blob as string[] | undefined)?.map((id) => {
      if (!isHex(id) || id.length !== 66)
        throw new UsageError(`--blob takes a blob id (0x + 64 hex digits), got ${id}`);
      return id.toLowerCase() as Hex;
    });
    const client = await chainClientFrom(values, { signing: true });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    await requireGas(client, await client.address(), "the signing key");
    try {
      const result = await client.claim(nodeId, { signal, ...(blobIds ? { blobIds } : {}) });
      print(
        `node ${nodeId} claimed ${units.format(result.amount)} over ${result.blobs} blobs (transaction ${result.hash})`,
        { nodeId, ...result },
      );
    } catch (error) {
      if (revertOf(error, "claim")?.errorName === "StorageMarketNothingToClaim")
        throw new CliError(
          "STRATA_ERR_NOTHING_TO_CLAIM",
          ExitCode.rejected,
          `node ${nodeId} has nothing to claim now: pay accrues for each period it proved once the period has closed, and a blob whose term ended pays its holders when it is settled (strata settle CID)`,
        );
      throw error;
    }
  },
};
