import type { Hex } from "viem";
import { type NameStatements, nameStatements } from "../names/name-statements.ts";
import { projectName } from "../names/project-name.ts";
import { projectVault } from "../vaults/project-vault.ts";
import { type VaultStatements, vaultStatements } from "../vaults/vault-statements.ts";
import { type BlobStatements, blobStatements } from "./blob-statements.ts";
import { type FactStatements, factStatements } from "./fact-statements.ts";
import { type NodeStatements, nodeStatements } from "./node-statements.ts";
import type { Db } from "./open-database.ts";
import { projectBlob } from "./project-blob.ts";
import { projectFact } from "./project-fact.ts";
import { projectNode } from "./project-node.ts";
import { projectPayment } from "./project-payment.ts";
import { eventFromRow, type ProjectedEvent, type StoredEventRow } from "./projected-event.ts";

export type { ProjectedEvent } from "./projected-event.ts";

/**
 * Turns events into the chain tables. Five kinds of effect, kept apart so that a rollback can
 * redo each on its own: facts (rows that are the event itself, with its provenance; removed by
 * block), node, blob, name and vault state (rows that events change; rebuilt for the nodes and blobs
 * a rollback touched by replaying their remaining events, in order, through the same code).
 */
export class Projector {
  readonly #chainId: number;
  readonly #facts: FactStatements;
  readonly #nodes: NodeStatements;
  readonly #blobs: BlobStatements;
  readonly #names: NameStatements;
  readonly #vaults: VaultStatements;

  constructor(db: Db, chainId: number) {
    this.#chainId = chainId;
    this.#facts = factStatements(db);
    this.#nodes = nodeStatements(db);
    this.#blobs = blobStatements(db);
    this.#names = nameStatements(db);
    this.#vaults = vaultStatements(db);
  }

  /** Every effect of a new event. */
  apply(event: ProjectedEvent): void {
    projectFact(this.#facts, event, this.#chainId);
    projectPayment(this.#facts, event, this.#chainId);
    if (event.nodeId !== null) projectNode(this.#nodes, event);
    if (event.blobId !== null) projectBlob(this.#blobs, event);
    if (event.nameId !== null) projectName(this.#names, event, this.#chainId);
    if (event.vaultId !== null) projectVault(this.#vaults, event, this.#chainId);
  }

  /** Rebuilds a node's row from the events left in the table. */
  replayNode(nodeId: number): void {
    const s = this.#nodes;
    s.deleteNode.run(nodeId);
    for (const row of s.eventsOfNode.all(nodeId) as StoredEventRow[]) projectNode(s, eventFromRow(row));
  }

  /** Rebuilds a blob's rows (blob, holders, tags, search entry) from the events left. */
  replayBlob(blobId: Hex): void {
    const s = this.#blobs;
    s.deleteBlob.run(blobId);
    s.deleteHolders.run(blobId);
    s.deleteTags.run(blobId);
    s.deleteSearch.run(blobId);
    for (const row of s.eventsOfBlob.all(blobId) as StoredEventRow[]) projectBlob(s, eventFromRow(row));
  }

  /** Rebuilds a vault's row from the events left (its snapshots and moves are facts, removed by block). */
  replayVault(vaultId: number): void {
    const s = this.#vaults;
    s.deleteVault.run(vaultId);
    for (const row of s.eventsOfVault.all(vaultId) as StoredEventRow[]) {
      projectVault(s, eventFromRow(row), this.#chainId);
    }
  }

  /** Rebuilds a name's row from the events left (its history rows are facts, removed by block). */
  replayName(nameId: Hex): void {
    const s = this.#names;
    s.deleteName.run(nameId);
    for (const row of s.eventsOfName.all(nameId) as StoredEventRow[]) {
      projectName(s, eventFromRow(row), this.#chainId);
    }
  }
}
