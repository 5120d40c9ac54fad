import { CID } from "multiformats/cid";
import { type Hex, hexToBytes } from "viem";
import type { DecodedEvent } from "../sync/event-decoder.ts";
import type { Db } from "./open-database.ts";

/** An event as the projector reads it (decoded now, or read back from the events table). */
export type ProjectedEvent = Pick<
  DecodedEvent,
  "name" | "args" | "nodeId" | "blobId" | "blockNumber" | "blockHash" | "txHash" | "logIndex"
>;

type Args = Record<string, unknown>;
type NodeMoney = { slashed: string; claimed: string };
type BlobMoney = { paid: string; refunded: string };
const NO_MONEY = { slashed: "0", claimed: "0", paid: "0", refunded: "0" };

const TIERS = ["hot", "cold"] as const;
/** Sum of two decimal token amounts (amounts are kept as decimal text: they exceed 64 bits). */
const add = (a: unknown, b: unknown) => (BigInt(String(a)) + BigInt(String(b))).toString();

/**
 * Turns events into the chain tables. Three kinds of effect, kept apart so that a rollback can
 * redo each on its own: facts (rows that are the event itself, with its provenance; removed by
 * block), node state and blob state (rows that events change; rebuilt for the nodes and blobs
 * a rollback touched by replaying their remaining events, in order, through the same code).
 */
export class Projector {
  readonly #chainId: number;
  readonly #s: ReturnType<typeof statements>;

  constructor(db: Db, chainId: number) {
    this.#chainId = chainId;
    this.#s = statements(db);
  }

  /** Every effect of a new event. */
  apply(event: ProjectedEvent): void {
    this.#fact(event);
    if (event.nodeId !== null) this.#node(event);
    if (event.blobId !== null) this.#blob(event);
  }

  /** Rebuilds a node's row from the events left in the table. */
  replayNode(nodeId: number): void {
    this.#s.deleteNode.run(nodeId);
    for (const row of this.#s.eventsOfNode.all(nodeId) as StoredRow[]) this.#node(fromRow(row));
  }

  /** Rebuilds a blob's rows (blob, holders, tags, search entry) from the events left. */
  replayBlob(blobId: Hex): void {
    this.#s.deleteBlob.run(blobId);
    this.#s.deleteHolders.run(blobId);
    this.#s.deleteTags.run(blobId);
    this.#s.deleteSearch.run(blobId);
    for (const row of this.#s.eventsOfBlob.all(blobId) as StoredRow[]) this.#blob(fromRow(row));
  }

  #provenance(event: ProjectedEvent) {
    return {
      chain_id: this.#chainId,
      block_number: Number(event.blockNumber),
      block_hash: event.blockHash,
      tx_hash: event.txHash,
      log_index: event.logIndex,
    };
  }

  #fact(event: ProjectedEvent): void {
    const a = event.args as Args;
    const p = this.#provenance(event);
    const s = this.#s;
    const payment = (
      kind: string,
      fields: { blob_id?: unknown; node_id?: unknown; account?: unknown; amount: unknown },
    ) =>
      s.insertPayment.run({
        kind,
        blob_id: fields.blob_id ?? null,
        node_id: fields.node_id ?? null,
        account: fields.account ?? null,
        amount: String(fields.amount),
        ...p,
      });
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
      case "BlobRegistered":
        payment("escrow", { blob_id: a.blobId, account: a.owner, amount: add(String(a.escrow), a.fee) });
        break;
      case "BlobExtended":
        payment("extension", { blob_id: a.blobId, account: a.payer, amount: a.paid });
        break;
      case "BlobDeleted":
      case "BlobReclaimed":
      case "BlobSettled":
        payment("refund", { blob_id: a.blobId, amount: a.refund });
        break;
      case "PaymentClaimed":
        payment("claim", { node_id: a.nodeId, account: a.to, amount: a.amount });
        break;
      case "FeesCollected":
        payment("fees", { account: a.treasury, amount: a.amount });
        break;
      case "NodeStaked":
        payment("stake", { node_id: a.nodeId, account: a.from, amount: a.amount });
        break;
      case "StakeWithdrawn":
        payment("withdrawal", { node_id: a.nodeId, account: a.to, amount: a.amount });
        break;
      default:
        break;
    }
  }

  #node(event: ProjectedEvent): void {
    const a = event.args as Args;
    const s = this.#s;
    const id = event.nodeId as number;
    const block = Number(event.blockNumber);
    switch (event.name) {
      case "NodeRegistered":
        s.insertNode.run({ node_id: id, ...nodeFields(a), block });
        break;
      case "NodeUpdated":
        s.updateNodeFields.run({ node_id: id, ...nodeFields(a), block });
        break;
      case "NodeStaked":
        s.setStake.run({ node_id: id, stake: String(a.total), block });
        break;
      case "UnstakeRequested":
        s.setUnbonding.run({ node_id: id, unbonding_at: Number(a.availableAt), block });
        break;
      case "StakeWithdrawn":
        s.setWithdrawn.run({ node_id: id, block });
        break;
      case "NodeSlashed": {
        const { slashed } = (s.nodeMoney.get(id) as NodeMoney | undefined) ?? NO_MONEY;
        s.addSlash.run({ node_id: id, stake: String(a.remaining), slashed: add(slashed, a.amount), block });
        break;
      }
      case "NodeJailed":
        s.setJailed.run({ node_id: id, block });
        break;
      case "NodeDropped":
        s.setDropped.run({ node_id: id, period: a.period, block });
        break;
      case "ProofSubmitted":
        s.addProof.run({ node_id: id, period: a.period, block });
        break;
      case "ProofMissed":
        s.addMiss.run({ node_id: id, misses: a.missesInRow, block });
        break;
      case "PaymentClaimed": {
        const { claimed } = (s.nodeMoney.get(id) as NodeMoney | undefined) ?? NO_MONEY;
        s.addClaim.run({ node_id: id, claimed: add(claimed, a.amount), block });
        break;
      }
      default:
        break;
    }
  }

  #blob(event: ProjectedEvent): void {
    const a = event.args as Args;
    const s = this.#s;
    const id = event.blobId as Hex;
    const block = Number(event.blockNumber);
    switch (event.name) {
      case "BlobRegistered": {
        const params = a.params as Args;
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
          certify_deadline: Number(a.certifyDeadline),
          block,
          tx: event.txHash,
        });
        (params.nodes as number[]).forEach((nodeId, holder) => {
          s.insertHolder.run({ blob_id: id, holder, node_id: nodeId });
        });
        for (const tag of new Set(tags)) s.insertTag.run(id, tag);
        s.insertSearch.run(id, params.name, tags.join(" "), params.mimeType);
        break;
      }
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
        const { paid } = (s.blobMoney.get(id) as BlobMoney | undefined) ?? NO_MONEY;
        s.addExtension.run({
          blob_id: id,
          epochs: a.epochs,
          end_period: a.endPeriod,
          paid: add(paid, a.paid),
          block,
        });
        break;
      }
      case "BlobDeleted":
      case "BlobReclaimed":
      case "BlobSettled": {
        const { refunded } = (s.blobMoney.get(id) as BlobMoney | undefined) ?? NO_MONEY;
        const status = { BlobDeleted: "deleted", BlobReclaimed: "reclaimed", BlobSettled: "settled" }[
          event.name
        ];
        s.setEnded.run({
          blob_id: id,
          status,
          end_period: event.name === "BlobDeleted" ? a.endPeriod : null,
          refunded: add(refunded, a.refund),
          block,
        });
        break;
      }
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
}

interface StoredRow {
  name: string;
  args: string;
  node_id: number | null;
  blob_id: string | null;
  block_number: number;
  block_hash: string;
  tx_hash: string;
  log_index: number;
}

function fromRow(row: StoredRow): ProjectedEvent {
  return {
    name: row.name,
    args: JSON.parse(row.args) as Args,
    nodeId: row.node_id,
    blobId: row.blob_id as Hex | null,
    blockNumber: BigInt(row.block_number),
    blockHash: row.block_hash as Hex,
    txHash: row.tx_hash as Hex,
    logIndex: row.log_index,
  };
}

function nodeFields(a: Args) {
  return {
    operator: a.operator,
    signer: a.signer,
    endpoint: a.endpoint,
    peer_id: a.peerId,
    multiaddrs: JSON.stringify(a.multiaddrs ?? []),
    tiers: a.tiers,
    capacity: String(a.capacity),
    price: String(a.pricePerByteEpoch),
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

function statements(db: Db) {
  const holderFlags = {
    enrolled: db.prepare(
      "UPDATE blob_holders SET enrolled = 1 WHERE blob_id = @blob_id AND holder = @holder",
    ),
    dropped: db.prepare("UPDATE blob_holders SET dropped = 1 WHERE blob_id = @blob_id AND holder = @holder"),
  };
  const reassignHolder = db.prepare(
    "UPDATE blob_holders SET node_id = @node_id, enrolled = 0, dropped = 0, pruned = 0 WHERE blob_id = @blob_id AND holder = @holder",
  );
  const fact = (table: string, columns: string[]) =>
    db.prepare(
      `INSERT OR IGNORE INTO ${table} (${[...columns, "chain_id", "block_number", "block_hash", "tx_hash", "log_index"].join(", ")})
       VALUES (${[...columns, "chain_id", "block_number", "block_hash", "tx_hash", "log_index"].map((c) => `@${c}`).join(", ")})`,
    );
  return {
    insertCertificate: fact("certificates", ["blob_id", "attested", "start_period", "end_period"]),
    insertProof: fact("proofs", ["node_id", "period", "samples"]),
    insertMiss: fact("missed_proofs", ["node_id", "period", "misses_in_row", "reporter"]),
    insertSlash: fact("slashes", ["node_id", "recipient", "amount", "remaining"]),
    insertPeriod: fact("periods", ["period", "seed_block"]),
    insertPayment: fact("payments", ["kind", "blob_id", "node_id", "account", "amount"]),

    insertNode:
      db.prepare(`INSERT INTO nodes (node_id, operator, signer, endpoint, peer_id, multiaddrs, tiers, capacity,
        price_per_byte_epoch, stake, unbonding_at, withdrawn, jailed, dropped_period, misses_in_row, missed_proofs,
        slashed, slashes, proofs, last_proof_period, last_proof_block, claimed, registered_block, updated_block)
      VALUES (@node_id, @operator, @signer, @endpoint, @peer_id, @multiaddrs, @tiers, @capacity, @price, '0', NULL, 0, 0,
        NULL, 0, 0, '0', 0, 0, NULL, NULL, '0', @block, @block)`),
    updateNodeFields:
      db.prepare(`UPDATE nodes SET operator = @operator, signer = @signer, endpoint = @endpoint,
        peer_id = @peer_id, multiaddrs = @multiaddrs, tiers = @tiers, capacity = @capacity,
        price_per_byte_epoch = @price, updated_block = @block WHERE node_id = @node_id`),
    setStake: db.prepare("UPDATE nodes SET stake = @stake, updated_block = @block WHERE node_id = @node_id"),
    setUnbonding: db.prepare(
      "UPDATE nodes SET unbonding_at = @unbonding_at, updated_block = @block WHERE node_id = @node_id",
    ),
    setWithdrawn: db.prepare(
      "UPDATE nodes SET stake = '0', withdrawn = 1, updated_block = @block WHERE node_id = @node_id",
    ),
    nodeMoney: db.prepare("SELECT slashed, claimed FROM nodes WHERE node_id = ?"),
    addSlash: db.prepare(`UPDATE nodes SET stake = @stake, slashed = @slashed, slashes = slashes + 1,
        updated_block = @block WHERE node_id = @node_id`),
    setJailed: db.prepare("UPDATE nodes SET jailed = 1, updated_block = @block WHERE node_id = @node_id"),
    setDropped: db.prepare(
      "UPDATE nodes SET dropped_period = @period, updated_block = @block WHERE node_id = @node_id",
    ),
    addProof:
      db.prepare(`UPDATE nodes SET proofs = proofs + 1, last_proof_period = @period, last_proof_block = @block,
        misses_in_row = 0, updated_block = @block WHERE node_id = @node_id`),
    addMiss: db.prepare(`UPDATE nodes SET misses_in_row = @misses, missed_proofs = missed_proofs + 1,
        updated_block = @block WHERE node_id = @node_id`),
    addClaim: db.prepare(
      "UPDATE nodes SET claimed = @claimed, updated_block = @block WHERE node_id = @node_id",
    ),
    deleteNode: db.prepare("DELETE FROM nodes WHERE node_id = ?"),
    eventsOfNode: db.prepare(
      "SELECT name, args, node_id, blob_id, block_number, block_hash, tx_hash, log_index FROM events WHERE node_id = ? ORDER BY block_number, log_index",
    ),

    insertBlob:
      db.prepare(`INSERT INTO blobs (blob_id, owner, cid, commitment, size, tier, shard_size, recovery, epochs,
        name, mime_type, tags, status, escrow, fee, paid, refunded, certify_deadline, attested, start_period, end_period,
        registered_block, registered_tx, updated_block)
      VALUES (@blob_id, @owner, @cid, @commitment, @size, @tier, @shard_size, @recovery, @epochs, @name, @mime_type,
        @tags, 'registered', @escrow, @fee, '0', '0', @certify_deadline, 0, NULL, NULL, @block, @tx, @block)`),
    insertHolder: db.prepare(
      "INSERT INTO blob_holders (blob_id, holder, node_id, enrolled, dropped, pruned) VALUES (@blob_id, @holder, @node_id, 0, 0, 0)",
    ),
    insertTag: db.prepare("INSERT OR IGNORE INTO blob_tags (blob_id, tag) VALUES (?, ?)"),
    insertSearch: db.prepare("INSERT INTO blob_search (blob_id, name, tags, mime_type) VALUES (?, ?, ?, ?)"),
    setAttested: db.prepare(
      "UPDATE blobs SET attested = @attested, updated_block = @block WHERE blob_id = @blob_id",
    ),
    setCertified:
      db.prepare(`UPDATE blobs SET status = 'certified', attested = @attested, start_period = @start_period,
        end_period = @end_period, updated_block = @block WHERE blob_id = @blob_id`),
    addExtension: db.prepare(`UPDATE blobs SET epochs = epochs + @epochs,
        end_period = CASE WHEN status = 'certified' THEN @end_period ELSE end_period END,
        paid = @paid, updated_block = @block WHERE blob_id = @blob_id`),
    blobMoney: db.prepare("SELECT paid, refunded FROM blobs WHERE blob_id = ?"),
    // a deleted blob that is settled later stays "deleted"
    setEnded: db.prepare(`UPDATE blobs SET
        status = CASE WHEN status = 'deleted' AND @status = 'settled' THEN 'deleted' ELSE @status END,
        end_period = COALESCE(@end_period, end_period), refunded = @refunded, updated_block = @block
        WHERE blob_id = @blob_id`),
    setHolderFlag: (flag: keyof typeof holderFlags) => holderFlags[flag],
    reassignHolder,
    clearAttested: db.prepare(
      "UPDATE blobs SET attested = attested & ~(1 << @holder), updated_block = @block WHERE blob_id = @blob_id",
    ),
    pruneHolder: db.prepare(
      "UPDATE blob_holders SET pruned = 1 WHERE blob_id = @blob_id AND node_id = @node_id",
    ),
    deleteBlob: db.prepare("DELETE FROM blobs WHERE blob_id = ?"),
    deleteHolders: db.prepare("DELETE FROM blob_holders WHERE blob_id = ?"),
    deleteTags: db.prepare("DELETE FROM blob_tags WHERE blob_id = ?"),
    deleteSearch: db.prepare("DELETE FROM blob_search WHERE blob_id = ?"),
    eventsOfBlob: db.prepare(
      "SELECT name, args, node_id, blob_id, block_number, block_hash, tx_hash, log_index FROM events WHERE blob_id = ? ORDER BY block_number, log_index",
    ),
  };
}
