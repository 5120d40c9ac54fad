// Writes docs/protocol-vectors.json: blob ids, periods, attestation and delete-request digests and
// signatures, period seeds, the samples a seed draws, proof-set order after prunes, and whole blob
// lives of money (price, fee, pay, claims, delete, extend, reclaim, settle), computed with
// protocol/ (docs/protocol.md §2, §3, §5). protocol/protocol-vectors.test.ts checks them in
// TypeScript; test/solidity/ProtocolVectors.t.sol checks them against the contracts' own code and
// test/solidity/ProtocolLive.t.sol replays them on a deployed market. Regenerate only if a rule
// changes.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  type Address,
  encodeAbiParameters,
  type Hex,
  hashDomain,
  hashStruct,
  hashTypedData,
  keccak256,
  parseSignature,
  signatureToCompactSignature,
  toHex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { type BlobStep, blobCost, feeOn, quorumOf, replayBlobLife } from "../protocol/blob-money.ts";
import { blobIdOf } from "../protocol/ids.ts";
import { afterPrunes, drawSamples, periodAt, type SampledEntry, seedOf } from "../protocol/sampling.ts";
import {
  attestationTypedData,
  attestationTypes,
  deleteRequestTypedData,
  deleteRequestTypes,
  marketDomain,
} from "../protocol/typed-data.ts";

const eip712DomainType = [
  { name: "name", type: "string" },
  { name: "version", type: "string" },
  { name: "chainId", type: "uint256" },
  { name: "verifyingContract", type: "address" },
] as const;

/** The deployment the live Solidity test makes and the money steps assume (7 periods an epoch). */
const deployment = {
  epochSeconds: 420,
  periodSeconds: 60,
  periodsPerEpoch: 7,
  feeBps: 250,
  certifyWindow: 600,
  coldMargin: 1,
  samplesPerProof: 5,
  missesToDrop: 3,
  slashAmount: 10,
  reporterBps: 2_000,
  minStake: 100,
  /** Node i + 1's price per byte per epoch. */
  nodePrices: [3, 5, 11, 7],
};

// Hardhat's well-known test accounts 0 (a blob owner) and 2 (a node's signing key).
const OWNER_KEY: Hex = "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
const SIGNER_KEY: Hex = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
const owner = privateKeyToAccount(OWNER_KEY);
const signer = privateKeyToAccount(SIGNER_KEY);
const MARKETS: Address[] = [
  "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
];
const salt = (label: string): Hex => keccak256(toHex(label));

const blobIds = [
  { chainId: 31337, market: MARKETS[0] as Address, owner: owner.address, salt: salt("salt 0") },
  { chainId: 31337, market: MARKETS[1] as Address, owner: owner.address, salt: salt("salt 0") },
  { chainId: 8453, market: MARKETS[0] as Address, owner: owner.address, salt: salt("salt 0") },
  {
    chainId: 31337,
    market: MARKETS[0] as Address,
    owner: signer.address,
    salt: `0x${"00".repeat(32)}` as Hex,
  },
].map((input) => ({ ...input, blobId: blobIdOf(input.chainId, input.market, input.owner, input.salt) }));

const periods = [0, 1, 59, 60, 61, 119, 120, 3599, 3600, 86_400].map((sinceGenesis) => ({
  sinceGenesis,
  period: periodAt(BigInt(sinceGenesis), 0n, BigInt(deployment.periodSeconds)),
}));

// ----------------------------------------------------------------------------- signatures

const commitments = JSON.parse(
  await readFile(join(import.meta.dirname, "..", "docs", "commitment-vectors.json"), "utf8"),
) as { vectors: { size: number; root: Hex }[] };
const committed = (size: number) => {
  const found = commitments.vectors.find((vector) => vector.size === size);
  if (!found) throw new Error(`no commitment vector of ${size} bytes`);
  return found.root;
};

const attestationInputs = [
  { chainId: 31337, market: MARKETS[0], blob: 0, size: 1000, nodeId: 1, expiry: 1_767_225_600n },
  { chainId: 31337, market: MARKETS[1], blob: 1, size: 6400, nodeId: 7, expiry: 1_767_229_200n },
  { chainId: 8453, market: MARKETS[0], blob: 2, size: 1000, nodeId: 16_777_215, expiry: 4_102_444_800n },
] as const;

const attestations = await Promise.all(
  attestationInputs.map(async ({ chainId, market, blob, size, nodeId, expiry }) => {
    const message = {
      blobId: (blobIds[blob] as { blobId: Hex }).blobId,
      commitment: committed(size),
      size: BigInt(size),
      nodeId,
      expiry,
    };
    const typed = attestationTypedData(chainId, market, message);
    const signature = await signer.signTypedData(typed);
    const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
    return {
      chainId,
      market,
      blobId: message.blobId,
      commitment: message.commitment,
      size,
      nodeId,
      expiry: Number(expiry),
      domainSeparator: hashDomain({
        domain: { ...marketDomain(chainId, market), chainId: BigInt(chainId) },
        types: { EIP712Domain: eip712DomainType },
      }),
      structHash: hashStruct({ data: message, primaryType: "Attestation", types: attestationTypes }),
      digest: hashTypedData(typed),
      r,
      vs: yParityAndS,
      signature,
    };
  }),
);

const deleteRequests = await Promise.all(
  [
    { chainId: 31337, market: MARKETS[0], blob: 0, expiry: 1_767_225_600n, nonce: salt("nonce 0") },
    { chainId: 8453, market: MARKETS[0], blob: 2, expiry: 1_767_226_200n, nonce: salt("nonce 1") },
  ].map(async ({ chainId, market, blob, expiry, nonce }) => {
    const message = { blobId: (blobIds[blob] as { blobId: Hex }).blobId, expiry, nonce };
    const typed = deleteRequestTypedData(chainId, market as Address, message);
    return {
      chainId,
      market,
      blobId: message.blobId,
      expiry: Number(expiry),
      nonce,
      structHash: hashStruct({ data: message, primaryType: "DeleteRequest", types: deleteRequestTypes }),
      digest: hashTypedData(typed),
      signature: await owner.signTypedData(typed),
    };
  }),
);

// ----------------------------------------------------------------------------- sampling

const GIB = 1_073_741_824;
const seeds = [
  { blockHash: salt("block 0"), period: 0 },
  { blockHash: salt("block 7"), period: 7 },
  { blockHash: salt("block 7"), period: 8 },
  { blockHash: salt("block 123456"), period: 123_456 },
].map((input) => ({ ...input, seed: seedOf(input.blockHash, input.period) }));

const live = (size: number): SampledEntry => ({ live: true, size });
const dead = (size: number): SampledEntry => ({ live: false, size });
const sampleInputs: { nodeId: number; period: number; samplesPerProof: number; entries: SampledEntry[] }[] = [
  // the one ProtocolLive.t.sol rebuilds on chain: node 1, period 7, two dead entries
  {
    nodeId: 1,
    period: 7,
    samplesPerProof: 5,
    entries: [live(1000), live(GIB), dead(300), live(257), dead(5000), live(1)],
  },
  { nodeId: 1, period: 8, samplesPerProof: 5, entries: [live(256)] },
  {
    nodeId: 2,
    period: 9,
    samplesPerProof: 10,
    entries: [live(4096), live(4097), live(1_048_576), live(100)],
  },
  // one live entry among twenty: some samples find it, some are void
  {
    nodeId: 3,
    period: 10,
    samplesPerProof: 12,
    entries: Array.from({ length: 20 }, (_, i) => (i === 13 ? live(700) : dead(700))),
  },
  // every entry dead: every sample void, and the proof is empty
  { nodeId: 16_777_215, period: 11, samplesPerProof: 5, entries: [dead(1000), dead(2000)] },
];
const samples = sampleInputs.map((input) => {
  const blockHash = salt(`sample block ${input.period}`);
  const seed = seedOf(blockHash, input.period);
  return {
    ...input,
    blockHash,
    seed,
    samples: drawSamples(seed, input.nodeId, input.entries, input.samplesPerProof),
  };
});
if (!samples[3]?.samples.some((s) => s === null) || !samples[3]?.samples.some((s) => s !== null))
  throw new Error("the one-live-entry vector should hold void and drawn samples both");

const prunes = [
  { set: [0, 1, 2, 3, 4], pruned: [1, 2] },
  { set: [0, 1, 2, 3, 4], pruned: [2, 1] },
  { set: [0, 1, 2, 3, 4], pruned: [4, 0] },
  { set: [0, 1, 2], pruned: [0, 1, 2] },
].map((input) => ({ ...input, result: afterPrunes(input.set, input.pruned) }));

// ----------------------------------------------------------------------------- money

interface Scenario {
  name: string;
  tier: 0 | 1;
  nodes: number[];
  size: number;
  shardSize: number;
  recovery: number;
  epochs: number;
  steps: BlobStep[];
}

const scenarios: Scenario[] = [
  {
    name: "hot, 3 holders: claims, a delete mid-term (its period still paid), settle",
    tier: 0,
    nodes: [1, 2, 3],
    size: 200,
    shardSize: 0,
    recovery: 0,
    epochs: 2,
    steps: [
      { offset: 0, action: "certify", holders: [0, 1, 2] },
      { offset: 1, action: "prove", holders: [0, 1] },
      { offset: 2, action: "prove", holders: [0, 1, 2] },
      { offset: 3, action: "claim", holder: 0 },
      { offset: 3, action: "prove", holders: [0] },
      { offset: 4, action: "claim", holder: 0 },
      { offset: 4, action: "prove", holders: [0, 2] },
      { offset: 5, action: "delete" },
      // the blob is deleted: every sample is void, the proof is empty, and period c + 5 is paid
      { offset: 5, action: "prove", holders: [1] },
      { offset: 6, action: "settle" },
    ],
  },
  {
    name: "cold, 4 holders, recovery 2 (quorum 3): a late holder paid from the period after it attests, extend, settle",
    tier: 1,
    nodes: [1, 2, 3, 4],
    size: 300,
    shardSize: 256,
    recovery: 2,
    epochs: 1,
    steps: [
      { offset: 0, action: "certify", holders: [0, 1, 3] },
      { offset: 2, action: "attest", holders: [2] },
      { offset: 2, action: "prove", holders: [0, 1, 2, 3] },
      { offset: 3, action: "prove", holders: [2] },
      { offset: 3, action: "extend", epochs: 1 },
      { offset: 4, action: "claim", holder: 2 },
      { offset: 15, action: "settle" },
    ],
  },
  {
    name: "hot, deleted before certification: cost and fee refunded",
    tier: 0,
    nodes: [2],
    size: 1000,
    shardSize: 0,
    recovery: 0,
    epochs: 3,
    steps: [{ offset: 0, action: "delete" }],
  },
  {
    name: "hot, never certified: reclaimed after the deadline, cost and fee refunded",
    tier: 0,
    nodes: [1, 3],
    size: 777,
    shardSize: 0,
    recovery: 0,
    epochs: 1,
    steps: [{ offset: 11, action: "reclaim" }],
  },
  {
    name: "hot, deleted in the period it was certified: every period refunded, the fee kept",
    tier: 0,
    nodes: [1, 2],
    size: 100,
    shardSize: 0,
    recovery: 0,
    epochs: 2,
    steps: [
      { offset: 0, action: "certify", holders: [0, 1] },
      { offset: 0, action: "delete" },
      { offset: 1, action: "settle" },
    ],
  },
];

/** A scenario with its prices, quorum, cost and fee, and each step's amounts filled in. */
function runScenario(scenario: Scenario) {
  const prices = scenario.nodes.map((node) => BigInt(deployment.nodePrices[node - 1] as number));
  const stored = BigInt(scenario.tier === 0 ? scenario.size : scenario.shardSize);
  const quorum = quorumOf(
    scenario.tier === 0 ? "hot" : "cold",
    scenario.nodes.length,
    scenario.recovery,
    deployment.coldMargin,
  );
  const terms = {
    prices,
    storedBytes: stored,
    epochs: scenario.epochs,
    quorum,
    feeBps: BigInt(deployment.feeBps),
    periodsPerEpoch: deployment.periodsPerEpoch,
  };
  const cost = blobCost(prices, stored, BigInt(scenario.epochs));
  return {
    ...scenario,
    prices: prices.map(Number),
    quorum,
    cost: Number(cost),
    fee: Number(feeOn(cost, terms.feeBps)),
    steps: replayBlobLife(terms, scenario.steps),
  };
}

const money = scenarios.map((scenario) => runScenario(scenario));

// ----------------------------------------------------------------------------- the file

const doc = {
  description:
    "Vectors of docs/protocol.md (§2 ids and signatures, §3 periods, seeds, samples and proof-set order, §5 money), written by scripts/protocol-vectors.ts with protocol/ and checked by protocol/protocol-vectors.test.ts, test/solidity/ProtocolVectors.t.sol (the contracts' own code) and test/solidity/ProtocolLive.t.sol (a deployed market replaying them). Keys are Hardhat's public test keys. Money steps happen at period c + offset, c being the period the blob is registered (and, when certified at offset 0, certified) in; a step 'prove' proves that period for the listed holders' nodes.",
  deployment,
  blobIds,
  periods: { periodSeconds: deployment.periodSeconds, vectors: periods },
  attestations: {
    domain: { name: "Strata StorageMarket", version: "1" },
    type: "Attestation(bytes32 blobId,bytes32 commitment,uint64 size,uint32 nodeId,uint64 expiry)",
    typeHash: keccak256(
      toHex("Attestation(bytes32 blobId,bytes32 commitment,uint64 size,uint32 nodeId,uint64 expiry)"),
    ),
    signerKey: SIGNER_KEY,
    signer: signer.address,
    vectors: attestations,
  },
  deleteRequests: {
    type: "DeleteRequest(bytes32 blobId,uint64 expiry,bytes32 nonce)",
    typeHash: keccak256(toHex("DeleteRequest(bytes32 blobId,uint64 expiry,bytes32 nonce)")),
    ownerKey: OWNER_KEY,
    owner: owner.address,
    vectors: deleteRequests,
  },
  seeds,
  samples,
  prunes,
  money,
};

// abi.encode of a period is one 32-byte word, as a uint32 or a uint256: check the seed both ways
for (const { blockHash, period, seed } of seeds) {
  const wide = keccak256(
    encodeAbiParameters([{ type: "bytes32" }, { type: "uint256" }], [blockHash, BigInt(period)]),
  );
  if (wide !== seed) throw new Error("seed encoding");
}

const path = join(import.meta.dirname, "..", "docs", "protocol-vectors.json");
await writeFile(path, `${JSON.stringify(doc, null, 2)}\n`);
console.log(`wrote ${path}`);
