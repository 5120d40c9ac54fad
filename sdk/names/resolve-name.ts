import { type Address, type Hex, isHex } from "viem";
import type { IndexedName } from "../../api/names/index.ts";
import { ServiceError } from "../../api/service-error.ts";
import { canonicalIpnsName, nameIdOf } from "../../protocol/index.ts";
import type { ActionOptions, ClientContext } from "../client/client-context.ts";
import { InvalidArgumentError } from "../errors.ts";
import { NameExpiredError, NameNotPublishedError, NameUnreachableError } from "./name-errors.ts";

/** A name: its id, its owner and label, or its IPNS name (`k51…`). */
export type NameRef = Hex | string | { owner: Address; label: string };

export interface ResolveNameParameters extends ActionOptions {
  name: NameRef;
  /**
   * Take a valid IPNS record above the chain's sequence, which the chain does not anchor (a
   * publisher's newer record whose update is not mined, or a stolen key's). Default false.
   */
  acceptUnanchored?: boolean;
}

export interface ResolveNameReturnType {
  nameId: Hex;
  owner: Address;
  label: string;
  /** `/ipfs/<cid>` (or `/ipns/<key>`). */
  path: string;
  /** The CID when the path is an /ipfs/ one. */
  cid: string | undefined;
  sequence: bigint;
  validity: number;
  ttl: number;
  ipnsName: string;
  locked: boolean;
  /** False only with `acceptUnanchored`, when a newer unanchored record was taken. */
  anchored: boolean;
}

/**
 * Resolves a name to the value its chain record anchors, through the indexer. An expired value is
 * refused (NameExpiredError); a name nobody published (NameNotPublishedError) and an indexer that
 * does not answer (NameUnreachableError) are told apart.
 *
 * @example
 * const { cid } = await resolveName(client.context, { name: { owner, label: "site" } });
 */
export async function resolveName(
  ctx: ClientContext,
  params: ResolveNameParameters,
): Promise<ResolveNameReturnType> {
  const { signal } = params;
  const shown = typeof params.name === "string" ? params.name : `${params.name.owner}/${params.name.label}`;
  let state: IndexedName;
  try {
    state = await lookUp(ctx, params.name, signal);
  } catch (error) {
    if (error instanceof ServiceError && error.code === "INDEXER_ERR_NOT_FOUND")
      throw new NameNotPublishedError(shown);
    if (error instanceof ServiceError && error.status === 0) throw new NameUnreachableError(shown, error);
    throw error;
  }
  if (state.expired || state.validity <= Date.now() / 1000) throw new NameExpiredError(shown, state.validity);
  const network = params.acceptUnanchored ? state.network : null;
  const path = network ? network.path : state.path;
  return {
    nameId: state.nameId as Hex,
    owner: state.owner as Address,
    label: state.label,
    path,
    cid: /^\/ipfs\/([^/]+)$/.exec(path)?.[1],
    sequence: BigInt(network ? network.sequence : state.sequence),
    validity: network ? network.validity : state.validity,
    ttl: state.ttl,
    ipnsName: state.ipnsName,
    locked: state.locked,
    anchored: network === null,
  };
}

/** The name's id from any reference. */
export function nameIdFrom(name: NameRef): Hex | undefined {
  if (typeof name !== "string") return nameIdOf(name.owner, name.label);
  if (isHex(name) && name.length === 66) return name.toLowerCase() as Hex;
  return undefined;
}

async function lookUp(
  ctx: ClientContext,
  name: NameRef,
  signal: AbortSignal | undefined,
): Promise<IndexedName> {
  const nameId = nameIdFrom(name);
  if (nameId) return ctx.indexer.names.name(nameId, { signal });
  let ipnsName: string;
  try {
    ipnsName = canonicalIpnsName(name as string);
  } catch {
    throw new InvalidArgumentError(
      `not a name id, owner and label, or IPNS name: ${String(name).slice(0, 100)}`,
    );
  }
  const { names } = await ctx.indexer.names.names({ ipnsName, limit: 100 }, { signal });
  const latest = names.sort((a, b) => (BigInt(b.sequence) > BigInt(a.sequence) ? 1 : -1))[0];
  if (!latest) throw new NameNotPublishedError(ipnsName);
  return latest;
}
