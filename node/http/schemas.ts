import { type Static, Type } from "@sinclair/typebox";

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { $id: "NodeError", description: "A refused request: a stable code and a short message" },
);

export const BlobIdPattern = "^0x[0-9a-fA-F]{64}$";
export const HexPattern = "^0x[0-9a-fA-F]*$";

export const Attestation = Type.Object({
  holder: Type.Integer(),
  expiry: Type.String({ description: "Unix seconds, decimal" }),
  r: Type.String({ pattern: HexPattern }),
  vs: Type.String({ pattern: HexPattern }),
  signature: Type.String({ pattern: HexPattern }),
});

export const StoreReply = Type.Object({
  blobId: Type.String({ pattern: BlobIdPattern }),
  cid: Type.String(),
  size: Type.Integer(),
  commitment: Type.String({ pattern: HexPattern }),
  nodeId: Type.Integer(),
  holder: Type.Integer(),
  attestation: Attestation,
});

export const errors = (...codes: number[]) => Object.fromEntries(codes.map((code) => [code, ErrorBody]));

export type StoreReply = Static<typeof StoreReply>;
