import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { CarBlockIterator } from "@ipld/car/iterator";
import { MemoryBlockstore } from "blockstore-core/memory";
import { exporter } from "ipfs-unixfs-exporter";
import { importByteStream } from "ipfs-unixfs-importer";
import { fixedSize } from "ipfs-unixfs-importer/chunker";
import { CID } from "multiformats/cid";
import { sha256 } from "multiformats/hashes/sha2";
import {
  type Abi,
  type Address,
  encodeAbiParameters,
  type Hex,
  hexToBigInt,
  keccak256,
  parseEventLogs,
  toHex,
} from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startNodes } from "../../devnet/start-nodes.ts";
import { connectStrata, type StrataHarness, type TestNode } from "../../devnet/strata-fixture.ts";
import { until } from "../helpers/wait-until.ts";

// A client written from docs/ alone: the ABIs of docs/abi, the CID and commitment of
// docs/protocol.md §1–2, the HTTP flows and the typed data it describes, and stock IPFS
// libraries. Nothing of Strata's TypeScript is imported past the devnet harness that runs the
// network (chain, contracts, a node) and moves the chain's clock.
const root = join(import.meta.dirname, "..", "..");
const abi = async (name: string) =>
  JSON.parse(await readFile(join(root, "docs", "abi", `${name}.json`), "utf8")) as Abi;

const h: StrataHarness = await connectStrata();
let nodes: TestNode[];
let running: Awaited<ReturnType<typeof startNodes>>;
let contracts: { market: Address; registry: Address; token: Address; proofs: Address };
let chainId: number;

beforeAll(async () => {
  const env = await h.deploy();
  nodes = await h.registerNodes(env.deployment, 1);
  running = await startNodes(h, env.deployment, nodes, () => ({
    chain: { confirmations: 0, pollingMs: 100, receiptTimeoutMs: 30_000 },
  }));
  const { market, registry, token, proofSystem } = env.deployment.contracts;
  contracts = { market, registry, token, proofs: proofSystem };
  chainId = env.deployment.chainId;
});
afterAll(async () => {
  await running?.stop();
});

const MiB = 1_048_576;

/** The blob of docs/cid-vectors.json's rule: chunk i is 1 MiB of byte i mod 256, then a tail. */
function patterned(chunks: number, tail: number): Uint8Array<ArrayBuffer> {
  const data = new Uint8Array(chunks * MiB + tail);
  for (let i = 0; i <= chunks; i++) data.fill(i % 256, i * MiB, Math.min(data.length, (i + 1) * MiB));
  return data;
}

const hash = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const part of parts) h.update(part);
  return h.digest();
};

/** docs/protocol.md §1: 256-byte leaves, 0x00/0x01 prefixes, odd nodes carried up. */
function levelsOf(data: Uint8Array): Buffer[][] {
  const leaves: Buffer[] = [];
  for (let i = 0; i < data.length; i += 256) leaves.push(hash(Uint8Array.of(0), data.subarray(i, i + 256)));
  const levels = [leaves];
  for (let level = leaves; level.length > 1; ) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) {
      const right = level[i + 1];
      next.push(right ? hash(Uint8Array.of(1), level[i] as Buffer, right) : (level[i] as Buffer));
    }
    levels.push(next);
    level = next;
  }
  return levels;
}

/** docs/protocol.md §1: the proof of leaf `index`, checked by walking up to `rootHash`. */
function leafProofHolds(data: Uint8Array, levels: Buffer[][], index: number, rootHash: Uint8Array): boolean {
  const siblings: Buffer[] = [];
  let position = index;
  for (const level of levels.slice(0, -1)) {
    const partner = position % 2 === 1 ? level[position - 1] : level[position + 1];
    if (partner) siblings.push(partner);
    position = Math.floor(position / 2);
  }
  let h = hash(Uint8Array.of(0), data.subarray(index * 256, index * 256 + 256));
  let width = levels[0]?.length ?? 0;
  position = index;
  const next = [...siblings];
  while (width > 1) {
    if (position % 2 === 1) h = hash(Uint8Array.of(1), next.shift() as Buffer, h);
    else if (position + 1 < width) h = hash(Uint8Array.of(1), h, next.shift() as Buffer);
    position = Math.floor(position / 2);
    width = Math.ceil(width / 2);
  }
  return next.length === 0 && h.equals(rootHash);
}

describe("a client written from docs/ alone", () => {
  test("stores, reads, audits, extends and deletes a blob of 175 MiB and a byte", async () => {
    const [marketAbi, registryAbi, tokenAbi, proofsAbi] = await Promise.all(
      ["StorageMarket", "NodeRegistry", "StrataToken", "ProofSystem"].map(abi),
    );
    const wallet = h.wallet(9);
    const owner = wallet.account.address;
    const read = (
      address: Address,
      contractAbi: Abi | undefined,
      functionName: string,
      args: unknown[] = [],
    ) => h.publicClient.readContract({ address, abi: contractAbi as Abi, functionName, args });
    const send = async (
      address: Address,
      contractAbi: Abi | undefined,
      functionName: string,
      args: unknown[],
    ) => h.wait(await wallet.writeContract({ address, abi: contractAbi as Abi, functionName, args }));

    // §2: the CID as a stock importer gives it with the documented options (past 174 chunks the
    // DAG grows a level), and the commitment of §1
    const data = patterned(175, 1);
    const { cid } = await importByteStream(
      [data],
      { put: async (c: CID) => c },
      {
        cidVersion: 1,
        rawLeaves: true,
        chunker: fixedSize({ chunkSize: MiB }),
      },
    );
    const levels = levelsOf(data);
    const commitment = toHex(levels[levels.length - 1]?.[0] as Buffer);

    // the node, its endpoint, the price, the payment
    const nodeId = nodes[0]?.nodeId as number;
    const info = (await read(contracts.registry, registryAbi, "getNode", [nodeId])) as { endpoint: string };
    const [cost, fee] = (await read(contracts.market, marketAbi, "quote", [
      [nodeId],
      0,
      BigInt(data.length),
      1,
    ])) as [bigint, bigint];
    await send(contracts.token, tokenAbi, "faucet", [cost + fee]);
    await send(contracts.token, tokenAbi, "approve", [contracts.market, cost + fee]);

    // §2: the blob id follows from the salt before registering
    const salt = toHex(randomBytes(32));
    const blobId = toHex(
      hexToBigInt(
        keccak256(
          encodeAbiParameters(
            [{ type: "uint256" }, { type: "address" }, { type: "address" }, { type: "bytes32" }],
            [BigInt(chainId), contracts.market, owner, salt],
          ),
        ),
      ) &
        ((1n << 248n) - 1n),
      { size: 32 },
    );
    expect(await read(contracts.market, marketAbi, "blobIdOf", [owner, salt])).toBe(blobId);
    const registered = await send(contracts.market, marketAbi, "registerBlob", [
      {
        salt,
        cid: toHex(cid.bytes),
        commitment,
        size: BigInt(data.length),
        tier: 0,
        nodes: [nodeId],
        epochs: 1,
        shardSize: 0n,
        recovery: 0,
        name: "big.bin",
        mimeType: "application/octet-stream",
        tags: ["docs"],
      },
    ]);
    const [event] = parseEventLogs({ abi: marketAbi, logs: registered.logs, eventName: "BlobRegistered" });
    expect((event?.args as { blobId: Hex } | undefined)?.blobId).toBe(blobId);

    // the upload: the bytes to the holder, its attestation to certify
    const stored = await fetch(`${info.endpoint}/store?blobId=${blobId}`, {
      method: "PUT",
      body: new Blob([data as Uint8Array<ArrayBuffer>]),
      headers: { "content-type": "application/octet-stream" },
    });
    expect(stored.status).toBe(200);
    const reply = (await stored.json()) as {
      cid: string;
      attestation: { holder: number; expiry: string; r: Hex; vs: Hex };
    };
    expect(reply.cid).toBe(cid.toString());
    const { holder, expiry, r, vs } = reply.attestation;
    await send(contracts.market, marketAbi, "certify", [blobId, [{ holder, expiry: BigInt(expiry), r, vs }]]);
    const certified = (await read(contracts.market, marketAbi, "getBlob", [blobId])) as {
      status: number;
      epochs: number;
    };
    expect(certified.status).toBe(2);

    // the read: a CAR from the trustless gateway, every block checked against its CID
    const car = await fetch(`${info.endpoint}/ipfs/${cid}?format=car`, {
      headers: { accept: "application/vnd.ipld.car" },
    });
    expect(car.status).toBe(200);
    const blocks = await CarBlockIterator.fromBytes(new Uint8Array(await car.arrayBuffer()));
    const store = new MemoryBlockstore();
    for await (const block of blocks) {
      expect(Buffer.from((await sha256.digest(block.bytes)).digest).equals(block.cid.multihash.digest)).toBe(
        true,
      );
      await store.put(CID.decode(block.cid.bytes), block.bytes);
    }
    const file = await exporter(cid, store);
    if (file.type !== "file") throw new Error(`the gateway's DAG is a ${file.type}`);
    const parts: Uint8Array[] = [];
    for await (const part of file.content()) parts.push(part as Uint8Array);
    expect(Buffer.concat(parts).equals(data)).toBe(true);

    // the audit (§3): next period, the node proves; the challenges follow from the seed, and
    // each sampled leaf's proof holds against the commitment
    const periodSeconds = Number(await read(contracts.proofs, proofsAbi, "periodSeconds"));
    await h.networkHelpers.time.increase(periodSeconds);
    const period = Number(await read(contracts.proofs, proofsAbi, "currentPeriod"));
    // a block a second, as a chain would make them (the node commits the seed and proves once a
    // later block exists): faster mining could end the period before a loaded machine proves
    let mined = 0;
    await until(
      `period ${period} proven`,
      async () => {
        if (Date.now() - mined >= 1000) {
          await h.networkHelpers.mine(1);
          mined = Date.now();
        }
        return (await read(contracts.proofs, proofsAbi, "isProven", [nodeId, period])) as boolean;
      },
      periodSeconds * 1000,
    );
    const seed = (await read(contracts.proofs, proofsAbi, "seedOf", [period])) as Hex;
    const samples = Number(await read(contracts.proofs, proofsAbi, "samplesPerProof"));
    const leaves = Math.ceil(data.length / 256);
    const drawn = Array.from({ length: samples }, (_, j) => {
      const r = hexToBigInt(
        keccak256(
          encodeAbiParameters(
            [{ type: "bytes32" }, { type: "uint32" }, { type: "uint256" }, { type: "uint256" }],
            [seed, nodeId, BigInt(j), 0n],
          ),
        ),
      );
      return Number((r >> 128n) % BigInt(leaves));
    });
    const challenges = (await read(contracts.proofs, proofsAbi, "challenges", [nodeId])) as {
      blobId: Hex;
      leafIndex: bigint;
    }[];
    expect(challenges.map((c) => [c.blobId, Number(c.leafIndex)])).toEqual(
      drawn.map((leaf) => [blobId, leaf]),
    );
    for (const leaf of drawn)
      expect(leafProofHolds(data, levels, leaf, Buffer.from(commitment.slice(2), "hex"))).toBe(true);

    // extend by an epoch at the quoted price
    const [more, moreFee] = (await read(contracts.market, marketAbi, "quote", [
      [nodeId],
      0,
      BigInt(data.length),
      1,
    ])) as [bigint, bigint];
    await send(contracts.token, tokenAbi, "faucet", [more + moreFee]);
    await send(contracts.token, tokenAbi, "approve", [contracts.market, more + moreFee]);
    await send(contracts.market, marketAbi, "extend", [blobId, 1]);
    expect(
      ((await read(contracts.market, marketAbi, "getBlob", [blobId])) as { epochs: number }).epochs,
    ).toBe(2);

    // delete: on chain, then the owner-signed request of the documented typed data to the node
    await send(contracts.market, marketAbi, "deleteBlob", [blobId]);
    expect(
      ((await read(contracts.market, marketAbi, "getBlob", [blobId])) as { status: number }).status,
    ).toBe(3);
    const request = {
      blobId,
      expiry: BigInt(Math.floor(Date.now() / 1000) + 600),
      nonce: toHex(randomBytes(32)),
    };
    const signature = await wallet.signTypedData({
      domain: { name: "Strata StorageMarket", version: "1", chainId, verifyingContract: contracts.market },
      types: {
        DeleteRequest: [
          { name: "blobId", type: "bytes32" },
          { name: "expiry", type: "uint64" },
          { name: "nonce", type: "bytes32" },
        ],
      },
      primaryType: "DeleteRequest",
      message: request,
    });
    const dropped = await fetch(`${info.endpoint}/file/${cid}`, {
      method: "DELETE",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ ...request, expiry: Number(request.expiry), signature }),
    });
    expect(dropped.status).toBe(200);
    expect((await fetch(`${info.endpoint}/file/${cid}`)).status).toBe(404);
  }, 300_000);
});
