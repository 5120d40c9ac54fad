import { ProtocolError } from "./errors.ts";

/**
 * The market's money rules for one blob (docs/protocol.md §5), integer for integer as
 * StorageMarket, BlobTerms and MarketPay compute them: every division rounds down, once per call
 * that moves money. For clients quoting and auditing escrow, and for the vectors in
 * docs/protocol-vectors.json that the Solidity tests check too.
 */

/** Basis points: the fee is `cost * feeBps / 10000`. */
export const BPS = 10_000n;

/** The storage price of `epochs` epochs of `storedBytes` on holders asking `prices` (BlobTerms.price). */
export function blobCost(prices: readonly bigint[], storedBytes: bigint, epochs: bigint): bigint {
  return prices.reduce((sum, price) => sum + price * storedBytes, 0n) * epochs;
}

/** The protocol fee on a storage price of `cost` (BlobTerms.feeOn). */
export function feeOn(cost: bigint, feeBps: bigint): bigint {
  return (cost * feeBps) / BPS;
}

/** Pay for `periods` periods at `price` per byte per epoch for `storedBytes` (BlobTerms.pay). */
export function periodPay(
  price: bigint,
  storedBytes: bigint,
  periods: bigint,
  periodsPerEpoch: bigint,
): bigint {
  return (price * storedBytes * periods) / periodsPerEpoch;
}

/** Attestations that certify a blob: every holder (hot), `min(n, recovery + margin)` (cold). */
export function quorumOf(
  tier: "hot" | "cold",
  holders: number,
  recovery: number,
  coldMargin: number,
): number {
  return tier === "hot" ? holders : Math.min(holders, recovery + coldMargin);
}

export type LedgerStatus = "registered" | "certified" | "deleted" | "reclaimed" | "settled";

/** Counts the periods in `[from, to)` that holder `holder`'s node proved (ProofSystem.provenCount). */
export type ProvenCount = (holder: number, from: number, to: number) => number;

/**
 * One blob's escrow as the market keeps it: the cost of its epochs at its holders' prices, and
 * `released`, what has left it (pay and refunds). Each method mirrors the contract function of
 * the same name and returns the amount it moves; `current` is the chain's current period.
 */
export class BlobLedger {
  readonly prices: bigint[];
  readonly storedBytes: bigint;
  readonly feeBps: bigint;
  readonly periodsPerEpoch: number;
  epochs: number;
  status: LedgerStatus = "registered";
  startPeriod = 0;
  endPeriod = 0;
  released = 0n;
  /** Per holder: counted (attested) or not, and the period up to which it was paid. */
  readonly attested: boolean[];
  readonly paidTo: number[];

  constructor(terms: {
    prices: readonly bigint[];
    storedBytes: bigint;
    epochs: number;
    feeBps: bigint;
    periodsPerEpoch: number;
  }) {
    this.prices = [...terms.prices];
    this.storedBytes = terms.storedBytes;
    this.epochs = terms.epochs;
    this.feeBps = terms.feeBps;
    this.periodsPerEpoch = terms.periodsPerEpoch;
    this.attested = this.prices.map(() => false);
    this.paidTo = this.prices.map(() => 0);
  }

  /** The price of all the blob's epochs (what `registerBlob` and `extend` took, fee aside). */
  cost(): bigint {
    return blobCost(this.prices, this.storedBytes, BigInt(this.epochs));
  }

  /** The fee on that price, held until the blob is refunded (uncertified) or settled. */
  fee(): bigint {
    return feeOn(this.cost(), this.feeBps);
  }

  /** What `getBlob(...).escrow` reads: the cost not yet released. */
  escrow(): bigint {
    return this.cost() - this.released;
  }

  /**
   * `certify` counting `holders` during period `current`: a registered blob reaching its quorum
   * is certified for `[current + 1, current + 1 + epochs * periodsPerEpoch)`; a holder counted
   * after certification is paid from `current + 1` on.
   */
  certify(holders: readonly number[], current: number, quorum: number): void {
    for (const holder of holders) this.attested[holder] = true;
    if (this.status === "registered") {
      if (this.attested.filter(Boolean).length < quorum) return;
      this.status = "certified";
      this.startPeriod = current + 1;
      this.endPeriod = this.startPeriod + this.epochs * this.periodsPerEpoch;
      return;
    }
    if (this.status !== "certified") throw new ProtocolError(`cannot certify a ${this.status} blob`);
    for (const holder of holders) this.paidTo[holder] = current + 1;
  }

  /** `_collect`: pays `holder` for its proven periods in `[max(paidTo, start), min(end, upTo))`. */
  collect(holder: number, upTo: number, proven: ProvenCount): bigint {
    if (this.status !== "certified" && this.status !== "deleted") return 0n;
    if (!this.attested[holder]) return 0n;
    const end = Math.min(this.endPeriod, upTo);
    const from = Math.max(this.paidTo[holder] as number, this.startPeriod);
    if (from >= end) return 0n;
    this.paidTo[holder] = end;
    const amount = periodPay(
      this.prices[holder] as bigint,
      this.storedBytes,
      BigInt(proven(holder, from, end)),
      BigInt(this.periodsPerEpoch),
    );
    this.released += amount;
    return amount;
  }

  /** `claim` of this blob by `holder`'s node during period `current`: the periods before it. */
  claim(holder: number, current: number, proven: ProvenCount): bigint {
    return this.collect(holder, current, proven);
  }

  /** `extend` by `epochs` during `current`: the price of the new epochs plus the fee's increase. */
  extend(epochs: number, current: number): bigint {
    if (this.status === "certified" && current >= this.endPeriod)
      throw new ProtocolError("the term has ended");
    if (this.status !== "certified" && this.status !== "registered")
      throw new ProtocolError(`cannot extend a ${this.status} blob`);
    const oldCost = this.cost();
    const oldFee = this.fee();
    this.epochs += epochs;
    if (this.status === "certified") this.endPeriod += epochs * this.periodsPerEpoch;
    return this.cost() - oldCost + (this.fee() - oldFee);
  }

  /**
   * `deleteBlob` during `current`: an uncertified blob is refunded whole, fee included; a
   * certified one ends after `current` and each holder's later periods are refunded at once,
   * `floor(price * stored * (end - (current + 1)) / periodsPerEpoch)` per holder.
   */
  deleteBlob(current: number): bigint {
    let refund = 0n;
    if (this.status === "registered") {
      const cost = this.cost();
      refund = cost + this.fee();
      this.released = cost;
    } else if (this.status === "certified") {
      const newEnd = current + 1;
      if (newEnd > this.endPeriod) throw new ProtocolError("the term has ended");
      const periods = BigInt(this.endPeriod - newEnd);
      for (const price of this.prices)
        refund += periodPay(price, this.storedBytes, periods, BigInt(this.periodsPerEpoch));
      this.released += refund;
      this.endPeriod = newEnd;
    } else {
      throw new ProtocolError(`cannot delete a ${this.status} blob`);
    }
    this.status = "deleted";
    return refund;
  }

  /** `reclaim` of a blob never certified, past its deadline: cost and fee. */
  reclaim(): bigint {
    if (this.status !== "registered") throw new ProtocolError(`cannot reclaim a ${this.status} blob`);
    const cost = this.cost();
    this.released = cost;
    this.status = "reclaimed";
    return cost + feeOn(cost, this.feeBps);
  }

  /**
   * `settle` during `current` (at or past the end): every holder is credited what it earned and
   * was not paid, the owner gets the rest of the escrow, the treasury the fee.
   */
  settle(current: number, proven: ProvenCount): { credits: bigint[]; refund: bigint; fee: bigint } {
    const wasCertified = this.status === "certified" || (this.status === "deleted" && this.startPeriod !== 0);
    if (!wasCertified) throw new ProtocolError(`cannot settle a ${this.status} blob`);
    if (current < this.endPeriod) throw new ProtocolError("the term has not ended");
    const credits = this.prices.map((_, holder) => this.collect(holder, this.endPeriod, proven));
    const cost = this.cost();
    const refund = cost - this.released;
    this.released = cost;
    this.status = "settled";
    return { credits, refund, fee: feeOn(cost, this.feeBps) };
  }
}

/**
 * A step of a blob's life at period `c + offset`, `c` being the period it was registered in:
 * holders counted by `certify`/`certifyShards` (`certify` the first call, `attest` a later one),
 * periods proven by the holders' nodes (`prove`), and the calls that move money, each with what
 * it moved once replayed (`amount`; for `settle`, the owner's `refund`, each holder's `credits`
 * and the treasury's `fee`).
 */
export type BlobStep =
  | { offset: number; action: "certify" | "attest" | "prove"; holders: number[] }
  | { offset: number; action: "claim"; holder: number; amount?: number }
  | { offset: number; action: "extend"; epochs: number; amount?: number }
  | { offset: number; action: "delete" | "reclaim"; amount?: number }
  | { offset: number; action: "settle"; refund?: number; credits?: number[]; fee?: number };

/** What a blob is registered with, for a replay: holder prices, bytes each stores, epochs, quorum. */
export interface BlobTermsInput {
  prices: readonly bigint[];
  storedBytes: bigint;
  epochs: number;
  quorum: number;
  feeBps: bigint;
  periodsPerEpoch: number;
}

/** Replays `steps` (in order) from period `c`, filling in what each call moved. */
export function replayBlobLife(terms: BlobTermsInput, steps: readonly BlobStep[], c = 0): BlobStep[] {
  const ledger = new BlobLedger(terms);
  const proven = terms.prices.map(() => new Set<number>());
  const count: ProvenCount = (holder, from, to) =>
    [...(proven[holder] as Set<number>)].filter((period) => period >= from && period < to).length;
  const num = (value: bigint) => {
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ProtocolError(`${value} is beyond 2^53`);
    return Number(value);
  };
  return steps.map((step): BlobStep => {
    const period = c + step.offset;
    switch (step.action) {
      case "certify":
      case "attest":
        ledger.certify(step.holders, period, terms.quorum);
        return step;
      case "prove":
        for (const holder of step.holders) proven[holder]?.add(period);
        return step;
      case "claim":
        return { ...step, amount: num(ledger.claim(step.holder, period, count)) };
      case "extend":
        return { ...step, amount: num(ledger.extend(step.epochs, period)) };
      case "delete":
        return { ...step, amount: num(ledger.deleteBlob(period)) };
      case "reclaim":
        return { ...step, amount: num(ledger.reclaim()) };
      case "settle": {
        const { credits, refund, fee } = ledger.settle(period, count);
        return { ...step, refund: num(refund), credits: credits.map(num), fee: num(fee) };
      }
    }
    throw new ProtocolError("unknown step");
  });
}
