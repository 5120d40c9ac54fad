import { Type } from "@sinclair/typebox";
import { BinaryReply, rawBody } from "../error-envelope.ts";
import { indexerErrors } from "../indexer/indexer-error-codes.ts";
import { CAR_TYPE, RAW_TYPE } from "../node/gateway-params.ts";
import { nodeErrors } from "../node/node-error-codes.ts";
import {
  HistoryQuery,
  IPNS_RECORD_TYPE,
  IpnsNamePattern,
  NameHistory,
  NameIdPattern,
  NameState,
  NamesPage,
  NamesQuery,
} from "./name-schemas.ts";

/**
 * The indexer's name routes: its mirror of the NameRegistry, and the delegated routing v1 IPNS
 * endpoints (specs.ipfs.tech/routing/http-routing-v1) a stock IPFS client resolves names with.
 */
export const NamesPath = {
  names: "/names",
  name: "/names/:id",
  history: "/names/:id/history",
  routingIpns: "/routing/v1/ipns/:name",
} as const;

const IpnsParams = Type.Object({ name: Type.String({ pattern: IpnsNamePattern }) });

export const NamesSchema = {
  names: {
    querystring: NamesQuery,
    response: { 200: NamesPage, ...indexerErrors("INDEXER_ERR_VALIDATION") },
  },
  name: {
    params: Type.Object({ id: Type.String({ pattern: NameIdPattern }) }),
    response: { 200: NameState, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_NOT_FOUND") },
  },
  history: {
    params: Type.Object({ id: Type.String({ pattern: NameIdPattern }) }),
    querystring: HistoryQuery,
    response: { 200: NameHistory, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_NOT_FOUND") },
  },
  getIpns: {
    params: IpnsParams,
    response: {
      200: BinaryReply("The IPNS record (protobuf)", [IPNS_RECORD_TYPE]),
      ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_INVALID_QUERY", "INDEXER_ERR_NOT_FOUND"),
    },
  },
  putIpns: {
    params: IpnsParams,
    ...rawBody("The IPNS record (protobuf), at most 10 KiB", [IPNS_RECORD_TYPE]),
    response: {
      200: Type.Null({ description: "Kept" }),
      ...indexerErrors(
        "INDEXER_ERR_VALIDATION",
        "INDEXER_ERR_INVALID_QUERY",
        "INDEXER_ERR_INVALID_RECORD",
        "INDEXER_ERR_TOO_LARGE",
        "INDEXER_ERR_BAD_REQUEST",
      ),
    },
  },
};

/** A storage node's name routes: its IPNS gateway and the intake of anchored records. */
export const NodeNamesPath = {
  ipns: "/ipns/:name",
  ipnsPath: "/ipns/:name/*",
} as const;

const NodeIpnsQuery = Type.Object(
  {
    format: Type.Optional(
      Type.Union([Type.Literal("ipns-record"), Type.Literal("raw"), Type.Literal("car")], {
        description: "ipns-record: the record itself; raw or car: the content, verifiable",
      }),
    ),
  },
  { additionalProperties: false },
);

/** What the node's IPNS gateway can answer with besides its reply: the name, its record, its content. */
const IPNS_GATEWAY_ERRORS = [
  "NODE_ERR_VALIDATION",
  "NODE_ERR_INVALID_ID",
  "NODE_ERR_NOT_FOUND",
  "NODE_ERR_NOT_ACCEPTABLE",
  "NODE_ERR_SHARDS_UNAVAILABLE",
  "NODE_ERR_CHAIN_UNAVAILABLE",
] as const;

export const NodeNamesSchema = {
  getIpns: {
    params: IpnsParams,
    querystring: NodeIpnsQuery,
    response: {
      200: BinaryReply("The record (format=ipns-record), or the content the name points at, verifiable", [
        IPNS_RECORD_TYPE,
        RAW_TYPE,
        CAR_TYPE,
      ]),
      302: Type.Null({ description: "The content as a file: a redirect to /file/{cid}" }),
      ...nodeErrors(...IPNS_GATEWAY_ERRORS),
    },
  },
  getIpnsPath: {
    params: Type.Object({
      name: Type.String({ pattern: IpnsNamePattern }),
      "*": Type.String({ maxLength: 1024 }),
    }),
    querystring: NodeIpnsQuery,
    response: {
      200: BinaryReply("The file at the path, or its blocks", [
        "application/octet-stream",
        RAW_TYPE,
        CAR_TYPE,
      ]),
      ...nodeErrors(...IPNS_GATEWAY_ERRORS),
    },
  },
  putIpns: {
    params: IpnsParams,
    querystring: Type.Object(
      {
        nameId: Type.String({
          pattern: NameIdPattern,
          description: "The registry's name id the record anchors to",
        }),
      },
      { additionalProperties: false },
    ),
    ...rawBody("The IPNS record (protobuf), at most 10 KiB", [IPNS_RECORD_TYPE]),
    response: {
      200: Type.Object({ ipnsName: Type.String(), sequence: Type.String() }),
      ...nodeErrors(
        "NODE_ERR_VALIDATION",
        "NODE_ERR_INVALID_ID",
        "NODE_ERR_INVALID_RECORD",
        "NODE_ERR_NOT_ANCHORED",
        "NODE_ERR_TOO_LARGE",
        "NODE_ERR_BAD_REQUEST",
        "NODE_ERR_CHAIN_UNAVAILABLE",
      ),
    },
  },
};
