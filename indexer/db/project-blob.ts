import { CID } from "multiformats/cid";
import { type Hex, hexToBytes } from "viem";
import type { BlobStatements } from "./blob-statements.ts";
import { addAmount, type EventArgs, type ProjectedEvent } from "./projected-event.ts";

/** A blob's money columns (amounts as decimal text) and the epochs they pay for. */
type BlobMoney = { epochs: number; escrow: string; fee: string; paid: string; refunded: string };
const NO_MONEY: BlobMoney = { epochs: 0, escrow: "0", fee: "0", paid: "0", refunded: "0" };
const TIERS = ["hot", "cold"] as const;
const ENDED = { BlobDeleted: "deleted", BlobReclaimed: "reclaimed", BlobSettled: "settled" } as const;

/** Applies an event to its blob's rows (blob, holders, tags, search entry). */
export function projectBlob(s: BlobStatements, event: ProjectedEvent): void {
  const a = event.args as EventArgs;
  const id = event.blobId as Hex;
  const block = Number(event.blockNumber);
  switch (event.name) {
    case "BlobRegistered":
      insertRegistered(s, event, id, block);
      break;
    case "BlobAttested":
      s.setAttested.run({ blob_id: id, attested: a.attested, block });
      break;
    case "BlobCertified":
      s.setCertified.run({
        blob_id: id,
        attested: a.attested,
        start_period: a.startPeriod,
        end_period: a.endPeriod,
        block,
      });
      break;
    case "BlobExtended": {
      const money = (s.blobMoney.get(id) as BlobMoney | undefined) ?? NO_MONEY;
      s.addExtension.run({
        blob_id: id,
        epochs: a.epochs,
        end_period: a.endPeriod,
        ...extendedMoney(money, Number(a.epochs), String(a.paid)),
        block,
      });
      break;
    }
    case "BlobDeleted":
    case "BlobReclaimed":
    case "BlobSettled": {
      const { refunded } = (s.blobMoney.get(id) as BlobMoney | undefined) ?? NO_MONEY;
      s.setEnded.run({
        blob_id: id,
        status: ENDED[event.name],
        end_period: event.name === "BlobDeleted" ? a.endPeriod : null,
        refunded: addAmount(refunded, a.refund),
        block,
      });
      break;
    }
    default:
      projectHolder(s, event, id, block);
  }
}

/** The holder changes: enrolled, dropped, reassigned, pruned. */
function projectHolder(s: BlobStatements, event: ProjectedEvent, id: Hex, block: number): void {
  const a = event.args as EventArgs;
  switch (event.name) {
    case "BlobEnrolled":
      s.setHolderFlag("enrolled").run({ blob_id: id, holder: a.holder });
      break;
    case "HolderDropped":
      s.setHolderFlag("dropped").run({ blob_id: id, holder: a.holder });
      break;
    case "HolderReassigned":
      s.reassignHolder.run({ blob_id: id, holder: a.holder, node_id: a.nodeId });
      // the place is attested again only by its new holder
      s.clearAttested.run({ blob_id: id, holder: a.holder, block });
      break;
    case "BlobPruned":
      s.pruneHolder.run({ blob_id: id, node_id: a.nodeId });
      break;
    default:
      break;
  }
}

function insertRegistered(s: BlobStatements, event: ProjectedEvent, id: Hex, block: number): void {
  const a = event.args as EventArgs;
  const params = a.params as EventArgs;
  const tags = (params.tags as string[]) ?? [];
  s.insertBlob.run({
    blob_id: id,
    owner: a.owner,
    cid: cidString(params.cid as Hex),
    commitment: params.commitment,
    size: Number(params.size),
    tier: TIERS[Number(params.tier)] ?? String(params.tier),
    shard_size: Number(params.shardSize),
    recovery: params.recovery,
    epochs: params.epochs,
    name: params.name,
    mime_type: params.mimeType,
    tags: JSON.stringify(tags),
    escrow: String(a.escrow),
    fee: String(a.fee),
    paid: addAmount(a.escrow, a.fee),
    certify_deadline: Number(a.certifyDeadline),
    block,
    tx: event.txHash,
  });
  (params.nodes as number[]).forEach((nodeId, holder) => {
    s.insertHolder.run({ blob_id: id, holder, node_id: nodeId });
  });
  for (const tag of new Set(tags)) s.insertTag.run(id, tag);
  s.insertSearch.run(id, params.name, tags.join(" "), params.mimeType);
}

/**
 * A blob's escrow, fee and total paid after `epochs` more epochs were bought for `paid` (their
 * price and the fee on it). The price of an epoch never changes (holders keep their registered
 * price, the size is fixed): it is the escrow over the epochs it pays for, and the rest of `paid`
 * is fee.
 */
export function extendedMoney(money: BlobMoney, epochs: number, paid: string) {
  const perEpoch = money.epochs > 0 ? BigInt(money.escrow) / BigInt(money.epochs) : 0n;
  const price = perEpoch * BigInt(epochs);
  return {
    escrow: (BigInt(money.escrow) + price).toString(),
    fee: (BigInt(money.fee) + BigInt(paid) - price).toString(),
    paid: addAmount(money.paid, paid),
  };
}

/** The CID a registration names (its bytes on chain), as the string clients use. */
function cidString(bytes: Hex): string {
  try {
    return CID.decode(hexToBytes(bytes)).toString();
  } catch {
    return bytes; // not a CID: kept as the hex the owner registered
  }
}
