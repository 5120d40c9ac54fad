import { publicKeyFromProtobuf } from "@libp2p/crypto/keys";
import { type Hex, hexToBytes } from "viem";
import { ipnsNameOf, pathOfContenthash } from "#protocol";
import { type EventArgs, type ProjectedEvent, provenanceOf } from "../db/projected-event.ts";
import type { NameStatements } from "./name-statements.ts";

/** A uint64 sequence as the tables keep it: decimal, zero-padded to 20 digits, so it sorts. */
export const sequenceKey = (sequence: unknown): string => String(sequence).padStart(20, "0");

/**
 * Applies a NameRegistry event to its name's row and history. The value and key are whatever the
 * owner sent: one the protocol cannot read is kept, with an empty path or IPNS name, never refused.
 */
export function projectName(s: NameStatements, event: ProjectedEvent, chainId: number): void {
  const a = event.args as EventArgs;
  const nameId = event.nameId as Hex;
  const block = Number(event.blockNumber);
  if (event.name === "NameLocked") {
    s.setLocked.run({ name_id: nameId, block, tx: event.txHash });
    return;
  }
  if (event.name !== "NamePublished") return;
  const update = {
    name_id: nameId,
    value: a.value as string,
    path: readable(() => pathOfContenthash(a.value as Hex)),
    sequence: sequenceKey(a.sequence),
    validity: Number(a.validity),
    ttl: Number(a.ttl),
    ipns_name: readable(() => ipnsNameOf(publicKeyFromProtobuf(hexToBytes(a.ipnsKey as Hex)))),
  };
  s.insertName.run({
    ...update,
    owner: a.owner,
    label: a.label,
    ipns_key: a.ipnsKey,
    block,
    tx: event.txHash,
  });
  s.insertUpdate.run({ ...update, ...provenanceOf(event, chainId) });
}

function readable(read: () => string): string {
  try {
    return read();
  } catch {
    return "";
  }
}
