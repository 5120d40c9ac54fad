import type { FactStatements } from "./fact-statements.ts";
import { type EventArgs, type ProjectedEvent, provenanceOf } from "./projected-event.ts";

/** Records a certificate, proof, miss, slash or seed: the event itself, with its provenance. */
export function projectFact(s: FactStatements, event: ProjectedEvent, chainId: number): void {
  const a = event.args as EventArgs;
  const p = provenanceOf(event, chainId);
  switch (event.name) {
    case "BlobCertified":
      s.insertCertificate.run({
        blob_id: a.blobId,
        attested: a.attested,
        start_period: a.startPeriod,
        end_period: a.endPeriod,
        ...p,
      });
      break;
    case "ProofSubmitted":
      s.insertProof.run({ node_id: a.nodeId, period: a.period, samples: Number(a.samples), ...p });
      break;
    case "ProofMissed":
      s.insertMiss.run({
        node_id: a.nodeId,
        period: a.period,
        misses_in_row: a.missesInRow,
        reporter: a.reporter,
        ...p,
      });
      break;
    case "NodeSlashed":
      s.insertSlash.run({
        node_id: a.nodeId,
        recipient: a.recipient,
        amount: String(a.amount),
        remaining: String(a.remaining),
        ...p,
      });
      break;
    case "SeedCommitted":
      s.insertPeriod.run({ period: a.period, seed_block: Number(a.seedBlock), ...p });
      break;
    default:
      break;
  }
}
