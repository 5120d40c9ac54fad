// The browser build's `native.ts`: no addon in a page, so the commitment is hashed in JavaScript
// (hashing.ts's `*Js` paths over `sha256.browser.ts`).
import type * as Node from "./native.ts";

export const nativeMerkle: typeof Node.nativeMerkle = undefined;
