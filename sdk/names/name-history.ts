import type { NameHistory } from "../../api/names/index.ts";
import { ServiceError } from "../../api/service-error.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { InvalidArgumentError } from "../errors.ts";
import { NameNotPublishedError, NameUnreachableError } from "./name-errors.ts";
import { type NameRef, nameIdFrom } from "./resolve-name.ts";

export interface NameHistoryParameters extends ActionOptions {
  name: NameRef;
  limit?: number;
  /** A sequence: the updates below it (the `next` of the previous page). */
  before?: string;
}

/** Every update of a name, newest first, as the chain recorded them (expired ones included). */
export async function nameHistory(ctx: ClientContext, params: NameHistoryParameters): Promise<NameHistory> {
  const nameId = nameIdFrom(params.name);
  if (!nameId) throw new InvalidArgumentError("history takes a name id, or an owner and label");
  try {
    return await ctx.indexer.names.history(
      nameId,
      {
        ...(params.limit ? { limit: params.limit } : {}),
        ...(params.before ? { before: params.before } : {}),
      },
      { signal: params.signal },
    );
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INDEXER_ERR_NOT_FOUND")
      throw new NameNotPublishedError(nameId);
    if (error instanceof ServiceError && error.status === 0) throw new NameUnreachableError(nameId, error);
    throw error;
  }
}
