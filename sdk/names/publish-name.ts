import type { Hex } from "viem";
import { createNodeClient } from "../../api/node/index.ts";
import {
  contenthashOf,
  ipnsKeyBytes,
  ipnsNameOf,
  ipnsRecordOf,
  type NameUpdate,
  nameIdOf,
  nameRegistryAbi,
  pathOfContenthash,
  publishTypedData,
} from "../../protocol/index.ts";
import type { ChainSigner } from "../client/chain-signer.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signing } from "../client/client-context.ts";
import { readCall, sendCall } from "../client/contract-calls.ts";
import { InvalidArgumentError } from "../errors.ts";
import { NameLockedError } from "./name-errors.ts";
import { nameKeyOf } from "./name-keys.ts";

export type PublishNameProgress =
  | { stage: "signing" }
  | { stage: "sending"; sequence: bigint }
  | { stage: "mirroring"; nodes: number }
  | { stage: "done" };

export interface PublishNameParameters extends ActionOptions {
  /** The name, 1 to 64 bytes: the owner's namespace makes it unique. */
  label: string;
  /** What it points at: a CID, `/ipfs/<cid>` or `/ipns/<key>`. */
  target: string;
  /** Seconds resolvers may cache it (default 300). */
  ttl?: number;
  /** Seconds the value stays valid (default 7 days). */
  lifetime?: number;
  /**
   * The sequence to publish at (default: the chain's + 1). A writer that read the name at `s` and
   * publishes `s + 1` is refused (NameRegistryStaleSequence) if anyone published in between.
   */
  sequence?: bigint;
  /**
   * Sends `publishFor` from this account (a relayer pays the gas) with the owner's EIP-712
   * signature, instead of `publish` from the owner's.
   */
  relayer?: ChainSigner;
  /** Hand the IPNS record to the nodes holding the target, for their gateways (default true). */
  mirror?: boolean;
  onProgress?: (progress: PublishNameProgress) => void;
}

export interface PublishNameReturnType {
  nameId: Hex;
  ipnsName: string;
  path: string;
  sequence: bigint;
  validity: bigint;
  ttl: number;
  hash: Hex;
  blockNumber: bigint;
  /** The IPNS record (protobuf) of this update. */
  record: Uint8Array;
  /** Nodes that took the record for their gateways. */
  mirroredOn: number[];
}

const DEFAULT_TTL = 300;
const DEFAULT_LIFETIME = 7 * 24 * 60 * 60;
/** How long the nodes' copies are retried while the update gathers their confirmations. */
const MIRROR_WAIT_MS = 30_000;

/**
 * Publishes a new value of the signer's name `label`: the chain's next sequence (read from the
 * chain, the authority: no local state), an IPNS record of the same update signed with the name's
 * re-derivable key, handed to the indexer (served once anchored), the update sent on chain, and
 * the record handed to the nodes holding the target.
 *
 * @example
 * const { ipnsName, sequence } = await publishName(client.context, { label: "site", target: cid });
 */
export async function publishName(
  ctx: ClientContext,
  params: PublishNameParameters,
): Promise<PublishNameReturnType> {
  const { label, signal, onProgress } = params;
  const ttl = params.ttl ?? DEFAULT_TTL;
  const lifetime = params.lifetime ?? DEFAULT_LIFETIME;
  const labelBytes = new TextEncoder().encode(label).length;
  if (labelBytes === 0 || labelBytes > 64) throw new InvalidArgumentError("a label is 1 to 64 bytes");
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 0xffffffff)
    throw new InvalidArgumentError("ttl is whole seconds");
  if (!Number.isInteger(lifetime) || lifetime < 1)
    throw new InvalidArgumentError("lifetime is a positive number of seconds");
  let value: Hex;
  try {
    value = contenthashOf(params.target);
  } catch (error) {
    throw new InvalidArgumentError(`target: ${(error as Error).message}`);
  }
  const signed = signing(ctx);
  const owner = await signed.signer.address();
  const registry = ctx.deployment.contracts.names;
  const nameId = nameIdOf(owner, label);

  onProgress?.({ stage: "signing" });
  const key = await nameKeyOf(ctx, signed.signer, owner, label);
  const [current, block] = await Promise.all([
    readCall(ctx.publicClient, {
      address: registry,
      abi: nameRegistryAbi,
      functionName: "recordOf",
      args: [nameId],
    }),
    ctx.publicClient.getBlock(),
  ]);
  if (current.locked) throw new NameLockedError(`${label} (${nameId})`);
  const update: NameUpdate = {
    value,
    sequence: params.sequence ?? current.sequence + 1n,
    // IPNS readers judge validity by their clocks, the contract by the block's: past both
    validity: maxOf(block.timestamp, BigInt(Math.floor(Date.now() / 1000))) + BigInt(lifetime),
    ttl,
    ipnsKey: ipnsKeyBytes(key.publicKey),
  };
  const ipnsName = ipnsNameOf(key.publicKey);
  const record = await ipnsRecordOf(key, update);
  // the indexer keeps it, unserved, until the chain anchors it: visible as soon as it is mirrored
  await ctx.indexer.names.putIpnsRecord(ipnsName, record, { signal }).catch(() => undefined);

  onProgress?.({ stage: "sending", sequence: update.sequence });
  const sent = params.relayer
    ? await sendCall(
        ctx.publicClient,
        params.relayer,
        {
          address: registry,
          abi: nameRegistryAbi,
          functionName: "publishFor",
          args: [
            owner,
            label,
            update,
            await signed.signer.signTypedData(
              publishTypedData(ctx.deployment.chainId, registry, owner, label, update),
            ),
          ],
        },
        sendOptionsOf(ctx, signal),
      )
    : await sendCall(
        ctx.publicClient,
        signed.signer,
        { address: registry, abi: nameRegistryAbi, functionName: "publish", args: [label, update] },
        sendOptionsOf(ctx, signal),
      );

  const path = pathOfContenthash(value);
  const mirroredOn =
    params.mirror === false
      ? []
      : await mirrorNameRecord(ctx, { nameId, ipnsName, record, path, onProgress, signal });
  onProgress?.({ stage: "done" });
  return {
    nameId,
    ipnsName,
    path,
    sequence: update.sequence,
    validity: update.validity,
    ttl,
    hash: sent.hash,
    blockNumber: sent.receipt.blockNumber,
    record,
    mirroredOn,
  };
}

/**
 * Hands the record to the nodes the indexer routes the target to; each takes it once the update
 * has its confirmations (409 until then), so each is retried for a while. Best effort: the chain
 * and the indexer already have the update.
 */
export async function mirrorNameRecord(
  ctx: Pick<ClientContext, "indexer">,
  args: {
    nameId: Hex;
    ipnsName: string;
    record: Uint8Array;
    path: string;
    onProgress?: PublishNameParameters["onProgress"];
    signal?: AbortSignal | undefined;
  },
): Promise<number[]> {
  const cid = /^\/ipfs\/([^/]+)$/.exec(args.path)?.[1];
  if (!cid) return [];
  const route = await ctx.indexer.route(cid, { signal: args.signal }).catch(() => undefined);
  const nodes = route?.nodes ?? [];
  args.onProgress?.({ stage: "mirroring", nodes: nodes.length });
  const deadline = Date.now() + MIRROR_WAIT_MS;
  const taken = await Promise.all(
    nodes.map(async (node) => {
      const client = createNodeClient({ baseUrl: node.endpoint });
      for (let wait = 250; ; wait = Math.min(wait * 2, 2000)) {
        try {
          await client.putIpnsRecord(args.ipnsName, args.nameId, args.record, { signal: args.signal });
          return node.nodeId;
        } catch (error) {
          args.signal?.throwIfAborted();
          const notYet = (error as { code?: string }).code === "NODE_ERR_NOT_ANCHORED";
          if (!notYet || Date.now() + wait > deadline) return undefined;
          await pause(wait, args.signal);
        }
      }
    }),
  );
  return taken.filter((nodeId): nodeId is number => nodeId !== undefined);
}

const maxOf = (a: bigint, b: bigint) => (a > b ? a : b);

/** Waits `ms`, or less when `signal` aborts (then throws its reason). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}
