/**
 * Order-preserving bytes of the scalar values an index holds, so byte order is value order within a
 * type and types sort as MongoDB's do (null < numbers < strings < booleans):
 *   null 0x10 · number 0x20 + float64 (sign flipped, big-endian) · string 0x30 + UTF-8 with 0x00 as
 *   0x00 0xff, ended by 0x00 0x00 · false 0x40 0x00 · true 0x40 0x01 (the first byte is the type).
 * Objects, arrays and anything else are not indexed (`undefined`).
 */
export function encodeIndexValue(value: unknown): Uint8Array | undefined {
  if (value === null) return Uint8Array.of(0x10);
  if (typeof value === "number") {
    if (Number.isNaN(value)) return undefined;
    const bytes = new Uint8Array(9);
    bytes[0] = 0x20;
    const view = new DataView(bytes.buffer);
    view.setFloat64(1, value === 0 ? 0 : value); // -0 and 0 are one value
    if (value < 0) for (let i = 1; i < 9; i += 1) bytes[i] = ~(bytes[i] as number) & 0xff;
    else bytes[1] = (bytes[1] as number) | 0x80;
    return bytes;
  }
  if (typeof value === "string") {
    const utf8 = new TextEncoder().encode(value);
    const out: number[] = [0x30];
    for (const byte of utf8) {
      out.push(byte);
      if (byte === 0) out.push(0xff);
    }
    out.push(0, 0);
    return Uint8Array.from(out);
  }
  if (typeof value === "boolean") return Uint8Array.of(0x40, value ? 1 : 0);
  return undefined;
}

/** The first byte past every encoding of a type (for `$gt: 5` to stop at the strings). */
export function typeEnd(encoded: Uint8Array): Uint8Array {
  return Uint8Array.of((encoded[0] as number) + 1);
}

/** The index key of one document under one value: the value's bytes, then the document's key. */
export function indexKey(encodedValue: Uint8Array, docKey: string): Uint8Array {
  const key = new TextEncoder().encode(docKey);
  const out = new Uint8Array(encodedValue.length + key.length);
  out.set(encodedValue);
  out.set(key, encodedValue.length);
  return out;
}

/**
 * Index keys the value at `path` of `doc` gives: several for an array (a multikey index), and
 * through arrays of objects on the way (`tags.name` of `{ tags: [{ name }, …] }`), as MongoDB
 * matches them.
 */
export function indexValuesOf(doc: Record<string, unknown>, path: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const seen = new Set<string>();
  const add = (value: unknown) => {
    const encoded = encodeIndexValue(value);
    if (!encoded) return;
    const id = encoded.join(",");
    if (seen.has(id)) return;
    seen.add(id);
    out.push(encoded);
  };
  const visit = (value: unknown, parts: string[]) => {
    if (parts.length === 0) {
      if (Array.isArray(value)) for (const item of value) add(item);
      else if (value !== undefined) add(value);
      return;
    }
    const [part, ...rest] = parts as [string, ...string[]];
    if (Array.isArray(value)) {
      if (/^\d+$/.test(part)) visit(value[Number(part)], rest);
      for (const item of value)
        if (item !== null && typeof item === "object" && !Array.isArray(item)) visit(item, parts);
      return;
    }
    if (value === null || typeof value !== "object") return;
    visit((value as Record<string, unknown>)[part], rest);
  };
  visit(doc, path.split("."));
  return out;
}

/** The least byte string above every string starting with `prefix` (undefined: there is none). */
export function prefixEnd(prefix: Uint8Array): Uint8Array | undefined {
  const out = prefix.slice();
  for (let i = out.length - 1; i >= 0; i -= 1) {
    if ((out[i] as number) < 0xff) {
      out[i] = (out[i] as number) + 1;
      return out.subarray(0, i + 1);
    }
  }
  return undefined;
}
