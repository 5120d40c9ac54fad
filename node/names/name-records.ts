import type { Datastore } from "interface-datastore";
import { Key } from "interface-datastore";
import type { Hex } from "viem";
import { contenthashOf, type IpnsEntry, readIpnsRecord, updateHashOf } from "#protocol";
import type { ChainClient } from "../chain/chain-client.ts";
import { InvalidRecordError, NotAnchoredError } from "../errors.ts";

const PREFIX = "/strata/names";
/** How long a served record's anchoring is trusted before the chain is asked again. */
const RECHECK_MS = 15_000;

/** An anchored IPNS record this node keeps and serves. */
export interface HeldName {
  nameId: Hex;
  entry: IpnsEntry;
}

type Signal = { signal?: AbortSignal | undefined };

/**
 * The IPNS records of anchored names this node serves on `/ipns/:name` and republishes. A record
 * is taken only when it passes the stock IPNS validator and the name's chain record, as of
 * `confirmations` blocks below the head, carries it exactly (sequence, value, validity, TTL, key):
 * the chain is the authority, a record alone proves nothing. One record per IPNS name, the newest.
 */
export class NameRecords {
  readonly #datastore: Datastore;
  readonly #chain: Pick<ChainClient, "names" | "publicClient">;
  readonly #confirmations: number;
  /** When each served record was last found anchored (ms): re-checked when older than RECHECK_MS. */
  readonly #checked = new Map<string, number>();

  constructor(options: {
    datastore: Datastore;
    chain: Pick<ChainClient, "names" | "publicClient">;
    confirmations: number;
  }) {
    this.#datastore = options.datastore;
    this.#chain = options.chain;
    this.#confirmations = options.confirmations;
  }

  /** Checks a record against the validator and the chain, then keeps it (replacing an older one). */
  async accept(nameId: Hex, ipnsName: string, bytes: Uint8Array, opts: Signal = {}): Promise<HeldName> {
    let entry: IpnsEntry;
    try {
      entry = await readIpnsRecord(ipnsName, bytes);
    } catch (error) {
      throw new InvalidRecordError((error as Error).message);
    }
    const held = await this.get(entry.ipnsName, opts);
    if (held && held.entry.sequence === entry.sequence && held.nameId === nameId) return held;
    if (held && held.entry.sequence > entry.sequence) {
      throw new NotAnchoredError(
        `sequence ${entry.sequence} is older than the ${held.entry.sequence} held here`,
      );
    }
    const verdict = await this.anchoring(nameId, entry, opts);
    if (verdict !== "anchored") throw new NotAnchoredError(verdict);
    await this.#datastore.put(keyOf(entry.ipnsName), encode(nameId, bytes), optionsOf(opts));
    this.#checked.set(entry.ipnsName, Date.now());
    return { nameId, entry };
  }

  /**
   * The record to serve for `ipnsName`: held, valid, and found anchored within the last
   * RECHECK_MS (else checked again, one chain read; one the chain moved past or reorged away is
   * dropped, so a gateway never serves it for long).
   */
  async serve(ipnsName: string, opts: Signal = {}): Promise<HeldName | undefined> {
    const held = await this.get(ipnsName, opts);
    if (!held) return undefined;
    if (Date.now() - (this.#checked.get(ipnsName) ?? 0) < RECHECK_MS) return held;
    const verdict = await this.anchoring(held.nameId, held.entry, opts);
    if (verdict !== "anchored") {
      await this.drop(ipnsName, opts);
      return undefined;
    }
    this.#checked.set(ipnsName, Date.now());
    return held;
  }

  /**
   * "anchored" when the name's confirmed chain record carries `entry` exactly; otherwise why not,
   * in words (the chain's sequence, or what differs).
   */
  async anchoring(nameId: Hex, entry: IpnsEntry, opts: Signal = {}): Promise<string> {
    const head = await this.#chain.publicClient.getBlockNumber();
    const blockNumber = head - BigInt(Math.min(this.#confirmations, Number(head)));
    opts.signal?.throwIfAborted();
    const chain = await this.#chain.names.read.recordOf([nameId], { blockNumber });
    if (chain.owner === "0x0000000000000000000000000000000000000000") {
      return `name ${nameId} has no confirmed update on chain`;
    }
    if (chain.sequence !== entry.sequence) {
      return `the chain's confirmed sequence of ${nameId} is ${chain.sequence}, the record's ${entry.sequence}`;
    }
    let updateHash: Hex;
    try {
      updateHash = updateHashOf({ value: contenthashOf(entry.value), ipnsKey: entry.publicKey });
    } catch {
      return `the record's value ${entry.value.slice(0, 100)} is not a content path`;
    }
    if (
      updateHash !== chain.updateHash ||
      BigInt(chain.validity) !== entry.validity ||
      chain.ttl !== entry.ttl
    ) {
      return `the record's value, key, validity or TTL differ from the chain's update ${chain.sequence}`;
    }
    return "anchored";
  }

  async get(ipnsName: string, opts: Signal = {}): Promise<HeldName | undefined> {
    const key = keyOf(ipnsName);
    if (!(await this.#datastore.has(key, optionsOf(opts)))) return undefined;
    const { nameId, bytes } = decode(await this.#datastore.get(key, optionsOf(opts)));
    // kept records passed the validator; an expired one reads as absent (and goes at the next pass)
    const entry = await readIpnsRecord(ipnsName, bytes).catch(() => undefined);
    return entry && { nameId, entry };
  }

  /** Every kept record, whether still valid or not (the republisher sorts them out). */
  async *all(opts: Signal = {}): AsyncGenerator<{ ipnsName: string; nameId: Hex; bytes: Uint8Array }> {
    for await (const { key, value } of this.#datastore.query({ prefix: `${PREFIX}/` }, optionsOf(opts))) {
      yield { ipnsName: key.baseNamespace(), ...decode(value) };
    }
  }

  async drop(ipnsName: string, opts: Signal = {}): Promise<void> {
    this.#checked.delete(ipnsName);
    await this.#datastore.delete(keyOf(ipnsName), optionsOf(opts));
  }
}

const keyOf = (ipnsName: string) => new Key(`${PREFIX}/${ipnsName}`);
const optionsOf = (opts: Signal) => (opts.signal ? { signal: opts.signal } : {});

/** 32 bytes of name id, then the record. */
function encode(nameId: Hex, bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32 + bytes.byteLength);
  out.set(Buffer.from(nameId.slice(2), "hex"));
  out.set(bytes, 32);
  return out;
}

function decode(value: Uint8Array): { nameId: Hex; bytes: Uint8Array } {
  return { nameId: `0x${Buffer.from(value.subarray(0, 32)).toString("hex")}`, bytes: value.subarray(32) };
}
