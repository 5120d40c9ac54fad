// The browser build's `latin1.ts`: no Buffer in a page.
import type * as Node from "./latin1.ts";

const PIECE = 8192;

export const latin1: typeof Node.latin1 = (bytes, start = 0, end = bytes.length) => {
  let text = "";
  for (let at = start; at < end; at += PIECE) {
    text += String.fromCharCode(...bytes.subarray(at, Math.min(at + PIECE, end)));
  }
  return text;
};
