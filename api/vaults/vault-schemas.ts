import { type Static, Type } from "@sinclair/typebox";
import { Nullable } from "../error-envelope.ts";
import { indexerErrors } from "../indexer/indexer-error-codes.ts";

const Amount = Type.String({ pattern: "^[0-9]+$", description: "Token amount in base units, decimal" });
const Block = Type.Object({
  number: Type.Integer(),
  hash: Type.String(),
  tx: Type.String(),
  logIndex: Type.Integer(),
});

/** A vault as the VaultRegistry's events left it. */
export const VaultState = Type.Object({
  vaultId: Type.Integer(),
  owner: Type.String(),
  home: Type.Integer({ description: "The node hosting it" }),
  quota: Type.Integer({ description: "Bytes" }),
  pricePerByteEpoch: Amount,
  escrow: Amount,
  paidThrough: Type.Integer({ description: "Unix seconds the escrow pays the home through" }),
  settledAt: Nullable(Type.Integer({ description: "Unix seconds the home was last credited up to" })),
  sequence: Type.Integer({ description: "The last committed snapshot's sequence (0: none)" }),
  manifest: Nullable(Type.String({ description: "The last snapshot's manifest (a CID's bytes, hex)" })),
  closed: Type.Boolean(),
  openedBlock: Type.Integer(),
  updatedBlock: Type.Integer(),
});

export const VaultSnapshot = Type.Object({
  sequence: Type.Integer(),
  manifest: Type.String(),
  blobs: Type.Array(Type.String()),
  committer: Type.String(),
  block: Block,
});

export const VaultDetail = Type.Intersect([
  VaultState,
  Type.Object({
    moves: Type.Array(
      Type.Object({ from: Type.Integer(), to: Type.Integer(), sequence: Type.Integer(), block: Block }),
    ),
  }),
]);

export const VaultsQuery = Type.Object(
  {
    owner: Type.Optional(Type.String({ pattern: "^0x[0-9a-fA-F]{40}$" })),
    home: Type.Optional(Type.Integer({ minimum: 1 })),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
    after: Type.Optional(Type.Integer({ minimum: 0, description: "The `next` of the previous page" })),
  },
  { additionalProperties: false },
);

export const VaultsPath = {
  vaults: "/vaults",
  vault: "/vaults/:id",
  snapshots: "/vaults/:id/snapshots",
} as const;

const VaultId = Type.Object({ id: Type.Integer({ minimum: 1 }) });

export const VaultsSchema = {
  vaults: {
    querystring: VaultsQuery,
    response: {
      200: Type.Object({ vaults: Type.Array(VaultState), next: Nullable(Type.Integer()) }),
      ...indexerErrors("INDEXER_ERR_VALIDATION"),
    },
  },
  vault: {
    params: VaultId,
    response: { 200: VaultDetail, ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_NOT_FOUND") },
  },
  snapshots: {
    params: VaultId,
    response: {
      200: Type.Object({ vaultId: Type.Integer(), snapshots: Type.Array(VaultSnapshot) }),
      ...indexerErrors("INDEXER_ERR_VALIDATION", "INDEXER_ERR_NOT_FOUND"),
    },
  },
};

export type IndexedVault = Static<typeof VaultState>;
export type IndexedVaultDetail = Static<typeof VaultDetail>;
export type IndexedVaultSnapshot = Static<typeof VaultSnapshot>;
/** GET /vaults filters, as a client passes them. */
export type VaultsFilter = Omit<Static<typeof VaultsQuery>, "limit"> & { limit?: number };
