import { RangeNotSatisfiableError } from "../errors.ts";

export interface ByteRange {
  offset: number;
  length: number;
}

const SINGLE = /^bytes=(\d*)-(\d*)$/;

/**
 * The byte range a `Range` header asks for out of `size` bytes: one range, `a-b`, `a-` or `-n`.
 * Several ranges, other units, malformed or unsatisfiable ranges throw a 416.
 */
export function parseRange(header: string, size: number): ByteRange {
  const match = SINGLE.exec(header.trim());
  if (!match) throw new RangeNotSatisfiableError(header, size);
  const [, first, last] = match as unknown as [string, string, string];
  if (first === "" && last === "") throw new RangeNotSatisfiableError(header, size);
  let start: number;
  let end: number;
  if (first === "") {
    const suffix = Number(last);
    if (suffix === 0) throw new RangeNotSatisfiableError(header, size);
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(first);
    end = last === "" ? size - 1 : Math.min(Number(last), size - 1);
    if (last !== "" && Number(last) < start) throw new RangeNotSatisfiableError(header, size);
  }
  if (!Number.isSafeInteger(start) || start >= size) throw new RangeNotSatisfiableError(header, size);
  return { offset: start, length: end - start + 1 };
}
