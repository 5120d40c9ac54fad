import { type ClientRequest, request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { pipeline } from "node:stream/promises";

/** What a server answered to a PUT: the HTTP status and the JSON body (undefined if not JSON). */
export interface PutReply {
  status: number;
  statusText: string;
  json: unknown;
}

const MAX_REPLY_BYTES = 1 << 20;

/** What a PUT sends: chunks read as the socket takes them, or a Blob (a page's File, Node's `openAsBlob`). */
export type PutBody = AsyncIterable<Uint8Array> | Blob;

/** How a PUT is sent: extra headers, a signal, and `onBytes` as each chunk goes out. */
export interface PutOptions {
  headers?: Record<string, string>;
  signal?: AbortSignal;
  onBytes?: (bytes: number) => void;
}

/**
 * PUTs `body` to `url` and reads the JSON answer. The body is written with backpressure: a chunk
 * is read from `body` only once the socket has taken the one before, so memory stays at a few
 * chunks whatever the size (fetch with a streamed body reads ahead of the socket). A node that
 * answers before reading the whole body (a refusal) is heard: its answer is returned and the rest
 * of the body is not read.
 */
export function putStream(url: string, body: PutBody, options: PutOptions = {}): Promise<PutReply> {
  const target = new URL(url);
  const send = target.protocol === "https:" ? httpsRequest : httpRequest;
  const req = send(target, {
    method: "PUT",
    headers: {
      "content-type": "application/octet-stream",
      ...(body instanceof Blob ? { "content-length": String(body.size) } : {}),
      ...options.headers,
    },
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const answered = new Promise<PutReply>((resolve, reject) => {
    req.once("response", (res) => readReply(res).then(resolve, reject));
    req.on("error", reject);
  });
  // a refusal ends the upload: the rest of the body is not read
  answered.then(
    (reply) => reply.status >= 400 && req.destroy(),
    () => undefined,
  );
  const chunks = body instanceof Blob ? (body.stream() as unknown as AsyncIterable<Uint8Array>) : body;
  const sent = pipeline(counted(chunks, options.onBytes), req);
  return Promise.race([
    answered,
    // a body that failed to go out matters only if no answer comes (a refusal closes the socket)
    sent.then(
      () => answered,
      (error: unknown) => answerOr(req, answered, error),
    ),
  ]);
}

async function* counted(body: AsyncIterable<Uint8Array>, onBytes?: (bytes: number) => void) {
  for await (const chunk of body) {
    onBytes?.(chunk.length);
    yield chunk;
  }
}

/** The answer if the node sent one before the connection went, else the send's error. */
async function answerOr(req: ClientRequest, answered: Promise<PutReply>, error: unknown): Promise<PutReply> {
  const late = new Promise<never>((_, reject) => setTimeout(() => reject(error), 1_000).unref());
  try {
    return await Promise.race([answered, late]);
  } finally {
    req.destroy();
  }
}

async function readReply(res: IncomingMessage): Promise<PutReply> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_REPLY_BYTES) chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString("utf8");
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", json };
}
