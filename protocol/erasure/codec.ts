/**
 * The cold tier's two-dimensional Reed-Solomon code, one stripe at a time (docs/protocol.md,
 * "Cold tier"). With G the n x k systematic generator and X a stripe's symmetric k x k symbol
 * matrix (the blob fills its upper triangle): holder i keeps row i of G X, which is both its
 * primary sliver (rows coded) and its secondary sliver (column i of X G^T, columns coded). Any k
 * slivers rebuild the stripe; since E = G X G^T is symmetric, E[j][i] = sliver_j . G[i] is one
 * symbol holder j sends toward a lost holder i, and k of them give back its whole sliver: a
 * repair moves one sliver's worth, 2 / (k + 1) of the blob (the product-matrix minimum-bandwidth
 * code of Rashmi, Shah and Kumar, with k helpers).
 */

import { ProtocolError } from "../errors.ts";
import { type ColdLayout, primaryPart, triangleRowOffset } from "./cold-layout.ts";
import { type GfMatrix, generator, invert, multiply, pickColumns, pickRows } from "./gf256.ts";
import { matMul } from "./native.ts";

/** The code of one layout shape: its generator and the inverses it has needed so far. */
export class StripeCodec {
  readonly layout: ColdLayout;
  readonly #generator: GfMatrix;
  readonly #parity: Uint8Array;
  readonly #inverses = new Map<string, GfMatrix>();
  readonly #solvers = new Map<string, Uint8Array>();

  constructor(layout: ColdLayout) {
    this.layout = layout;
    this.#generator = generator(layout.nodes, layout.recovery);
    this.#parity = this.#generator.data.subarray(layout.recovery * layout.recovery);
  }

  /**
   * Encodes one stripe (`layout.stripeBytes`, zero-padded) into each holder's sliver of it:
   * `out[i]` (`layout.shardStripeBytes`). Holders 0..k-1 get the rows of X as they are.
   */
  encode(stripe: Uint8Array, out: readonly Uint8Array[]): void {
    const { nodes: n, recovery: k } = this.layout;
    if (stripe.length !== this.layout.stripeBytes || out.length !== n) {
      throw new ProtocolError("encode takes one whole stripe and one output per holder");
    }
    for (let i = 0; i < k; i += 1) {
      const sliver = out[i] as Uint8Array;
      // columns 0..i-1 are X[c][i] (row c of the triangle), i..k-1 the triangle's row i
      for (let c = 0; c < i; c += 1) sliver.set(this.#cell(stripe, c, i), c * this.layout.symbolSize);
      const { from, length } = primaryPart(this.layout, i);
      const offset = triangleRowOffset(this.layout, i);
      sliver.set(stripe.subarray(offset, offset + length), from);
    }
    if (n > k) matMul(this.#parity, out.slice(0, k), out.slice(k));
  }

  /**
   * Rebuilds a stripe into `out` (`layout.stripeBytes`) from primary parts: `primaries[i]` is
   * holder i's part of its sliver (see {@link primaryPart}: the triangle's row i for a
   * systematic holder, the whole sliver for a parity one), or undefined; at least k must be
   * given. With holders 0..k-1 all given, it is a copy.
   */
  decode(primaries: readonly (Uint8Array | undefined)[], out: Uint8Array): void {
    const { recovery: k, symbolSize: s } = this.layout;
    const chosen = this.choose(primaries);
    for (const i of chosen) {
      const expected = primaryPart(this.layout, i).length;
      if (primaries[i]?.length !== expected) {
        throw new ProtocolError(
          `holder ${i}'s primary part is ${expected} bytes, got ${primaries[i]?.length}`,
        );
      }
    }
    const present: number[] = [];
    const missing: number[] = [];
    for (let r = 0; r < k; r += 1) {
      const part = primaries[r];
      if (part) {
        out.set(part, triangleRowOffset(this.layout, r));
        present.push(r);
      } else missing.push(r);
    }
    if (missing.length === 0) return;
    const parity = chosen.filter((i) => i >= k);
    // column by column: G[parity][missing] X[missing][c] = sliver_parity[c] + G[parity][present]
    // X[present][c]. Only the entries of the missing rows' own parts (X[m][c], m <= c) are
    // written, in place; the columns of present rows come first, and by symmetry they give the
    // entries X[present][m] the missing columns need.
    for (const c of [...present, ...missing]) {
      const wanted = missing.filter((m) => m <= c);
      if (wanted.length === 0) continue;
      matMul(
        this.#solver(parity, missing, present, wanted),
        [
          ...parity.map((p) => (primaries[p] as Uint8Array).subarray(c * s, (c + 1) * s)),
          ...present.map((r) => this.#cell(out, Math.min(r, c), Math.max(r, c))),
        ],
        wanted.map((m) => this.#cell(out, m, c)),
      );
    }
  }

  /** Holder `holder`'s primary part within its whole sliver of a stripe. */
  primaryOf(holder: number, sliver: Uint8Array): Uint8Array {
    const { from, length } = primaryPart(this.layout, holder);
    return sliver.subarray(from, from + length);
  }

  /**
   * What a helper sends, per stripe, toward rebuilding holder `lost`'s sliver: the one symbol
   * E[helper][lost] = sliver . G[lost], given the helper's sliver (`layout.shardStripeBytes`).
   */
  repairSymbols(lost: number, sliver: Uint8Array, out: Uint8Array): void {
    const { recovery: k, symbolSize: s } = this.layout;
    matMul(this.#generator.data.subarray(lost * k, (lost + 1) * k), this.#symbols(sliver), [
      out.subarray(0, s),
    ]);
  }

  /**
   * Rebuilds holder `lost`'s sliver of a stripe into `out` from the repair symbols of k helpers:
   * `symbols[j]` is what helper j sent (see {@link repairSymbols}), or undefined. The helpers'
   * symbols are G[J] X G[lost]^T; X being symmetric, G[J]^-1 of them is the lost row itself.
   */
  repair(symbols: readonly (Uint8Array | undefined)[], out: Uint8Array): void {
    const chosen = this.choose(symbols);
    matMul(
      this.#inverseOf(chosen).data,
      chosen.map((j) => symbols[j] as Uint8Array),
      this.#symbols(out),
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

  /** The blob's symbol X[row][col] (row <= col) in a stripe. */
  #cell(stripe: Uint8Array, row: number, col: number): Uint8Array {
    const s = this.layout.symbolSize;
    const offset = triangleRowOffset(this.layout, row) + (col - row) * s;
    return stripe.subarray(offset, offset + s);
  }

  /** The k symbols of a sliver. */
  #symbols(sliver: Uint8Array): Uint8Array[] {
    const s = this.layout.symbolSize;
    return Array.from({ length: this.layout.recovery }, (_, c) => sliver.subarray(c * s, (c + 1) * s));
  }

  #inverseOf(chosen: readonly number[]): GfMatrix {
    const key = chosen.join(",");
    let inverse = this.#inverses.get(key);
    if (!inverse) {
      inverse = invert(pickRows(this.#generator, chosen));
      this.#inverses.set(key, inverse);
    }
    return inverse;
  }

  /**
   * The coefficients giving X[wanted][c] (wanted among the missing rows) from the parity
   * slivers' symbols c then X[present][c]: the rows `wanted` of [A, A G[parity][present]], with
   * A = G[parity][missing]^-1 (a Cauchy submatrix: invertible).
   */
  #solver(
    parity: readonly number[],
    missing: readonly number[],
    present: readonly number[],
    wanted: readonly number[],
  ): Uint8Array {
    const key = `${parity.join(",")}/${missing.join(",")}/${wanted.join(",")}`;
    let solver = this.#solvers.get(key);
    if (!solver) {
      const rows = pickRows(this.#generator, parity);
      const a = invert(pickColumns(rows, missing));
      const b = multiply(a, pickColumns(rows, present));
      const width = parity.length + present.length;
      solver = new Uint8Array(wanted.length * width);
      wanted.forEach((m, i) => {
        const r = missing.indexOf(m);
        solver?.set(a.data.subarray(r * a.cols, (r + 1) * a.cols), i * width);
        solver?.set(b.data.subarray(r * b.cols, (r + 1) * b.cols), i * width + parity.length);
      });
      this.#solvers.set(key, solver);
    }
    return solver;
  }
}
