// The browser build's SHA-256 (selected for `sha256.ts` by the SDK's browser bundle): no `node:`
// module. hash-wasm's WebAssembly SHA-256 is the fastest synchronous one a page has (WebCrypto's
// digest is asynchronous, too slow per 257-byte leaf); until it is instantiated, or where a page's
// CSP forbids WebAssembly, @noble/hashes (the version viem ships) gives the same digests.
import { sha256 as nobleSha256 } from "@noble/hashes/sha2";
import { createSHA256, type IHasher } from "hash-wasm";
import type * as Node from "./sha256.ts";

let hasher: IHasher | undefined;
let loading: Promise<void> | undefined;

export const sha256Ready: typeof Node.sha256Ready = () => {
  loading ??= createSHA256().then(
    (loaded) => {
      hasher = loaded;
    },
    () => undefined, // no WebAssembly here: the JavaScript path stays
  );
  return loading;
};

export const sha256: typeof Node.sha256 = (data) => {
  if (hasher === undefined) {
    void sha256Ready();
    return nobleSha256(data);
  }
  hasher.init();
  hasher.update(data);
  return hasher.digest("binary");
};
