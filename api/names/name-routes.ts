import { Type } from "@sinclair/typebox";
import { Bytes } from "../error-envelope.ts";
import { indexerErrors } from "../indexer/indexer-error-codes.ts";
import { nodeErrors } from "../node/node-error-codes.ts";
import {
  HistoryQuery,
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
  names: { querystring: NamesQuery, response: { 200: NamesPage, ...indexerErrors(400) } },
  name: {
    params: Type.Object({ id: Type.String({ pattern: NameIdPattern }) }),
    response: { 200: NameState, ...indexerErrors(400, 404) },
  },
  history: {
    params: Type.Object({ id: Type.String({ pattern: NameIdPattern }) }),
    querystring: HistoryQuery,
    response: { 200: NameHistory, ...indexerErrors(400, 404) },
  },
  getIpns: {
    params: IpnsParams,
    produces: ["application/vnd.ipfs.ipns-record"],
    response: { 200: Bytes("The IPNS record (protobuf)"), ...indexerErrors(400, 404) },
  },
  putIpns: {
    params: IpnsParams,
    consumes: ["application/vnd.ipfs.ipns-record"],
    body: Bytes("The IPNS record (protobuf), at most 10 KiB"),
    response: { 200: Type.Null(), ...indexerErrors(400, 413) },
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

export const NodeNamesSchema = {
  getIpns: {
    params: IpnsParams,
    querystring: NodeIpnsQuery,
    produces: ["application/vnd.ipfs.ipns-record", "application/vnd.ipld.raw", "application/vnd.ipld.car"],
    response: { 200: Bytes("The record, or the content the name points at"), ...nodeErrors(400, 404, 406) },
  },
  getIpnsPath: {
    params: Type.Object({
      name: Type.String({ pattern: IpnsNamePattern }),
      "*": Type.String({ maxLength: 1024 }),
    }),
    querystring: NodeIpnsQuery,
    produces: ["application/octet-stream", "application/vnd.ipld.raw", "application/vnd.ipld.car"],
    response: { 200: Bytes("The file at the path, or its blocks"), ...nodeErrors(400, 404, 406) },
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
    consumes: ["application/vnd.ipfs.ipns-record"],
    body: Bytes("The IPNS record (protobuf), at most 10 KiB"),
    response: {
      200: Type.Object({ ipnsName: Type.String(), sequence: Type.String() }),
      ...nodeErrors(400, 409, 413),
    },
  },
};
