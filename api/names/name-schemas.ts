import { type Static, Type } from "@sinclair/typebox";
import { Nullable } from "../error-envelope.ts";

export const NameIdPattern = "^0x[0-9a-fA-F]{64}$";
export const AddressPattern = "^0x[0-9a-fA-F]{40}$";
/** An IPNS name: a libp2p-key CIDv1 in base36 (`k51…`) or base32 (`bafz…`), or a base58 peer id. */
export const IpnsNamePattern = "^[0-9A-Za-z]{20,120}$";
export { IPNS_RECORD_TYPE } from "./ipns-record-type.ts";
/** The largest IPNS record a client must accept (IPNS spec). */
export const MAX_IPNS_RECORD = 10 * 1024;

const Sequence = Type.String({ pattern: "^[0-9]{1,20}$", description: "uint64, decimal" });

/** A name as the chain's last update left it. */
export const NameState = Type.Object({
  nameId: Type.String({ pattern: NameIdPattern }),
  owner: Type.String(),
  label: Type.String(),
  value: Type.String({ description: "ENSIP-7 contenthash, hex" }),
  path: Type.String({ description: "The content path the value names, `/ipfs/<cid>`; empty if unreadable" }),
  sequence: Sequence,
  validity: Type.Integer({ description: "Unix seconds after which the value must not be used" }),
  ttl: Type.Integer({ description: "Seconds a resolver may cache the value" }),
  ipnsKey: Type.String({ description: "libp2p public key (protobuf), hex" }),
  ipnsName: Type.String({ description: "The IPNS name the updates are mirrored under (`k51…`)" }),
  locked: Type.Boolean(),
  expired: Type.Boolean({ description: "The validity has passed: resolving refuses the value" }),
  updates: Type.Integer(),
  publishedBlock: Type.Integer(),
  updatedBlock: Type.Integer(),
  updatedTx: Type.String(),
  ipnsRecord: Type.Boolean({ description: "The IPNS record of the current update is held and served" }),
  network: Nullable(
    Type.Object(
      {
        sequence: Sequence,
        path: Type.String(),
        validity: Type.Integer(),
      },
      { description: "A valid IPNS record above the chain's sequence: not anchored, ignored unless asked" },
    ),
  ),
});

/** One update in a name's history. */
export const NameUpdateRow = Type.Object({
  sequence: Sequence,
  value: Type.String(),
  path: Type.String(),
  validity: Type.Integer(),
  ttl: Type.Integer(),
  ipnsName: Type.String(),
  block: Type.Object({
    number: Type.Integer(),
    hash: Type.String(),
    tx: Type.String(),
    logIndex: Type.Integer(),
  }),
});

export const NameHistory = Type.Object({
  nameId: Type.String(),
  updates: Type.Array(NameUpdateRow, { description: "Newest first" }),
  next: Nullable(Type.String({ description: "Pass as `before` for the next (older) page" })),
});

export const NamesPage = Type.Object({
  names: Type.Array(NameState),
  next: Nullable(Type.String({ description: "Pass as `after` for the next page" })),
});

export const NamesQuery = Type.Object(
  {
    owner: Type.Optional(Type.String({ pattern: AddressPattern })),
    ipnsName: Type.Optional(Type.String({ pattern: IpnsNamePattern })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    after: Type.Optional(Type.String({ pattern: NameIdPattern })),
  },
  { additionalProperties: false },
);

export const HistoryQuery = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    before: Type.Optional(
      Type.String({ pattern: "^[0-9]{1,20}$", description: "A sequence: updates below it" }),
    ),
  },
  { additionalProperties: false },
);

export type IndexedName = Static<typeof NameState>;
export type IndexedNameUpdate = Static<typeof NameUpdateRow>;
export type NameHistory = Static<typeof NameHistory>;
export type NamesPage = Static<typeof NamesPage>;
/** GET /names filters, as a client passes them. */
export type NamesFilter = Omit<Static<typeof NamesQuery>, "limit"> & { limit?: number };
