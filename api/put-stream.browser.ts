// The browser build's `put-stream.ts` (no `node:http`). A page cannot stream a request body over
// HTTP/1.1 (Chromium streams only over HTTP/2, Firefox and Safari not at all), so the body goes
// as a Blob: a File or Blob as it is (read from disk by the browser, never copied into the page),
// chunks folded into a Blob first (the browser's blob store holds them, paging large ones to
// disk). XMLHttpRequest sends it, as the only page API that reports upload progress; where there
// is none (a worker, Node.js loading this build) fetch sends it and the bytes are counted once
// the answer came.
import type * as Node from "./put-stream.ts";

type PutReply = Node.PutReply;

/** Headers a page may not set (the browser sets them from the Blob). */
const FORBIDDEN = new Set(["content-length", "connection", "host", "transfer-encoding"]);

/** Chunks folded into one Blob every this many parts (a Blob of Blobs copies nothing). */
const FOLD_PARTS = 64;

export const putStream: typeof Node.putStream = async (url, body, options = {}) => {
  options.signal?.throwIfAborted();
  const blob = body instanceof Blob ? body : await toBlob(body, options.signal);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries({
    "content-type": "application/octet-stream",
    ...options.headers,
  })) {
    if (!FORBIDDEN.has(name.toLowerCase())) headers[name] = value;
  }
  return typeof XMLHttpRequest === "function"
    ? putWithXhr(url, blob, headers, options)
    : putWithFetch(url, blob, headers, options);
};

/**
 * The chunks of `source` as one Blob. Each chunk is copied into a Blob part as it arrives (a
 * producer may reuse its buffers), and parts are folded together as they pile up.
 */
export async function toBlob(source: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<Blob> {
  let parts: Blob[] = [];
  for await (const chunk of source) {
    signal?.throwIfAborted();
    parts.push(new Blob([chunk as Uint8Array<ArrayBuffer>]));
    if (parts.length >= FOLD_PARTS) parts = [new Blob(parts)];
  }
  return new Blob(parts);
}

function putWithXhr(
  url: string,
  blob: Blob,
  headers: Record<string, string>,
  options: Node.PutOptions,
): Promise<PutReply> {
  const { signal, onBytes } = options;
  return new Promise<PutReply>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let sent = 0;
    const report = (loaded: number) => {
      if (loaded > sent) onBytes?.(loaded - sent);
      sent = Math.max(sent, loaded);
    };
    const abort = () => xhr.abort();
    xhr.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => report(event.loaded);
    xhr.onload = () => {
      if (xhr.status < 400) report(blob.size);
      resolve({ status: xhr.status, statusText: xhr.statusText, json: parseJson(xhr.responseText) });
    };
    xhr.onerror = () => reject(new TypeError(`PUT ${url}: the connection failed`));
    xhr.ontimeout = () => reject(new TypeError(`PUT ${url}: timed out`));
    xhr.onabort = () => reject(signal?.reason ?? new DOMException("The upload was aborted", "AbortError"));
    xhr.onloadend = () => signal?.removeEventListener("abort", abort);
    signal?.addEventListener("abort", abort, { once: true });
    xhr.send(blob);
  });
}

async function putWithFetch(
  url: string,
  blob: Blob,
  headers: Record<string, string>,
  options: Node.PutOptions,
): Promise<PutReply> {
  const response = await fetch(url, {
    method: "PUT",
    body: blob,
    headers,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const text = await response.text();
  if (response.status < 400) options.onBytes?.(blob.size);
  return { status: response.status, statusText: response.statusText, json: parseJson(text) };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
