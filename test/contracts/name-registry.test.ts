import { network } from "hardhat";
import {
  type Address,
  getAddress,
  getContract,
  type Hex,
  hashTypedData,
  keccak256,
  parseEventLogs,
  toHex,
} from "viem";
import { beforeEach, describe, expect, test } from "vitest";
import { nameIdOf, nameRegistryAbi, publishTypedData, updateHashOf } from "#protocol";
import { expectRevert } from "../helpers/expect-revert.ts";

const { viem, networkHelpers } = await network.connect();
const publicClient = await viem.getPublicClient();
const [alice, bob, relayer] = await viem.getWalletClients();
const ALICE = getAddress(alice!.account.address);
const BOB = getAddress(bob!.account.address);

async function deployRegistry() {
  const { address } = await viem.deployContract("NameRegistry");
  return getContract({ address, abi: nameRegistryAbi, client: { public: publicClient, wallet: alice! } });
}

async function fixture() {
  return { registry: await deployRegistry(), other: await deployRegistry() };
}

const CONTENTHASH = "0xe30101701220" as const; // ENSIP-7 ipfs-ns, CIDv1 dag-pb sha2-256 prefix
const value = (n: number): Hex => `${CONTENTHASH}${keccak256(toHex(`v${n}`)).slice(2)}`;
const IPNS_KEY: Hex = `0x08011220${keccak256(toHex("ipns-key")).slice(2)}`;

async function update(sequence: number, n = sequence) {
  const now = Number((await publicClient.getBlock()).timestamp);
  return {
    value: value(n),
    sequence: BigInt(sequence),
    validity: BigInt(now + 3600),
    ttl: 60,
    ipnsKey: IPNS_KEY,
  };
}

describe("NameRegistry", () => {
  let env: Awaited<ReturnType<typeof fixture>>;
  beforeEach(async () => {
    env = await networkHelpers.loadFixture(fixture);
  });

  const signUpdate = (
    owner: typeof alice,
    label: string,
    u: Awaited<ReturnType<typeof update>>,
    domain: { chainId?: number; verifyingContract?: Address } = {},
  ) =>
    owner!.signTypedData({
      // the protocol's typed data, under the domain asked (other chains and contracts must fail)
      ...publishTypedData(
        domain.chainId ?? publicClient.chain.id,
        domain.verifyingContract ?? env.registry.address,
        owner!.account.address,
        label,
        u,
      ),
    });

  test("an owner publishes and updates its name; the record and the event carry the update", async () => {
    const { registry } = env;
    const first = await update(1);
    const hash = await registry.write.publish(["docs", first], { account: alice!.account });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const nameId = await registry.read.nameIdOf([alice!.account.address, "docs"]);
    const [event] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "NamePublished" });
    expect(event?.args).toEqual({
      nameId,
      owner: ALICE,
      label: "docs",
      value: first.value,
      sequence: 1n,
      validity: first.validity,
      ttl: 60,
      ipnsKey: IPNS_KEY,
    });
    const second = await update(7);
    await registry.write.publish(["docs", second], { account: alice!.account });
    const record = await registry.read.recordOf([nameId]);
    expect(record).toMatchObject({
      owner: ALICE,
      sequence: 7n,
      locked: false,
      validity: second.validity,
      ttl: 60,
      updateHash: updateHashOf(second),
    });
    expect(record.updatedBlock).toBe(await publicClient.getBlockNumber());
  });

  test("a stale or repeated sequence is refused with both numbers, and changes nothing", async () => {
    const { registry } = env;
    await registry.write.publish(["docs", await update(5)], { account: alice!.account });
    const nameId = await registry.read.nameIdOf([alice!.account.address, "docs"]);
    for (const stale of [5, 4]) {
      await expectRevert(
        registry.write.publish(["docs", await update(stale, 99)], { account: alice!.account }),
        "NameRegistryStaleSequence",
        [nameId, 5n, BigInt(stale)],
      );
    }
    expect((await registry.read.recordOf([nameId])).updateHash).toBe(
      updateHashOf({ value: value(5), ipnsKey: IPNS_KEY }),
    );
  });

  test("names are namespaced by owner: the same label of another owner is another name", async () => {
    const { registry } = env;
    await registry.write.publish(["docs", await update(9)], { account: alice!.account });
    await registry.write.publish(["docs", await update(1, 2)], { account: bob!.account });
    const mine = await registry.read.nameIdOf([alice!.account.address, "docs"]);
    const theirs = await registry.read.nameIdOf([bob!.account.address, "docs"]);
    expect(mine).not.toBe(theirs);
    expect((await registry.read.recordOf([mine])).sequence).toBe(9n);
    expect((await registry.read.recordOf([theirs])).owner).toBe(BOB);
  });

  test("anyone relays an owner's signed update once; other chains, contracts and signers are refused", async () => {
    const { registry, other } = env;
    const u = await update(3);
    const signature = await signUpdate(alice, "docs", u);
    const relayed = registry.write.publishFor([alice!.account.address, "docs", u, signature], {
      account: relayer!.account,
    });
    await publicClient.waitForTransactionReceipt({ hash: await relayed });
    const nameId = await registry.read.nameIdOf([alice!.account.address, "docs"]);
    expect((await registry.read.recordOf([nameId])).sequence).toBe(3n);
    // the same signed update again: the sequence rule refuses it
    await expectRevert(
      registry.write.publishFor([alice!.account.address, "docs", u, signature], {
        account: relayer!.account,
      }),
      "NameRegistryStaleSequence",
      [nameId, 3n, 3n],
    );
    const next = await update(4);
    const wrong = [
      await signUpdate(alice, "docs", next, { chainId: publicClient.chain.id + 1 }),
      await signUpdate(alice, "docs", next, { verifyingContract: other.address }),
      await signUpdate(bob, "docs", next),
    ];
    for (const bad of wrong) {
      await expectRevert(
        registry.write.publishFor([alice!.account.address, "docs", next, bad], { account: relayer!.account }),
        "NameRegistryInvalidSignature",
        [ALICE],
      );
    }
    // the contract's digest and id are the ones protocol/names computes (docs/protocol.md, "Names")
    expect(await registry.read.publishDigest([alice!.account.address, "docs", next])).toBe(
      hashTypedData(
        publishTypedData(publicClient.chain.id, registry.address, alice!.account.address, "docs", next),
      ),
    );
    expect(nameId).toBe(nameIdOf(alice!.account.address, "docs"));
  });

  test("a locked name never changes again", async () => {
    const { registry } = env;
    const unknown = await registry.read.nameIdOf([alice!.account.address, "docs"]);
    await expectRevert(
      registry.write.lock(["docs"], { account: alice!.account }),
      "NameRegistryUnknownName",
      [unknown],
    );
    await registry.write.publish(["docs", await update(2)], { account: alice!.account });
    const hash = await registry.write.lock(["docs"], { account: alice!.account });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    const [locked] = parseEventLogs({ abi: registry.abi, logs: receipt.logs, eventName: "NameLocked" });
    expect(locked?.args).toEqual({ nameId: unknown, owner: ALICE, sequence: 2n });
    await expectRevert(
      registry.write.publish(["docs", await update(3)], { account: alice!.account }),
      "NameRegistryNameLocked",
      [unknown],
    );
    await expectRevert(registry.write.lock(["docs"], { account: alice!.account }), "NameRegistryNameLocked");
  });

  test("bad input is refused clearly", async () => {
    const { registry } = env;
    const u = await update(1);
    await expectRevert(
      registry.write.publish(["", u], { account: alice!.account }),
      "NameRegistryInvalidLabel",
    );
    await expectRevert(
      registry.write.publish(["x".repeat(65), u], { account: alice!.account }),
      "NameRegistryInvalidLabel",
    );
    await expectRevert(
      registry.write.publish(["docs", { ...u, value: "0x" }], { account: alice!.account }),
      "NameRegistryInvalidValue",
    );
    await expectRevert(
      registry.write.publish(["docs", { ...u, ipnsKey: "0x" }], { account: alice!.account }),
      "NameRegistryInvalidValue",
    );
    const now = BigInt((await publicClient.getBlock()).timestamp);
    await expectRevert(
      registry.write.publish(["docs", { ...u, validity: now }], { account: alice!.account }),
      "NameRegistryInvalidValidity",
    );
  });
});
