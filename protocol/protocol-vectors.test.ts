import { readFile } from "node:fs/promises";
import {
  type Address,
  compactSignatureToSignature,
  encodeAbiParameters,
  type Hex,
  hashDomain,
  hashStruct,
  hashTypedData,
  keccak256,
  parseSignature,
  recoverTypedDataAddress,
  serializeSignature,
  signatureToCompactSignature,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { describe, expect, it } from "vitest";
import {
  BlobLedger,
  type BlobStep,
  blobCost,
  feeOn,
  periodPay,
  quorumOf,
  replayBlobLife,
} from "./blob-money.ts";
import { blobIdOf } from "./ids.ts";
import {
  afterPrunes,
  drawOf,
  drawSamples,
  periodAt,
  type Sample,
  type SampledEntry,
  seedOf,
} from "./sampling.ts";
import { Tier } from "./tier.ts";
import {
  attestationTypedData,
  attestationTypes,
  deleteRequestTypedData,
  deleteRequestTypes,
  marketDomain,
} from "./typed-data.ts";

interface Vectors {
  deployment: {
    periodSeconds: number;
    periodsPerEpoch: number;
    epochSeconds: number;
    feeBps: number;
    coldMargin: number;
    nodePrices: number[];
  };
  blobIds: { chainId: number; market: Address; owner: Address; salt: Hex; blobId: Hex }[];
  periods: { periodSeconds: number; vectors: { sinceGenesis: number; period: number }[] };
  attestations: {
    domain: { name: string; version: string };
    type: string;
    typeHash: Hex;
    signerKey: Hex;
    signer: Address;
    vectors: {
      chainId: number;
      market: Address;
      blobId: Hex;
      commitment: Hex;
      size: number;
      nodeId: number;
      expiry: number;
      domainSeparator: Hex;
      structHash: Hex;
      digest: Hex;
      r: Hex;
      vs: Hex;
      signature: Hex;
    }[];
  };
  deleteRequests: {
    type: string;
    typeHash: Hex;
    ownerKey: Hex;
    owner: Address;
    vectors: {
      chainId: number;
      market: Address;
      blobId: Hex;
      expiry: number;
      nonce: Hex;
      structHash: Hex;
      digest: Hex;
      signature: Hex;
    }[];
  };
  seeds: { blockHash: Hex; period: number; seed: Hex }[];
  samples: {
    nodeId: number;
    period: number;
    samplesPerProof: number;
    entries: SampledEntry[];
    blockHash: Hex;
    seed: Hex;
    samples: (Sample | null)[];
  }[];
  prunes: { set: number[]; pruned: number[]; result: number[] }[];
  money: {
    name: string;
    tier: 0 | 1;
    nodes: number[];
    prices: number[];
    size: number;
    shardSize: number;
    recovery: number;
    epochs: number;
    quorum: number;
    cost: number;
    fee: number;
    steps: BlobStep[];
  }[];
}

const vectors = JSON.parse(
  await readFile(new URL("../docs/protocol-vectors.json", import.meta.url), "utf8"),
) as Vectors;

/** The EIP-712 type string of a struct as viem's field list declares it. */
const typeString = (name: string, fields: readonly { name: string; type: string }[]) =>
  `${name}(${fields.map((field) => `${field.type} ${field.name}`).join(",")})`;

const domainType = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
] as const;

describe("docs/protocol-vectors.json", () => {
  it("blob ids: keccak256(abi.encode(chainId, market, owner, salt)) with the top byte cleared", () => {
    expect(vectors.blobIds.length).toBeGreaterThanOrEqual(4);
    for (const { chainId, market, owner, salt, blobId } of vectors.blobIds) {
      expect(blobIdOf(chainId, market, owner, salt)).toBe(blobId);
      expect(blobId.slice(2, 4)).toBe("00");
    }
  });

  it("periods: floor((t - genesis) / periodSeconds)", () => {
    const { periodSeconds, vectors: cases } = vectors.periods;
    for (const { sinceGenesis, period } of cases) {
      expect(periodAt(1_700_000_000n + BigInt(sinceGenesis), 1_700_000_000n, BigInt(periodSeconds))).toBe(
        period,
      );
    }
    expect(() => periodAt(9n, 10n, 60n)).toThrow();
    expect(vectors.deployment.epochSeconds / vectors.deployment.periodSeconds).toBe(
      vectors.deployment.periodsPerEpoch,
    );
  });

  it("attestations: type, domain, struct hash, digest and the signing key's deterministic signature", async () => {
    const { attestations } = vectors;
    expect(typeString("Attestation", attestationTypes.Attestation)).toBe(attestations.type);
    expect(keccak256(toHex(attestations.type))).toBe(attestations.typeHash);
    const signer = privateKeyToAccount(attestations.signerKey);
    expect(signer.address).toBe(attestations.signer);
    expect(attestations.vectors.length).toBeGreaterThanOrEqual(3);
    for (const vector of attestations.vectors) {
      const domain = marketDomain(vector.chainId, vector.market);
      expect(domain).toMatchObject(attestations.domain);
      const message = {
        blobId: vector.blobId,
        commitment: vector.commitment,
        size: BigInt(vector.size),
        nodeId: vector.nodeId,
        expiry: BigInt(vector.expiry),
      };
      const typed = attestationTypedData(vector.chainId, vector.market, message);
      expect(
        hashDomain({
          domain: { ...domain, chainId: BigInt(domain.chainId) },
          types: { EIP712Domain: domainType },
        }),
      ).toBe(vector.domainSeparator);
      expect(hashStruct({ data: message, primaryType: "Attestation", types: attestationTypes })).toBe(
        vector.structHash,
      );
      // the digest by hand: keccak256(0x1901 || domainSeparator || structHash)
      expect(keccak256(`0x1901${vector.domainSeparator.slice(2)}${vector.structHash.slice(2)}`)).toBe(
        vector.digest,
      );
      expect(hashTypedData(typed)).toBe(vector.digest);
      // and the struct hash by hand: keccak256(abi.encode(typeHash, fields...))
      expect(
        keccak256(
          encodeAbiParameters(
            [
              { type: "bytes32" },
              { type: "bytes32" },
              { type: "bytes32" },
              { type: "uint64" },
              { type: "uint32" },
              { type: "uint64" },
            ],
            [
              attestations.typeHash,
              message.blobId,
              message.commitment,
              message.size,
              message.nodeId,
              message.expiry,
            ],
          ),
        ),
      ).toBe(vector.structHash);
      const signature = await signer.signTypedData(typed);
      expect(signature).toBe(vector.signature);
      const compact = signatureToCompactSignature(parseSignature(signature));
      expect([compact.r, compact.yParityAndS]).toEqual([vector.r, vector.vs]);
      expect(
        await recoverTypedDataAddress({
          ...typed,
          signature: serializeSignature(compactSignatureToSignature(compact)),
        }),
      ).toBe(attestations.signer);
      // any other field gives another digest
      expect(hashTypedData({ ...typed, message: { ...message, expiry: message.expiry + 1n } })).not.toBe(
        vector.digest,
      );
    }
  });

  it("delete requests: type, struct hash, digest and the owner's signature", async () => {
    const { deleteRequests } = vectors;
    expect(typeString("DeleteRequest", deleteRequestTypes.DeleteRequest)).toBe(deleteRequests.type);
    expect(keccak256(toHex(deleteRequests.type))).toBe(deleteRequests.typeHash);
    const owner = privateKeyToAccount(deleteRequests.ownerKey);
    expect(owner.address).toBe(deleteRequests.owner);
    for (const vector of deleteRequests.vectors) {
      const message = { blobId: vector.blobId, expiry: BigInt(vector.expiry), nonce: vector.nonce };
      const typed = deleteRequestTypedData(vector.chainId, vector.market, message);
      expect(hashStruct({ data: message, primaryType: "DeleteRequest", types: deleteRequestTypes })).toBe(
        vector.structHash,
      );
      expect(hashTypedData(typed)).toBe(vector.digest);
      expect(await owner.signTypedData(typed)).toBe(vector.signature);
      expect(await recoverTypedDataAddress({ ...typed, signature: vector.signature })).toBe(owner.address);
    }
  });

  it("seeds: keccak256(abi.encode(blockhash, period))", () => {
    for (const { blockHash, period, seed } of vectors.seeds) expect(seedOf(blockHash, period)).toBe(seed);
    const [first, second] = vectors.seeds.filter((s) => s.blockHash === vectors.seeds[1]?.blockHash);
    expect(first?.seed).not.toBe(second?.seed);
  });

  it("samples: the entries and leaves a seed draws, void samples included", () => {
    expect(vectors.samples.some((v) => v.samples.includes(null))).toBe(true);
    for (const vector of vectors.samples) {
      expect(seedOf(vector.blockHash, vector.period)).toBe(vector.seed);
      expect(drawSamples(vector.seed, vector.nodeId, vector.entries, vector.samplesPerProof)).toEqual(
        vector.samples,
      );
      // each drawn sample is the first live entry among its draws
      for (const [j, sample] of vector.samples.entries()) {
        if (!sample) continue;
        const draw = drawOf(vector.seed, vector.nodeId, j, sample.attempt);
        expect(Number(draw % BigInt(vector.entries.length))).toBe(sample.entry);
        const entry = vector.entries[sample.entry] as SampledEntry;
        expect(BigInt(sample.leafIndex)).toBe((draw >> 128n) % BigInt(Math.ceil(entry.size / 256)));
      }
    }
    expect(drawSamples(vectors.seeds[0]?.seed as Hex, 1, [], 5)).toEqual([]);
  });

  it("prunes: each pruned entry replaced by the last one, in pruning order", () => {
    for (const { set, pruned, result } of vectors.prunes) expect(afterPrunes(set, pruned)).toEqual(result);
    expect(() => afterPrunes([1, 2], [3])).toThrow();
  });

  it("money: price, fee, quorum and every step of each blob's life", () => {
    const { deployment } = vectors;
    expect(vectors.money.length).toBeGreaterThanOrEqual(5);
    for (const scenario of vectors.money) {
      const prices = scenario.nodes.map((node) => BigInt(deployment.nodePrices[node - 1] as number));
      expect(prices.map(Number)).toEqual(scenario.prices);
      const stored = BigInt(scenario.tier === Tier.hot ? scenario.size : scenario.shardSize);
      const tier = scenario.tier === Tier.hot ? "hot" : "cold";
      const quorum = quorumOf(tier, scenario.nodes.length, scenario.recovery, deployment.coldMargin);
      expect(quorum).toBe(scenario.quorum);
      const cost = blobCost(prices, stored, BigInt(scenario.epochs));
      expect(cost).toBe(BigInt(scenario.cost));
      expect(feeOn(cost, BigInt(deployment.feeBps))).toBe(BigInt(scenario.fee));
      const bare = scenario.steps.map((step) => {
        const { amount: _a, refund: _r, credits: _c, fee: _f, ...rest } = step as Record<string, unknown>;
        return rest as BlobStep;
      });
      const replayed = replayBlobLife(
        {
          prices,
          storedBytes: stored,
          epochs: scenario.epochs,
          quorum,
          feeBps: BigInt(deployment.feeBps),
          periodsPerEpoch: deployment.periodsPerEpoch,
        },
        bare,
        // the period a replay starts at does not matter: only offsets do
        1000,
      );
      expect(replayed, scenario.name).toEqual(scenario.steps);
    }
  });

  it("money: pay rounds down per call, so claiming in pieces can pay less than at once", () => {
    expect(periodPay(3n, 200n, 1n, 7n) * 2n).toBe(170n);
    expect(periodPay(3n, 200n, 2n, 7n)).toBe(171n);
  });

  it("money: the ledger refuses what the market refuses", () => {
    const terms = { prices: [3n], storedBytes: 10n, epochs: 1, feeBps: 100n, periodsPerEpoch: 7 };
    const ledger = new BlobLedger(terms);
    expect(() => ledger.settle(0, () => 0)).toThrow();
    ledger.certify([0], 0, 1);
    expect(ledger.escrow()).toBe(30n);
    expect(() => ledger.reclaim()).toThrow();
    expect(() => ledger.settle(3, () => 0)).toThrow();
    expect(() => ledger.extend(1, 8)).toThrow();
    expect(() => ledger.deleteBlob(8)).toThrow();
    ledger.deleteBlob(3);
    expect(() => ledger.deleteBlob(3)).toThrow();
    expect(() => ledger.extend(1, 3)).toThrow();
    expect(() => ledger.certify([0], 3, 1)).toThrow();
    expect(ledger.collect(0, 4, () => 1)).toBe(4n);
    expect(ledger.settle(4, () => 0)).toEqual({ credits: [0n], refund: 30n - 17n - 4n, fee: 0n });
    expect(ledger.collect(0, 9, () => 1)).toBe(0n);
    expect(() =>
      replayBlobLife({ ...terms, quorum: 1 }, [{ offset: 0, action: "claim", holder: 0 }]),
    ).not.toThrow();
  });
});
