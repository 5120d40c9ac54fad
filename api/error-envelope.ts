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

/** What a service says of one of its error codes: the HTTP status(es) it comes with, and why. */
export interface ErrorCodeInfo {
  /** The status it answers with (the first, when a code comes with more than one). */
  status: number | readonly number[];
  /** One line: the condition, and what the client can do about it. */
  meaning: string;
}

/** The statuses a code comes with. */
export const statusesOf = (info: ErrorCodeInfo): readonly number[] =>
  typeof info.status === "number" ? [info.status] : info.status;

/** A code a route answers with, at every status the catalog gives it or at just one (`[code, status]`). */
export type RouteError<Code extends string> = Code | readonly [Code, number];

/**
 * The error responses of a route, from the codes it can answer with: per status, the error
 * envelope with `code` an enum of that status's codes and a description naming each with its
 * meaning (what the OpenAPI document shows). `always` are added to every route (the error
 * handler's internal error).
 */
export function errorResponses<Code extends string>(
  catalog: Record<Code, ErrorCodeInfo>,
  always: readonly Code[],
) {
  return (...errors: RouteError<Code>[]): Record<number, TSchema> => {
    const byStatus = new Map<number, Set<Code>>();
    for (const error of [...errors, ...always]) {
      const [code, statuses] =
        typeof error === "string" ? [error, statusesOf(catalog[error])] : [error[0], [error[1]]];
      for (const status of statuses) byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
    }
    return Object.fromEntries(
      [...byStatus.entries()]
        .sort(([a], [b]) => a - b)
        .map(([status, codes]) => {
          const list = [...codes].sort();
          const description = `Refused, the error envelope with one of these codes: ${list
            .map((code) => `${code} (${catalog[code].meaning})`)
            .join("; ")}`;
          return [status, codedEnvelope(list, description)];
        }),
    );
  };
}

/** `{ error: { code, message } }` with `code` one of `codes`. */
function codedEnvelope(codes: readonly string[], description: string) {
  return Type.Object(
    {
      error: Type.Object({
        code: Type.Unsafe<string>({ type: "string", enum: [...codes] }),
        message: Type.String(),
      }),
    },
    { description },
  );
}

/** The OpenAPI schema of bytes (a body or a reply that is not JSON). */
const BINARY = { type: "string", format: "binary" } as const;

/**
 * A reply that is bytes, not JSON: declared per media type with `format: binary` (Fastify never
 * serializes a buffer or a stream, so this only documents it). `json` adds a JSON form of the
 * same status (a stat instead of the bytes, say).
 */
export function BinaryReply(description: string, mediaTypes: readonly string[], json?: TSchema) {
  return Type.Unsafe<unknown>({
    description,
    content: {
      ...Object.fromEntries(mediaTypes.map((type) => [type, { schema: BINARY }])),
      ...(json ? { "application/json": { schema: json } } : {}),
    },
  });
}

/** The key of a route schema that declares a body Fastify does not parse (see `rawBody`). */
const RAW_BODY = "rawBody";

/**
 * Declares a request body that reaches the handler unparsed (a stream of bytes, or a buffer a
 * content-type parser made): for OpenAPI only, each media type as bytes. Spread it into a route
 * schema; `documentRawBodies` turns it into the OpenAPI request body (a Fastify `body` schema
 * would be validated, and bytes are no JSON).
 */
export function rawBody(description: string, mediaTypes: readonly string[]) {
  return { [RAW_BODY]: { description, mediaTypes } } as const;
}

/** The `transform` of @fastify/swagger that writes each `rawBody` as the route's request body. */
export function documentRawBodies<S extends object | undefined>({ schema, url }: { schema: S; url: string }) {
  const raw = (schema as Record<string, unknown> | undefined)?.[RAW_BODY] as
    | { description: string; mediaTypes: readonly string[] }
    | undefined;
  if (!schema || !raw) return { schema, url };
  const { [RAW_BODY]: _, ...rest } = schema as Record<string, unknown>;
  const body = {
    description: raw.description,
    content: Object.fromEntries(
      raw.mediaTypes.map((type) => [type, { schema: { ...BINARY, description: raw.description } }]),
    ),
  };
  return { schema: { ...rest, body } as unknown as S, url };
}

/** `schema` or null. */
export const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const BlobIdPattern = "^0x[0-9a-fA-F]{64}$";
export const HexPattern = "^0x[0-9a-fA-F]*$";
