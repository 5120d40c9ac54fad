import { expect, test } from "vitest";
import {
  envelopeOf,
  NO_ENVELOPE,
  ServiceError,
  serviceErrorOf,
  UNREACHABLE,
  unreachable,
} from "./service-error.ts";

test("envelopeOf reads { error: { code, message } } and nothing else", () => {
  expect(envelopeOf({ error: { code: "NODE_ERR_NODE_DROPPED", message: "m" } })).toEqual({
    code: "NODE_ERR_NODE_DROPPED",
    message: "m",
  });
  expect(envelopeOf({ error: { code: "INDEXER_ERR_NOT_FOUND" } })).toEqual({ code: "INDEXER_ERR_NOT_FOUND" });
  expect(envelopeOf({ code: "NODE_ERR_CHAIN_UNAVAILABLE" })).toBeUndefined();
  expect(envelopeOf({ error: { code: 7 } })).toBeUndefined();
  expect(envelopeOf({ blobId: "0x01" })).toBeUndefined();
  expect(envelopeOf(undefined)).toBeUndefined();
  expect(envelopeOf(null)).toBeUndefined();
});

test("serviceErrorOf keeps the service, node, status, code and message", () => {
  const error = serviceErrorOf(
    { service: "node", nodeId: 4 },
    {
      status: 403,
      statusText: "Forbidden",
      json: { error: { code: "NODE_ERR_BLOB_NOT_REGISTERED", message: "no" } },
    },
  );
  expect(error).toBeInstanceOf(ServiceError);
  expect(error).toMatchObject({
    service: "node",
    nodeId: 4,
    status: 403,
    code: "NODE_ERR_BLOB_NOT_REGISTERED",
  });
  expect(error.message).toBe("node 4: HTTP 403 NODE_ERR_BLOB_NOT_REGISTERED: no");
});

test("an answer without the envelope, and no answer, have codes of the client's own", () => {
  const bare = serviceErrorOf(
    { service: "indexer" },
    { status: 502, statusText: "Bad Gateway", json: undefined },
  );
  expect(bare).toMatchObject({ service: "indexer", status: 502, code: NO_ENVELOPE, nodeId: undefined });
  const cause = Object.assign(new TypeError("fetch failed"), { cause: { code: "ECONNREFUSED" } });
  const down = unreachable({ service: "node", nodeId: 2 }, cause);
  expect(down).toMatchObject({ status: 0, code: UNREACHABLE, cause });
  expect(down.message).toContain("ECONNREFUSED");
});
