import { CID } from "multiformats/cid";
import * as Digest from "multiformats/hashes/digest";
import { type Hex, hexToBytes, keccak256, type Log, parseEventLogs, toHex } from "viem";
import {
  BlobStatus,
  contenthashOf,
  type Deployment,
  nameRegistryAbi,
  restoredTypedData,
  vaultRegistryAbi,
} from "#protocol";
import { marketActions, type RegisteredBlob } from "../../devnet/market-actions.ts";
import {
  contractsFor,
  randomBytes,
  type StrataHarness,
  type TestNode,
  TOKEN,
} from "../../devnet/strata-fixture.ts";

/** A small seeded PRNG (mulberry32) so a failing sequence can be replayed from its seed. */
export function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T,
    chance: (p: number) => next() < p,
  };
}

/** `node` claims its pay over every blob it holds (nothing to claim is no error). */
export async function claimAll(
  node: TestNode,
  blobs: RegisteredBlob[],
  send: (hash: Promise<Hex>) => Promise<unknown>,
): Promise<void> {
  const mine = blobs.flatMap((blob) => {
    const holder = blob.nodes.indexOf(node);
    return holder < 0 ? [] : [{ blobId: blob.blobId, holder }];
  });
  try {
    await send(
      node.as.market.write.claim([node.nodeId, mine.map((x) => x.blobId), mine.map((x) => x.holder)]),
    );
  } catch (error) {
    if (!String(error).includes("StorageMarketNothingToClaim")) throw error;
  }
}

export type OwnedBlob = RegisteredBlob & { owner: ReturnType<StrataHarness["wallet"]> };

export interface WorkloadOptions {
  h: StrataHarness;
  deployment: Deployment;
  /** Nodes blobs are stored on. */
  nodes: TestNode[];
  seed: number;
  steps: number;
  /** Sees the logs of every transaction the workload sends. */
  onLogs?: (logs: Log[]) => void;
  /** Runs after every step (invariant checks). */
  afterStep?: (blobs: OwnedBlob[]) => Promise<void>;
  /**
   * Also exercise the rest of the protocol: node updates and top-ups, missed proofs reported
   * (warnings, slashes, drops), prunes, and `spare` (a node holding nothing) unstaking and
   * withdrawing.
   */
  everything?: { spare: TestNode };
}

const EXPECTED_REFUSALS = [
  "ProofsNotChallenged",
  "ProofsPeriodProven",
  "ProofsAlreadyReported",
  "ProofsNodeDropped",
  "ProofsReportWindowClosed",
  "StorageMarketNothingToClaim",
  "ProofsAlreadyProven",
  "NodeRegistryUnbonding",
];

/**
 * A random sequence of what happens to a Strata deployment: blobs registered (hot and cold),
 * enrolled and certified or not, extended, deleted, reclaimed and settled; time passing with most
 * nodes proving each period; nodes claiming pay; fees collected. Returns the blobs it made.
 */
export async function runWorkload(options: WorkloadOptions): Promise<OwnedBlob[]> {
  const { h, deployment, nodes, seed, onLogs } = options;
  const m = marketActions(h, deployment);
  const rand = prng(seed);
  const owners = [h.wallet(8), h.wallet(9)];
  const blobs: OwnedBlob[] = [];
  const as = (wallet: ReturnType<StrataHarness["wallet"]>) =>
    contractsFor(deployment, h.publicClient, wallet);
  const market = as(h.wallet(0)).market;
  const reporter = as(h.wallet(1));
  const dropped = new Set<number>();
  const names = prng(seed + 7919);
  const namedOnce = new Set<string>();
  const lockedNames = new Set<string>();
  const vaultRand = prng(seed + 104729);
  /** Open vaults: id, owner, home. */
  const openVaults: { vaultId: bigint; owner: ReturnType<StrataHarness["wallet"]>; home: TestNode }[] = [];
  let vaultTurn = 0;

  /** Registered, or certified and not yet past its last period: extend and delete apply. */
  const isLive = async (blobId: Hex) => {
    const stored = await market.read.getBlob([blobId]);
    return (
      stored.status === BlobStatus.registered ||
      (stored.status === BlobStatus.certified && (await m.currentPeriod()) < stored.endPeriod)
    );
  };
  const send = async (hash: Promise<Hex>) => {
    const receipt = await h.wait(await hash);
    onLogs?.(receipt.logs);
  };
  const tolerate = async (hash: () => Promise<Hex>) => {
    try {
      await send(hash());
    } catch (error) {
      if (!EXPECTED_REFUSALS.some((name) => String(error).includes(name))) throw error;
    }
  };
  const live = () => nodes.filter((node) => !dropped.has(node.nodeId));
  /** A live node holding no shard of a cold blob takes over each dropped holder's shard. */
  const takeOverDroppedShards = async () => {
    for (const [index, blob] of blobs.entries()) {
      if (!blob.shardRoots) continue;
      const stored = await market.read.getBlob([blob.blobId]);
      if (stored.status !== BlobStatus.certified || (await m.currentPeriod()) >= stored.endPeriod) continue;
      for (let holder = 0; holder < blob.nodes.length; holder += 1) {
        if (!(stored.dropped & (1 << holder))) continue;
        const holders = new Set(stored.holders.map((h) => h.nodeId));
        const spare = options.everything?.spare;
        const candidates = [...(await active()), ...(spare ? [spare] : [])];
        let taker: TestNode | undefined;
        for (const candidate of candidates.filter((node) => !holders.has(node.nodeId))) {
          try {
            const receipt = await h.wait(
              await candidate.as.market.write.reassignHolder([blob.blobId, holder, candidate.nodeId]),
            );
            onLogs?.(receipt.logs);
            taker = candidate;
            break;
          } catch (error) {
            // a node unbonding or short of stake may not take a shard
            if (!String(error).includes("NodeRegistry")) throw error;
          }
        }
        if (!taker) continue;
        const moved = { ...blob, nodes: blob.nodes.map((node, i) => (i === holder ? taker : node)) };
        blobs[index] = moved;
        onLogs?.(await m.enroll(moved, [holder]));
        const certified = await m.certify(moved, blob.owner, await m.attestations(moved, [holder]));
        onLogs?.(certified.logs);
        stored.holders = stored.holders.map((h, i) => (i === holder ? { ...h, nodeId: taker.nodeId } : h));
      }
    }
  };
  /** Nodes a new blob may name: not dropped, and bonded (a slash can leave a node short). */
  const active = async () => {
    const out: TestNode[] = [];
    for (const node of live()) if (await node.as.registry.read.isActive([node.nodeId])) out.push(node);
    return out;
  };

  for (let step = 0; step < options.steps; step += 1) {
    const action = rand.int(0, options.everything ? 12 : 9);
    if (process.env.TRACE_FUZZ) console.log("step", step, "action", action);
    const candidates = action <= 2 || blobs.length === 0 ? await active() : [];
    if ((action <= 2 || blobs.length === 0) && candidates.length === 0) {
      // every node is short of stake after slashes: one tops up
      const node = rand.pick(live().length > 0 ? live() : nodes);
      await send(node.as.token.write.faucet([100n * TOKEN]));
      await send(node.as.token.write.approve([deployment.contracts.registry, 100n * TOKEN]));
      await tolerate(() => node.as.registry.write.stake([node.nodeId, 100n * TOKEN]));
    } else if (action <= 2 || blobs.length === 0) {
      const chosen = candidates.filter(() => rand.chance(0.6));
      const holders = chosen.length > 0 ? chosen : [rand.pick(candidates)];
      const cold = holders.length >= 2 && rand.chance(0.3);
      const size = rand.int(1, 3000);
      const recovery = cold ? rand.int(1, holders.length) : 0;
      const owner = rand.pick(owners);
      const blob = await m.register({
        owner,
        nodes: holders,
        data: randomBytes(size, seed * 1000 + step),
        epochs: rand.int(1, 2),
        tier: cold ? "cold" : "hot",
        recovery,
        shardSize: cold ? BigInt(Math.ceil(size / recovery)) : 0n,
        name: `blob ${seed}-${step} ${rand.pick(["photo", "video", "archive", "dataset"])}`,
        mimeType: rand.pick(["image/png", "video/mp4", "application/zip", "text/csv"]),
        tags: [rand.pick(["alpha", "beta"]), `step${step % 4}`],
      });
      onLogs?.(blob.logs);
      blobs.push({ ...blob, owner });
      if (rand.chance(0.8)) {
        const logs = await m.enroll(blob);
        onLogs?.(logs);
        const attestations = await m.attestations(blob);
        if (attestations.length > 1 && rand.chance(0.3)) {
          // one attestation first (short of the quorum), the rest later
          // (certified first: `onLogs?.(…)` would skip evaluating its argument without a listener)
          const first = await m.certify(blob, owner, attestations.slice(0, 1));
          onLogs?.(first.logs);
          const rest = await m.certify(blob, owner, attestations.slice(1));
          onLogs?.(rest.logs);
        } else {
          const receipt = await m.certify(blob, owner, attestations);
          onLogs?.(receipt.logs);
        }
      }
    } else if (action === 3) {
      const blob = rand.pick(blobs);
      if (await isLive(blob.blobId)) {
        const payer = as(rand.pick(owners));
        await send(payer.token.write.faucet([10n ** 24n]));
        await send(payer.token.write.approve([deployment.contracts.market, 10n ** 24n]));
        await send(payer.market.write.extend([blob.blobId, 1]));
      }
    } else if (action === 4) {
      const blob = rand.pick(blobs);
      if (await isLive(blob.blobId)) {
        await send(as(blob.owner).market.write.deleteBlob([blob.blobId]));
      }
    } else if (action <= 7) {
      // time passes; most nodes prove each period
      const periods = rand.int(1, 4);
      for (let p = 0; p < periods; p += 1) {
        await m.nextPeriod();
        if (options.everything) {
          // whoever did not prove the period that just ended is reported
          const ended = (await m.currentPeriod()) - 1;
          for (const node of live()) {
            await tolerate(() => reporter.proofs.write.reportMissedProof([node.nodeId, ended]));
          }
          for (const node of nodes) {
            if ((await node.as.proofs.read.nodeStanding([node.nodeId]))[1]) dropped.add(node.nodeId);
          }
          await takeOverDroppedShards();
        }
        await m.revealSeed();
        for (const node of live()) {
          if (!rand.chance(0.8)) continue;
          await tolerate(async () =>
            node.as.proofs.write.submitProof([node.nodeId, await m.buildProof(node)]),
          );
        }
      }
    } else if (action === 8) {
      await claimAll(rand.pick(nodes), blobs, send);
    } else if (action === 9) {
      const period = await m.currentPeriod();
      for (const blob of blobs) {
        const stored = await market.read.getBlob([blob.blobId]);
        const wasCertified =
          stored.status === BlobStatus.certified ||
          (stored.status === BlobStatus.deleted && stored.startPeriod !== 0);
        const ended = wasCertified && period >= stored.endPeriod;
        if (ended) await send(market.write.settle([blob.blobId]));
        else if (stored.status === BlobStatus.registered && rand.chance(0.5)) {
          await h.networkHelpers.time.increase(400);
          await send(as(blob.owner).market.write.reclaim([blob.blobId]));
        }
      }
      await send(market.write.collectFees());
    } else if (action === 10) {
      // an operator changes its price and endpoint, or stakes more
      const node = rand.pick(nodes);
      const info = await node.as.registry.read.getNode([node.nodeId]);
      if (rand.chance(0.5)) {
        await send(
          node.as.registry.write.update([
            node.nodeId,
            {
              signer: info.signer,
              endpoint: `http://127.0.0.1:${9100 + rand.int(0, 99)}`,
              peerId: info.peerId,
              multiaddrs: [...info.multiaddrs],
              tiers: info.tiers,
              capacity: info.capacity,
              pricePerByteEpoch: info.pricePerByteEpoch + BigInt(rand.int(1, 50)),
            },
          ]),
        );
      } else {
        await send(node.as.token.write.faucet([5n * TOKEN]));
        await send(node.as.token.write.approve([deployment.contracts.registry, 5n * TOKEN]));
        await tolerate(() => node.as.registry.write.stake([node.nodeId, 5n * TOKEN]));
      }
    } else if (action === 11) {
      // nodes let go of blobs that ended
      for (const node of nodes) {
        const set = await node.as.proofs.read.proofSet([node.nodeId]);
        for (const blobId of set) {
          try {
            await node.as.proofs.simulate.prune([node.nodeId, [blobId]], {
              account: node.operator.account.address,
            });
          } catch {
            continue; // still live
          }
          await send(node.as.proofs.write.prune([node.nodeId, [blobId]]));
        }
      }
    } else if (options.everything) {
      // the spare node leaves: asks to unstake, waits the delay out, withdraws
      const spare = options.everything.spare;
      const info = await spare.as.registry.read.getNode([spare.nodeId]);
      if (info.unbondingAt === 0n)
        await tolerate(() => spare.as.registry.write.requestUnstake([spare.nodeId]));
      else if (info.stake > 0n) {
        await h.networkHelpers.time.increase(100);
        await send(spare.as.registry.write.withdraw([spare.nodeId]));
      }
    }
    // names, on a PRNG of their own (the blob actions above keep their sequence per seed)
    if (options.everything && names.chance(0.25) && blobs.length > 0) await nameStep();
    if (options.everything && vaultRand.chance(0.3)) await vaultStep();
    await options.afterStep?.(blobs);
  }
  return blobs;

  /** One owner publishes the next sequence of one of its names, or locks it. */
  async function nameStep() {
    const owner = names.pick(owners);
    const label = names.pick(["home", "blog", "feed"]);
    const key = `${owner.account.address}/${label}`;
    if (lockedNames.has(key)) return;
    const registry = { address: deployment.contracts.names, abi: nameRegistryAbi } as const;
    if (namedOnce.has(key) && names.chance(0.1)) {
      await send(owner.writeContract({ ...registry, functionName: "lock", args: [label] }));
      lockedNames.add(key);
      return;
    }
    const nameId = await h.publicClient.readContract({
      ...registry,
      functionName: "nameIdOf",
      args: [owner.account.address, label],
    });
    const current = await h.publicClient.readContract({
      ...registry,
      functionName: "recordOf",
      args: [nameId],
    });
    const { timestamp } = await h.publicClient.getBlock();
    await send(
      owner.writeContract({
        ...registry,
        functionName: "publish",
        args: [
          label,
          {
            value: contenthashOf(
              CID.createV1(0x55, Digest.create(0x12, hexToBytes(names.pick(blobs).commitment))),
            ),
            sequence: current.sequence + BigInt(names.int(1, 3)),
            validity: timestamp + 10_000_000n,
            ttl: names.int(0, 3600),
            // not a key the protocol reads: kept as sent, with no IPNS name
            ipnsKey: keccak256(toHex(key)),
          },
        ],
      }),
    );
    namedOnce.add(key);
  }

  /**
   * One vault action, in turn (so that a run makes every kind): open, extend, snapshot, settle,
   * move, claim, close; an action with nothing to act on opens a vault instead.
   */
  async function vaultStep() {
    const registry = { address: deployment.contracts.vaults, abi: vaultRegistryAbi } as const;
    const candidates = await active();
    const turn = vaultTurn++ % 7;
    const vault = openVaults.length > 0 ? vaultRand.pick(openVaults) : undefined;
    if (turn === 0 || !vault || candidates.length === 0) {
      const home = candidates.length > 0 ? vaultRand.pick(candidates) : undefined;
      if (!home) return;
      const owner = vaultRand.pick(owners);
      const as = contractsFor(deployment, h.publicClient, owner);
      await send(as.token.write.faucet([10n * TOKEN]));
      await send(as.token.write.approve([deployment.contracts.vaults, 10n * TOKEN]));
      const receipt = await h.wait(
        await owner.writeContract({
          ...registry,
          functionName: "openVault",
          args: [home.nodeId, BigInt(vaultRand.int(1, 5000)), vaultRand.int(1, 2)],
        }),
      );
      onLogs?.(receipt.logs);
      const [opened] = parseEventLogs({
        abi: vaultRegistryAbi,
        logs: receipt.logs,
        eventName: "VaultOpened",
      });
      if (opened) openVaults.push({ vaultId: opened.args.vaultId, owner, home });
      return;
    }
    const { vaultId, owner } = vault;
    const info = await h.publicClient.readContract({
      ...registry,
      functionName: "getVault",
      args: [vaultId],
    });
    if (turn === 1) {
      const as = contractsFor(deployment, h.publicClient, owner);
      await send(as.token.write.faucet([10n * TOKEN]));
      await send(as.token.write.approve([deployment.contracts.vaults, 10n * TOKEN]));
      await send(owner.writeContract({ ...registry, functionName: "extend", args: [vaultId, 1] }));
    } else if (turn === 2) {
      const certified: Hex[] = [];
      for (const blob of blobs.slice(-3)) {
        if ((await market.read.getBlob([blob.blobId])).status === BlobStatus.certified)
          certified.push(blob.blobId);
      }
      await send(
        owner.writeContract({
          ...registry,
          functionName: "commitSnapshot",
          args: [
            vaultId,
            info.sequence + BigInt(vaultRand.int(1, 2)),
            toHex(`manifest ${seed} ${vaultTurn}`),
            certified,
          ],
        }),
      );
    } else if (turn === 3) {
      await h.networkHelpers.time.increase(vaultRand.int(1, 300));
      await send(owner.writeContract({ ...registry, functionName: "settle", args: [vaultId] }));
    } else if (turn === 4) {
      const target = candidates.find((node) => node.nodeId !== info.home);
      if (!target) return;
      const signature = await target.signer.signTypedData(
        restoredTypedData(await h.publicClient.getChainId(), deployment.contracts.vaults, {
          vaultId,
          sequence: info.sequence,
          manifestHash: info.manifestHash,
          nodeId: target.nodeId,
        }),
      );
      await send(
        owner.writeContract({
          ...registry,
          functionName: "moveHome",
          args: [vaultId, target.nodeId, signature],
        }),
      );
      vault.home = target;
    } else if (turn === 5) {
      const credited = [];
      for (const node of nodes) {
        const credit = await h.publicClient.readContract({
          ...registry,
          functionName: "creditOf",
          args: [node.nodeId],
        });
        if (credit > 0n) credited.push(node);
      }
      const node = credited.length > 0 ? vaultRand.pick(credited) : undefined;
      if (node)
        await send(node.operator.writeContract({ ...registry, functionName: "claim", args: [node.nodeId] }));
    } else {
      await send(owner.writeContract({ ...registry, functionName: "close", args: [vaultId] }));
      openVaults.splice(openVaults.indexOf(vault), 1);
    }
  }
}
