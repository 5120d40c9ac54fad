import type { FactStatements } from "./fact-statements.ts";
import { addAmount, type EventArgs, type ProjectedEvent, provenanceOf } from "./projected-event.ts";

interface Payment {
  blob_id?: unknown;
  node_id?: unknown;
  account?: unknown;
  amount: unknown;
}

/** Records the tokens an event moved (escrow, extension, refund, claim, fees, stake, withdrawal). */
export function projectPayment(s: FactStatements, event: ProjectedEvent, chainId: number): void {
  const found = paymentOf(event.name, event.args as EventArgs);
  if (!found) return;
  const [kind, fields] = found;
  s.insertPayment.run({
    kind,
    blob_id: fields.blob_id ?? null,
    node_id: fields.node_id ?? null,
    account: fields.account ?? null,
    amount: String(fields.amount),
    ...provenanceOf(event, chainId),
  });
}

function paymentOf(name: string, a: EventArgs): [kind: string, Payment] | undefined {
  switch (name) {
    case "BlobRegistered":
      return ["escrow", { blob_id: a.blobId, account: a.owner, amount: addAmount(String(a.escrow), a.fee) }];
    case "BlobExtended":
      return ["extension", { blob_id: a.blobId, account: a.payer, amount: a.paid }];
    case "BlobDeleted":
    case "BlobReclaimed":
    case "BlobSettled":
      return ["refund", { blob_id: a.blobId, amount: a.refund }];
    case "PaymentClaimed":
      return ["claim", { node_id: a.nodeId, account: a.to, amount: a.amount }];
    case "FeesCollected":
      return ["fees", { account: a.treasury, amount: a.amount }];
    case "NodeStaked":
      return ["stake", { node_id: a.nodeId, account: a.from, amount: a.amount }];
    case "StakeWithdrawn":
      return ["withdrawal", { node_id: a.nodeId, account: a.to, amount: a.amount }];
    default:
      return undefined;
  }
}
