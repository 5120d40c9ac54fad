import { type Hex, parseEventLogs, type TransactionReceipt } from "viem";
import { blobStatusName, proofSystemAbi, storageMarketAbi } from "#protocol";
import { revertOf } from "../../sdk/client/contract-calls.ts";
import { readBlob } from "../../sdk/client/read-blob.ts";
import type { StrataClient } from "../../sdk/client/strata-client.ts";
import { blobIdsOf } from "../blob-refs.ts";
import { chainClientFrom } from "../cli-context.ts";
import { CliError, ExitCode } from "../cli-error.ts";
import type { Command } from "../command.ts";
import { requireGas } from "../funds.ts";
import { tokenUnits } from "../token-units.ts";

/** When period `period` starts, as an ISO time. */
function periodStart(client: StrataClient, period: number): string {
  const { genesis, periodSeconds } = client.deployment.params;
  return new Date((genesis + period * periodSeconds) * 1000).toISOString();
}

/** The refund the market's `eventName` event in `receipt` reports. */
function refundIn(receipt: TransactionReceipt, eventName: "BlobSettled" | "BlobReclaimed"): bigint {
  const [event] = parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName });
  return event?.args.refund ?? 0n;
}

/** The market's record of `blobId`; a CliError (exit 3) if the market has no such blob. */
async function blobRecord(client: StrataClient, blobId: Hex) {
  return readBlob(client.context, blobId).catch((error: unknown) => {
    if (revertOf(error, "getBlob")?.errorName === "StorageMarketUnknownBlob")
      throw new CliError(
        "STRATA_ERR_NOT_FOUND",
        ExitCode.notFound,
        `the market has no blob ${blobId} on this deployment`,
      );
    throw error;
  });
}

async function currentPeriod(client: StrataClient): Promise<number> {
  return client.publicClient.readContract({
    address: client.deployment.contracts.proofSystem,
    abi: proofSystemAbi,
    functionName: "currentPeriod",
  });
}

/** One blob's settlement: done (with the owner's refund), or why not. */
interface Settled {
  blobId: Hex;
  settled: boolean;
  hash?: Hex;
  refund?: bigint;
  reason?: string;
}

export const settle: Command = {
  name: "settle",
  summary: "Close blobs whose term has ended: holders credited their pay, the rest refunded to the owner",
  help: `strata settle CID|BLOB_ID
  A CID settles every ended blob registered with it that the indexer lists. Anyone may settle; the
  holders then take their credit with strata node claim, the owner gets the unspent escrow.`,
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await chainClientFrom(values, { signing: true });
    const me = await client.address();
    const blobIds = await blobIdsOf(client, positionals[0], { signal });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const now = await currentPeriod(client);
    const results: Settled[] = [];
    for (const blobId of blobIds) {
      const blob = await blobRecord(client, blobId);
      const status = blobStatusName(blob.status);
      const wasCertified = status === "certified" || (status === "deleted" && blob.startPeriod !== 0);
      if (status === "settled") results.push({ blobId, settled: false, reason: "already settled" });
      else if (!wasCertified)
        results.push({
          blobId,
          settled: false,
          reason: `${status}, never certified: nothing to settle (its owner may strata reclaim it)`,
        });
      else if (now < blob.endPeriod)
        results.push({
          blobId,
          settled: false,
          reason: `its term runs until period ${blob.endPeriod} (from ${periodStart(client, blob.endPeriod)}; now ${now}): settle after that`,
        });
      else {
        await requireGas(client, me, "the signing key");
        const { hash, receipt } = await client.settle(blobId, { signal });
        results.push({ blobId, settled: true, hash, refund: refundIn(receipt, "BlobSettled") });
      }
    }
    if (!results.some((r) => r.settled || r.reason === "already settled")) {
      throw new CliError(
        "STRATA_ERR_NOT_SETTLEABLE",
        ExitCode.rejected,
        results.map((r) => `blob ${r.blobId}: ${r.reason}`).join("; "),
      );
    }
    print(
      results
        .map((r) =>
          r.settled
            ? `settled ${r.blobId}: ${units.format(r.refund ?? 0n)} back to its owner, the holders' pay credited (transaction ${r.hash})`
            : `not settled ${r.blobId}: ${r.reason}`,
        )
        .join("\n"),
      { results },
    );
  },
};

export const reclaim: Command = {
  name: "reclaim",
  summary: "Get back the escrow of an upload that was never certified, once its deadline has passed",
  help: `strata reclaim CID|BLOB_ID
  A CID reclaims the signer's uncertified blobs registered with it. Only the owner may reclaim.`,
  options: {},
  positionals: 1,
  async run({ values, positionals, signal, print }) {
    const client = await chainClientFrom(values, { signing: true });
    const me = await client.address();
    const blobIds = await blobIdsOf(client, positionals[0], { owner: me, signal });
    const units = await tokenUnits(client.publicClient, client.deployment.contracts.token);
    const { timestamp } = await client.publicClient.getBlock();
    const done: { blobId: Hex; hash: Hex; refund: bigint }[] = [];
    const refused: string[] = [];
    for (const blobId of blobIds) {
      const blob = await blobRecord(client, blobId);
      const status = blobStatusName(blob.status);
      if (blob.owner.toLowerCase() !== me.toLowerCase())
        refused.push(`blob ${blobId} is owned by ${blob.owner}, not ${me}`);
      else if (status !== "registered")
        refused.push(
          `blob ${blobId} is ${status}: only an upload never certified is reclaimed${status === "certified" ? " (strata rm ends a certified blob and refunds its later periods)" : ""}`,
        );
      else if (timestamp <= blob.certifyDeadline)
        refused.push(
          `blob ${blobId} may still be certified until ${new Date(Number(blob.certifyDeadline) * 1000).toISOString()}: reclaim after that`,
        );
      else {
        await requireGas(client, me, "the signing key");
        const { hash, receipt } = await client.reclaim(blobId, { signal });
        done.push({ blobId, hash, refund: refundIn(receipt, "BlobReclaimed") });
      }
    }
    if (done.length === 0)
      throw new CliError("STRATA_ERR_NOT_RECLAIMABLE", ExitCode.rejected, refused.join("; "));
    print(
      [
        ...done.map((d) => `reclaimed ${d.blobId}: ${units.format(d.refund)} back (transaction ${d.hash})`),
        ...refused.map((r) => `not reclaimed: ${r}`),
      ].join("\n"),
      { reclaimed: done, refused },
    );
  },
};
