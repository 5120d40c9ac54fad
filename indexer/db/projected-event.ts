import type { Hex } from "viem";
import type { DecodedEvent } from "../sync/event-decoder.ts";

/** An event as the projector reads it (decoded now, or read back from the events table). */
export type ProjectedEvent = Pick<
  DecodedEvent,
  | "name"
  | "args"
  | "nodeId"
  | "blobId"
  | "nameId"
  | "vaultId"
  | "blockNumber"
  | "blockHash"
  | "txHash"
  | "logIndex"
>;

export type EventArgs = Record<string, unknown>;

/** The columns of the events table a replay reads. */
export interface StoredEventRow {
  name: string;
  args: string;
  node_id: number | null;
  blob_id: string | null;
  name_id: string | null;
  vault_id: number | null;
  block_number: number;
  block_hash: string;
  tx_hash: string;
  log_index: number;
}

export function eventFromRow(row: StoredEventRow): ProjectedEvent {
  return {
    name: row.name,
    args: JSON.parse(row.args) as EventArgs,
    nodeId: row.node_id,
    blobId: row.blob_id as Hex | null,
    nameId: row.name_id as Hex | null,
    vaultId: row.vault_id,
    blockNumber: BigInt(row.block_number),
    blockHash: row.block_hash as Hex,
    txHash: row.tx_hash as Hex,
    logIndex: row.log_index,
  };
}

/** The provenance columns every fact row keeps. */
export function provenanceOf(event: ProjectedEvent, chainId: number) {
  return {
    chain_id: chainId,
    block_number: Number(event.blockNumber),
    block_hash: event.blockHash,
    tx_hash: event.txHash,
    log_index: event.logIndex,
  };
}

/** Sum of two decimal token amounts (amounts are kept as decimal text: they exceed 64 bits). */
export const addAmount = (a: unknown, b: unknown) => (BigInt(String(a)) + BigInt(String(b))).toString();
