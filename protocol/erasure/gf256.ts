/**
 * Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d), the field of the
 * cold tier's Reed-Solomon code (docs/protocol.md, "Cold tier"), and the few matrix operations the
 * code needs. Pure; the bulk products run in native/erasure.c where it is built.
 */
import { ProtocolError } from "../errors.ts";

const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for (let i = 0; i < 255; i += 1) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if (x & 0x100) x ^= 0x11d;
  }
  for (let i = 255; i < 512; i += 1) EXP[i] = EXP[i - 255];
}

/** The product of two field elements. */
export function gfMul(a: number, b: number): number {
  return a === 0 || b === 0 ? 0 : EXP[LOG[a] + LOG[b]];
}

/** The multiplicative inverse of a non-zero field element. */
export function gfInv(a: number): number {
  if (a === 0) throw new ProtocolError("zero has no inverse in GF(2^8)");
  return EXP[255 - LOG[a]];
}

/** A row-major matrix of field elements. */
export interface GfMatrix {
  rows: number;
  cols: number;
  data: Uint8Array;
}

/** The rows `picked` of `matrix`, in that order. */
export function pickRows(matrix: GfMatrix, picked: readonly number[]): GfMatrix {
  const data = new Uint8Array(picked.length * matrix.cols);
  picked.forEach((row, i) => {
    data.set(matrix.data.subarray(row * matrix.cols, (row + 1) * matrix.cols), i * matrix.cols);
  });
  return { rows: picked.length, cols: matrix.cols, data };
}

/** The columns `picked` of `matrix`, in that order. */
export function pickColumns(matrix: GfMatrix, picked: readonly number[]): GfMatrix {
  const data = new Uint8Array(matrix.rows * picked.length);
  for (let r = 0; r < matrix.rows; r += 1) {
    picked.forEach((col, j) => {
      data[r * picked.length + j] = matrix.data[r * matrix.cols + col] as number;
    });
  }
  return { rows: matrix.rows, cols: picked.length, data };
}

/** The product `a b`. */
export function multiply(a: GfMatrix, b: GfMatrix): GfMatrix {
  if (a.cols !== b.rows)
    throw new ProtocolError(`cannot multiply ${a.rows}x${a.cols} by ${b.rows}x${b.cols}`);
  const data = new Uint8Array(a.rows * b.cols);
  for (let r = 0; r < a.rows; r += 1) {
    for (let c = 0; c < b.cols; c += 1) {
      let sum = 0;
      for (let j = 0; j < a.cols; j += 1)
        sum ^= gfMul(a.data[r * a.cols + j] as number, b.data[j * b.cols + c] as number);
      data[r * b.cols + c] = sum;
    }
  }
  return { rows: a.rows, cols: b.cols, data };
}

/** The inverse of a square matrix, by Gauss-Jordan elimination; throws when it is singular. */
export function invert(matrix: GfMatrix): GfMatrix {
  const n = matrix.rows;
  if (matrix.cols !== n) throw new ProtocolError("only square matrices invert");
  const work = Uint8Array.from(matrix.data);
  const inverse = new Uint8Array(n * n);
  for (let i = 0; i < n; i += 1) inverse[i * n + i] = 1;
  for (let col = 0; col < n; col += 1) {
    let pivot = col;
    while (pivot < n && work[pivot * n + col] === 0) pivot += 1;
    if (pivot === n) throw new ProtocolError("the matrix is singular");
    if (pivot !== col) {
      swapRows(work, n, pivot, col);
      swapRows(inverse, n, pivot, col);
    }
    const scale = gfInv(work[col * n + col]);
    for (let j = 0; j < n; j += 1) {
      work[col * n + j] = gfMul(work[col * n + j], scale);
      inverse[col * n + j] = gfMul(inverse[col * n + j], scale);
    }
    for (let row = 0; row < n; row += 1) {
      const factor = work[row * n + col];
      if (row === col || factor === 0) continue;
      for (let j = 0; j < n; j += 1) {
        work[row * n + j] ^= gfMul(factor, work[col * n + j]);
        inverse[row * n + j] ^= gfMul(factor, inverse[col * n + j]);
      }
    }
  }
  return { rows: n, cols: n, data: inverse };
}

function swapRows(data: Uint8Array, width: number, a: number, b: number): void {
  const tmp = data.slice(a * width, (a + 1) * width);
  data.copyWithin(a * width, b * width, (b + 1) * width);
  data.set(tmp, b * width);
}

/**
 * The systematic generator of a [n, k] Reed-Solomon code: the identity on top of an (n - k) x k
 * Cauchy matrix, `1 / (x_i + y_j)` with `x_i = k + i` and `y_j = j`. Every k x k submatrix of it is
 * invertible, so any k of the n coded rows give back the k source rows.
 */
export function generator(n: number, k: number): GfMatrix {
  const data = new Uint8Array(n * k);
  for (let i = 0; i < k; i += 1) data[i * k + i] = 1;
  for (let i = k; i < n; i += 1) {
    for (let j = 0; j < k; j += 1) data[i * k + j] = gfInv(i ^ j);
  }
  return { rows: n, cols: k, data };
}

/** `outputs[r] = sum over c of coefficients[r][c] * inputs[c]`, in JavaScript (the addon's twin). */
export function matMulJs(
  coefficients: Uint8Array,
  inputs: readonly Uint8Array[],
  outputs: readonly Uint8Array[],
): void {
  const cols = inputs.length;
  outputs.forEach((out, r) => {
    out.fill(0);
    for (let c = 0; c < cols; c += 1) {
      const coef = coefficients[r * cols + c];
      if (coef === 0) continue;
      const input = inputs[c];
      const logCoef = LOG[coef];
      for (let i = 0; i < out.length; i += 1) {
        const v = input[i];
        if (v !== 0) out[i] ^= EXP[logCoef + LOG[v]];
      }
    }
  });
}
