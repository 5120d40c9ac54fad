import { type TSchema, Type } from "@sinclair/typebox";

/**
 * The error envelope every Strata service answers a refused request with:
 * `{ error: { code, message } }`, the code one of `codes`.
 */
export function errorEnvelope<Code extends string>(id: string, codes: readonly Code[]) {
  return Type.Object(
    {
      error: Type.Object({
        code: Type.Unsafe<Code>({ type: "string", enum: [...codes] }),
        message: Type.String(),
      }),
    },
    { $id: id, description: "A refused request: a stable code and a short message" },
  );
}

/** `{ 400: envelope, 404: envelope, ... }`: the error statuses of a route's responses. */
export function errorResponses<T extends TSchema>(envelope: T) {
  return (...statuses: number[]): Record<number, T> =>
    Object.fromEntries(statuses.map((status) => [status, envelope]));
}

/** `schema` or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

/** A body declared as bytes (a stream or a buffer), for OpenAPI. */
export const Bytes = (description: string) => Type.Any({ description });

export const BlobIdPattern = "^0x[0-9a-fA-F]{64}$";
export const HexPattern = "^0x[0-9a-fA-F]*$";
