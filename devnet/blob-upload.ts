import { type Hex, parseEventLogs, toHex } from "viem";
import {
  attestationArg,
  type ColdLayout,
  cidOfStream,
  coldCommitmentOfStream,
  coldLayoutForFaults,
  type Deployment,
  storageMarketAbi,
  Tier,
  treeRoot,
} from "#protocol";
import type { StoreReply } from "../api/node/index.ts";
import { sendShards } from "../sdk/client/send-shards.ts";
import { hotBlobParams } from "../sdk/client/upload-blob.ts";
import { contractsFor, type StrataHarness, type TestNode } from "./strata-fixture.ts";

export interface PreparedBlob {
  data: Uint8Array;
  cid: string;
  cidBytes: Hex;
  commitment: Hex;
  size: number;
}

/** CID and commitment of `data`, as the SDK computes them before registering. */
export async function prepareBlob(data: Uint8Array): Promise<PreparedBlob> {
  const cid = await cidOfStream([data]);
  return {
    data,
    cid: cid.toString(),
    cidBytes: toHex(cid.bytes),
    commitment: toHex(treeRoot(data)),
    size: data.length,
  };
}

/** Registers `blob` for `holders`, paid by `owner`; returns its id. */
export async function registerPrepared(
  h: StrataHarness,
  deployment: Deployment,
  owner: ReturnType<StrataHarness["wallet"]>,
  holders: TestNode[],
  blob: PreparedBlob,
  options: { epochs?: number; mimeType?: string; name?: string; tags?: string[] } = {},
): Promise<Hex> {
  const nodes = holders.map((n) => n.nodeId).sort((a, b) => a - b);
  return register(
    h,
    deployment,
    owner,
    hotBlobParams(blob, nodes, options.epochs ?? 2, {
      name: options.name ?? "file.bin",
      mimeType: options.mimeType ?? "application/octet-stream",
      tags: options.tags ?? ["test"],
    }),
  );
}

/** Quotes, pays (faucet and approval) and registers `params`; returns the blob id. */
async function register(
  h: StrataHarness,
  deployment: Deployment,
  owner: ReturnType<StrataHarness["wallet"]>,
  params: Omit<ReturnType<typeof hotBlobParams>, "tier"> & { tier: (typeof Tier)[keyof typeof Tier] },
): Promise<Hex> {
  const as = contractsFor(deployment, h.publicClient, owner);
  const stored = params.tier === Tier.cold ? params.shardSize : params.size;
  const [cost, fee] = await as.market.read.quote([params.nodes, params.tier, stored, params.epochs]);
  await h.wait(await as.token.write.faucet([cost + fee]));
  await h.wait(await as.token.write.approve([deployment.contracts.market, cost + fee]));
  const receipt = await h.wait(await as.market.write.registerBlob([params]));
  const [event] = parseEventLogs({ abi: storageMarketAbi, logs: receipt.logs, eventName: "BlobRegistered" });
  if (!event) throw new Error("no BlobRegistered");
  return event.args.blobId;
}

/** PUTs `body` to a node's /store for `blobId`. */
export async function putToNode(url: string, blobId: Hex, body: Uint8Array | ReadableStream<Uint8Array>) {
  const response = await fetch(`${url}/store?blobId=${blobId}`, {
    method: "PUT",
    body: body as BodyInit,
    headers: { "content-type": "application/octet-stream" },
    ...(body instanceof ReadableStream ? { duplex: "half" } : {}),
  } as RequestInit);
  const json = (await response.json()) as StoreReply | { error: { code: string; message: string } };
  return { status: response.status, json };
}

/** Certifies `blobId` with the attestations the nodes returned. */
export async function certifyWith(
  h: StrataHarness,
  deployment: Deployment,
  owner: ReturnType<StrataHarness["wallet"]>,
  blobId: Hex,
  replies: StoreReply[],
) {
  const as = contractsFor(deployment, h.publicClient, owner);
  const attestations = replies.map((reply) => attestationArg(reply.attestation));
  return h.wait(await as.market.write.certify([blobId, attestations]));
}

export interface ColdRegistration {
  blobId: Hex;
  layout: ColdLayout;
  shardRoots: Hex[];
  commitment: Hex;
}

/** Registers `blob` as a cold blob over `holders` tolerating `faults` lost ones, as the SDK does. */
export async function registerCold(
  h: StrataHarness,
  deployment: Deployment,
  owner: ReturnType<StrataHarness["wallet"]>,
  holders: TestNode[],
  blob: PreparedBlob,
  faults: number,
  options: { epochs?: number } = {},
): Promise<ColdRegistration> {
  const nodes = holders.map((n) => n.nodeId).sort((a, b) => a - b);
  const layout = coldLayoutForFaults(blob.size, nodes.length, faults);
  const { shardRoots, commitment } = await coldCommitmentOfStream(
    (async function* () {
      yield blob.data;
    })(),
    layout,
  );
  const blobId = await register(h, deployment, owner, {
    ...hotBlobParams(blob, nodes, options.epochs ?? 2, {
      name: "cold.bin",
      mimeType: "application/octet-stream",
      tags: ["cold"],
    }),
    tier: Tier.cold,
    commitment: toHex(commitment),
    shardSize: BigInt(layout.shardSize),
    recovery: layout.recovery,
  });
  return {
    blobId,
    layout,
    shardRoots: shardRoots.map((root) => toHex(root)),
    commitment: toHex(commitment),
  };
}

/** Streams every holder's shard (holders in ascending id order, at `urls`) and certifies with their attestations. */
export async function storeCold(
  h: StrataHarness,
  deployment: Deployment,
  owner: ReturnType<StrataHarness["wallet"]>,
  blob: PreparedBlob,
  cold: ColdRegistration,
  holders: { nodeId: number; endpoint: string }[],
) {
  const sorted = [...holders].sort((a, b) => a.nodeId - b.nodeId);
  const { replies, failures } = await sendShards(
    async function* () {
      yield blob.data;
    },
    cold.layout,
    cold.blobId,
    cold.shardRoots,
    sorted,
  );
  if (failures.length > 0) throw new Error(`shards refused: ${JSON.stringify(failures)}`);
  const as = contractsFor(deployment, h.publicClient, owner);
  const attestations = replies.map((reply) => attestationArg(reply.attestation));
  await h.wait(await as.market.write.certifyShards([cold.blobId, attestations, cold.shardRoots]));
  return replies;
}
