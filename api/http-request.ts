import { BAD_REPLY, ServiceError, type ServiceOrigin, serviceErrorOf, unreachable } from "./service-error.ts";

/** What a client of `api/` sends through: the service's base URL, who it is, and fetch. */
export interface HttpTarget {
  baseUrl: string;
  origin: ServiceOrigin;
  fetch: typeof fetch;
}

/**
 * Requests `path` and returns the response when its status is one of `ok`; otherwise throws the
 * ServiceError of the answer (its envelope parsed) or of no answer (unreachable). An abort of the
 * caller's signal is rethrown as is.
 */
export async function send(
  target: HttpTarget,
  path: string,
  init: Omit<RequestInit, "signal"> & { signal?: AbortSignal | undefined } = {},
  ok: readonly number[] = [200],
): Promise<Response> {
  const { signal, ...rest } = init;
  let response: Response;
  try {
    response = await target.fetch(`${target.baseUrl}${path}`, { ...rest, ...(signal ? { signal } : {}) });
  } catch (error) {
    signal?.throwIfAborted();
    throw unreachable(target.origin, error);
  }
  if (!ok.includes(response.status)) {
    const json = await response.json().catch(() => undefined);
    throw serviceErrorOf(target.origin, { status: response.status, statusText: response.statusText, json });
  }
  return response;
}

/** The JSON body of a response the contract says is JSON; a ServiceError (API_ERR_BAD_REPLY) if not. */
export async function jsonOf<T>(target: HttpTarget, response: Response): Promise<T> {
  try {
    return (await response.json()) as T;
  } catch (error) {
    throw new ServiceError(
      target.origin,
      { status: response.status, code: BAD_REPLY, message: "the body is not JSON" },
      { cause: error },
    );
  }
}

/** The body of a byte response, as chunks. */
export function bytesOf(target: HttpTarget, response: Response): AsyncIterable<Uint8Array> {
  if (!response.body) {
    throw new ServiceError(target.origin, { status: response.status, code: BAD_REPLY, message: "no body" });
  }
  return response.body as unknown as AsyncIterable<Uint8Array>;
}

/** `signal` and a timeout of `ms`, together. */
export function withTimeout(ms: number, signal?: AbortSignal): AbortSignal {
  const timeout = AbortSignal.timeout(ms);
  return signal ? AbortSignal.any([signal, timeout]) : timeout;
}

/** A base URL without its trailing slashes. */
export const trimBase = (url: string) => url.replace(/\/+$/, "");
