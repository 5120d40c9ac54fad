/**
 * The cold tier's two-dimensional Reed-Solomon code, one stripe at a time (docs/protocol.md,
 * "Cold tier"). With G the n x k systematic generator and S a stripe's k x k symbol matrix:
 * P = G S (n x k; holder i's primary sliver is row i), Q = S G^T (k x n; holder i's secondary
 * sliver is column i), and E = G S G^T = P G^T = G Q, so E[i][j] is both a combination of holder
 * j's secondary sliver and of holder i's primary sliver. Any k primaries rebuild the stripe; k
 * intersection symbols rebuild a lost holder's primary, and k more its secondary.
 */

import { ProtocolError } from "../errors.ts";
import type { ColdLayout } from "./cold-layout.ts";
import { type GfMatrix, generator, invert, pickRows } from "./gf256.ts";
import { matMul } from "./native.ts";

/** The code of one layout shape: its generator and the inverses it has needed so far. */
export class StripeCodec {
  readonly layout: ColdLayout;
  readonly #generator: GfMatrix;
  readonly #parity: Uint8Array;
  readonly #inverses = new Map<string, GfMatrix>();

  constructor(layout: ColdLayout) {
    this.layout = layout;
    this.#generator = generator(layout.nodes, layout.recovery);
    this.#parity = this.#generator.data.subarray(layout.recovery * layout.recovery);
  }

  /**
   * Encodes one stripe (`layout.stripeBytes`, zero-padded) into each holder's part of it:
   * `out[i]` (`layout.shardStripeBytes`) receives holder i's primary then secondary sliver.
   */
  encode(stripe: Uint8Array, out: readonly Uint8Array[]): void {
    const { nodes: n, recovery: k, symbolSize: s, sliverBytes } = this.layout;
    if (stripe.length !== this.layout.stripeBytes || out.length !== n) {
      throw new ProtocolError("encode takes one whole stripe and one output per holder");
    }
    const row = (r: number) => stripe.subarray(r * sliverBytes, (r + 1) * sliverBytes);
    const cell = (r: number, c: number) => stripe.subarray((r * k + c) * s, (r * k + c + 1) * s);
    for (let i = 0; i < k; i += 1) {
      out[i].set(row(i), 0);
      for (let r = 0; r < k; r += 1) out[i].set(cell(r, i), sliverBytes + r * s);
    }
    if (n === k) return;
    const rows = Array.from({ length: k }, (_, r) => row(r));
    matMul(
      this.#parity,
      rows,
      out.slice(k).map((shard) => shard.subarray(0, sliverBytes)),
    );
    for (let r = 0; r < k; r += 1) {
      matMul(
        this.#parity,
        Array.from({ length: k }, (_, c) => cell(r, c)),
        out.slice(k).map((shard) => shard.subarray(sliverBytes + r * s, sliverBytes + (r + 1) * s)),
      );
    }
  }

  /**
   * Rebuilds a stripe into `out` (`layout.stripeBytes`) from primary slivers: `primaries[i]` is
   * holder i's primary sliver of the stripe, or undefined; at least k must be given. Holders
   * 0..k-1 carry the stripe's rows as they are, so only the rows they lack are computed.
   */
  decode(primaries: readonly (Uint8Array | undefined)[], out: Uint8Array): void {
    const { recovery: k, sliverBytes } = this.layout;
    const chosen = this.choose(primaries);
    const missing: number[] = [];
    for (let r = 0; r < k; r += 1) {
      const sliver = primaries[r];
      if (sliver) out.set(sliver, r * sliverBytes);
      else missing.push(r);
    }
    if (missing.length === 0) return;
    const inverse = this.inverseOf(chosen);
    matMul(
      pickRows(inverse, missing).data,
      chosen.map((i) => primaries[i] as Uint8Array),
      missing.map((r) => out.subarray(r * sliverBytes, (r + 1) * sliverBytes)),
    );
  }

  /**
   * What helper `helper` sends, per stripe, toward rebuilding holder `lost`'s part of it:
   * E[lost][helper] from its secondary sliver, then E[helper][lost] from its primary sliver
   * (2 * symbolSize bytes), given the helper's part of the stripe (`layout.shardStripeBytes`).
   */
  repairSymbols(lost: number, part: Uint8Array, out: Uint8Array): void {
    const { recovery: k, symbolSize: s, sliverBytes } = this.layout;
    const coefficients = this.#generator.data.subarray(lost * k, (lost + 1) * k);
    const symbols = (base: number) =>
      Array.from({ length: k }, (_, c) => part.subarray(base + c * s, base + (c + 1) * s));
    matMul(coefficients, symbols(sliverBytes), [out.subarray(0, s)]);
    matMul(coefficients, symbols(0), [out.subarray(s, 2 * s)]);
  }

  /**
   * Rebuilds holder `lost`'s part of a stripe into `out` from the repair symbols of k helpers:
   * `symbols[i]` is what helper i sent (see {@link repairSymbols}), or undefined.
   */
  repair(symbols: readonly (Uint8Array | undefined)[], out: Uint8Array): void {
    const { recovery: k, symbolSize: s, sliverBytes } = this.layout;
    const chosen = this.choose(symbols);
    const inverse = this.inverseOf(chosen).data;
    const part = (base: number) =>
      Array.from({ length: k }, (_, c) => out.subarray(base + c * s, base + (c + 1) * s));
    matMul(
      inverse,
      chosen.map((i) => (symbols[i] as Uint8Array).subarray(0, s)),
      part(0),
    );
    matMul(
      inverse,
      chosen.map((i) => (symbols[i] as Uint8Array).subarray(s, 2 * s)),
      part(sliverBytes),
    );
  }

  /** k of the given positions, systematic ones first. */
  choose(given: readonly (Uint8Array | undefined)[]): number[] {
    const { nodes: n, recovery: k } = this.layout;
    const chosen: number[] = [];
    for (let i = 0; i < n && chosen.length < k; i += 1) if (given[i]) chosen.push(i);
    if (chosen.length < k) {
      throw new ProtocolError(`${chosen.length} of the ${k} pieces needed were given`);
    }
    return chosen;
  }

  private inverseOf(chosen: readonly number[]): GfMatrix {
    const key = chosen.join(",");
    let inverse = this.#inverses.get(key);
    if (!inverse) {
      inverse = invert(pickRows(this.#generator, chosen));
      this.#inverses.set(key, inverse);
    }
    return inverse;
  }
}
