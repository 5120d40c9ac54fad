import { type EventArgs, type ProjectedEvent, provenanceOf } from "../db/projected-event.ts";
import type { VaultStatements } from "./vault-statements.ts";

const sub = (a: unknown, b: unknown) => (BigInt(String(a)) - BigInt(String(b))).toString();
const add = (a: unknown, b: unknown) => (BigInt(String(a)) + BigInt(String(b))).toString();

/** Applies a VaultRegistry event to its vault's row, and its snapshot or move to their facts. */
export function projectVault(s: VaultStatements, event: ProjectedEvent, chainId: number): void {
  const a = event.args as EventArgs;
  const vault_id = event.vaultId as number;
  const block = Number(event.blockNumber);
  const escrow = () => (s.vaultMoney.get(vault_id) as { escrow: string } | undefined)?.escrow ?? "0";
  switch (event.name) {
    case "VaultOpened":
      s.insertVault.run({
        vault_id,
        owner: a.owner,
        home: Number(a.home),
        quota: Number(a.quota),
        price: String(a.pricePerByteEpoch),
        escrow: String(a.escrow),
        paid_through: Number(a.paidThrough),
        block,
      });
      break;
    case "VaultExtended":
      s.setExtended.run({
        vault_id,
        escrow: add(escrow(), a.amount),
        paid_through: Number(a.paidThrough),
        block,
      });
      break;
    case "VaultSettled":
      s.setSettled.run({ vault_id, escrow: sub(escrow(), a.amount), settled_at: Number(a.settledAt), block });
      break;
    case "SnapshotCommitted":
      s.setSnapshot.run({ vault_id, sequence: Number(a.sequence), manifest: a.manifest, block });
      s.insertSnapshot.run({
        vault_id,
        sequence: Number(a.sequence),
        manifest: a.manifest,
        blobs: JSON.stringify(a.blobs),
        committer: a.committer,
        ...provenanceOf(event, chainId),
      });
      break;
    case "HomeMoved":
      s.setHome.run({
        vault_id,
        home: Number(a.to),
        price: String(a.pricePerByteEpoch),
        paid_through: Number(a.paidThrough),
        block,
      });
      s.insertMove.run({
        vault_id,
        from_node: Number(a.from),
        to_node: Number(a.to),
        sequence: Number(a.sequence),
        ...provenanceOf(event, chainId),
      });
      break;
    case "VaultClosed":
      s.setClosed.run({ vault_id, block });
      break;
    default:
  }
}
