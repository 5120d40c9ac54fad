import { setTimeout as sleep } from "node:timers/promises";
import { type Hex, keccak256, toHex } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  contenthashOf,
  ipnsKeyBytes,
  ipnsKeyFromSignature,
  ipnsKeyTypedData,
  ipnsRecordOf,
  type NameUpdate,
  nameIdOf,
  nameRegistryAbi,
  readIpnsRecord,
} from "#protocol";
import { createIndexerClient } from "../../api/indexer/index.ts";
import { randomBytes } from "../../devnet/strata-fixture.ts";
import {
  StrataClient as Client,
  NameExpiredError,
  NameLockedError,
  NameNotPublishedError,
  NameUnreachableError,
  type StrataClient,
} from "../../sdk/index.ts";
import { startTestIndexer, waitIndexed } from "../helpers/indexer-harness.ts";
import { until } from "../helpers/wait-until.ts";
import { FUNDS, type SdkNetwork, startSdkNetwork } from "../sdk/sdk-network.ts";

// Names end to end over the in-process chain: the NameRegistry, a storage node's IPNS gateway,
// the indexer's mirror and delegated routing endpoints, and the SDK.
let net: SdkNetwork;
let owner: StrataClient;
let cids: string[];
let brief: Awaited<ReturnType<StrataClient["names"]["publish"]>>;
const BRIEF_CID = "bafkreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy";

beforeAll(async () => {
  net = await startSdkNetwork({ registered: 1 });
  owner = net.client(net.h.wallet(8));
  // first, while the chain's clock is the wall clock's (each block after moves it a second on)
  brief = await owner.names.publish("brief", BRIEF_CID, { lifetime: 3 });
  await owner.faucet(FUNDS);
  cids = [];
  for (const seed of [1, 2, 3]) {
    const { cid } = await owner.upload(randomBytes(40_000 + seed, seed), { nodes: [net.nodes[0]!.nodeId] });
    cids.push(cid);
  }
}, 120_000);
afterAll(async () => {
  await net?.stop();
});

const indexerGet = (path: string, init: RequestInit = {}) => fetch(`${net.indexerUrl}${path}`, init);

/** The owner's IPNS key and a record of `update`, made as the SDK makes them. */
async function ownRecord(label: string, update: Omit<NameUpdate, "ipnsKey">) {
  const wallet = net.h.wallet(8);
  const signature = await wallet.signTypedData(
    ipnsKeyTypedData(net.deployment.chainId, net.deployment.contracts.names, wallet.account.address, label),
  );
  const key = await ipnsKeyFromSignature(signature);
  const full = { ...update, ipnsKey: ipnsKeyBytes(key.publicKey) };
  return { update: full, record: await ipnsRecordOf(key, full) };
}

describe("names", () => {
  test("publish and update: resolved through the indexer, history kept, the IPNS record served by indexer and node", async () => {
    const first = await owner.names.publish("site", cids[0]!, { ttl: 120 });
    expect(first.sequence).toBe(1n);
    expect(first.mirroredOn).toEqual([net.nodes[0]!.nodeId]);
    await net.indexed();
    const second = await owner.names.publish("site", `/ipfs/${cids[1]}`, { ttl: 120 });
    expect(second.sequence).toBe(2n);
    expect(second.ipnsName).toBe(first.ipnsName);
    await net.indexed();

    const resolved = await owner.names.resolve({ owner: net.h.wallet(8).account.address, label: "site" });
    expect(resolved).toMatchObject({
      cid: cids[1],
      sequence: 2n,
      anchored: true,
      locked: false,
      label: "site",
    });
    expect((await owner.names.resolve(first.ipnsName)).cid).toBe(cids[1]);
    expect((await owner.names.resolve(first.nameId)).cid).toBe(cids[1]);

    const history = await owner.names.history(first.nameId);
    expect(history.updates.map((u) => [u.sequence, u.path])).toEqual([
      ["2", `/ipfs/${cids[1]}`],
      ["1", `/ipfs/${cids[0]}`],
    ]);
    const listed = await owner.indexer.names.names({ owner: net.h.wallet(8).account.address });
    expect(listed.names.map((n) => n.label)).toContain("site");

    // delegated routing v1: the anchored record, cached for the TTL, valid under the stock validator
    const answer = await indexerGet(`/routing/v1/ipns/${first.ipnsName}`, {
      headers: { accept: "application/vnd.ipfs.ipns-record" },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get("content-type")).toBe("application/vnd.ipfs.ipns-record");
    expect(answer.headers.get("cache-control")).toBe("public, max-age=120");
    const bytes = new Uint8Array(await answer.arrayBuffer());
    expect(toHex(bytes)).toBe(toHex(second.record));
    const entry = await readIpnsRecord(first.ipnsName, bytes);
    expect(entry).toMatchObject({ sequence: 2n, value: `/ipfs/${cids[1]}`, ttl: 120 });

    // the node's gateway: the record, the content through the name
    const node = net.started.nodes[0]!.url;
    const record = await fetch(`${node}/ipns/${first.ipnsName}?format=ipns-record`);
    expect(toHex(new Uint8Array(await record.arrayBuffer()))).toBe(toHex(second.record));
    const content = await fetch(`${node}/ipns/${first.ipnsName}`);
    expect(content.status).toBe(200);
    expect(Buffer.from(await content.arrayBuffer()).equals(Buffer.from(randomBytes(40_002, 2)))).toBe(true);
    // a path through a file (not a directory) leads nowhere
    expect((await fetch(`${node}/ipns/${first.ipnsName}/missing.txt`)).status).toBe(404);
    const raw = await fetch(`${node}/ipns/${first.ipnsName}?format=car`);
    expect(raw.headers.get("content-type")).toMatch(/^application\/vnd\.ipld\.car/);
  });

  test("an indexer that lost its IPNS records gets them back from the nodes' republishing", async () => {
    const site = await owner.names.resolve({ owner: net.h.wallet(8).account.address, label: "site" });
    const fresh = await startTestIndexer(net.started.rpcUrl, net.deployment);
    try {
      await waitIndexed(net.h, fresh.indexer);
      const lost = createIndexerClient({ baseUrl: fresh.indexer.url });
      // the chain is mirrored, the record is not: nothing to serve
      expect((await lost.names.name(site.nameId)).ipnsRecord).toBe(false);
      expect(await lost.names.getIpnsRecord(site.ipnsName)).toBeUndefined();
      await net.started.restart(0, { names: { republishMs: 1000, routers: [fresh.indexer.url] } });
      const back = await until("the record republished", () => lost.names.getIpnsRecord(site.ipnsName));
      expect((await readIpnsRecord(site.ipnsName, back)).sequence).toBe(site.sequence);
    } finally {
      await fresh.stop();
    }
  });

  test("the chain's sequence 7 beats a network copy at 6; a higher unanchored record is ignored unless asked", async () => {
    const label = "seven";
    const wallet = net.h.wallet(8);
    const validity = BigInt(Math.floor(Date.now() / 1000) + 3600);
    const six = await ownRecord(label, { value: contenthashOf(cids[0]!), sequence: 6n, validity, ttl: 60 });
    await net.h.wait(
      await wallet.writeContract({
        address: net.deployment.contracts.names,
        abi: nameRegistryAbi,
        functionName: "publish",
        args: [label, six.update],
      }),
    );
    const seven = await owner.names.publish(label, cids[1]!);
    expect(seven.sequence).toBe(7n);
    await net.indexed();
    // the record at 6 arrives later (a stale network copy): kept, never served over 7
    await owner.indexer.names.putIpnsRecord(seven.ipnsName, six.record);
    const served = await owner.indexer.names.getIpnsRecord(seven.ipnsName);
    expect((await readIpnsRecord(seven.ipnsName, served!)).sequence).toBe(7n);
    // a valid record at 8 the chain never saw
    const eight = await ownRecord(label, { value: contenthashOf(cids[2]!), sequence: 8n, validity, ttl: 60 });
    await owner.indexer.names.putIpnsRecord(seven.ipnsName, eight.record);
    expect(
      (await readIpnsRecord(seven.ipnsName, (await owner.indexer.names.getIpnsRecord(seven.ipnsName))!))
        .sequence,
    ).toBe(7n);
    const name = { owner: wallet.account.address, label };
    expect(await owner.names.resolve(name)).toMatchObject({ cid: cids[1], sequence: 7n, anchored: true });
    expect(await owner.names.resolve(name, { acceptUnanchored: true })).toMatchObject({
      cid: cids[2],
      sequence: 8n,
      anchored: false,
    });
    // a node takes only what the chain anchors
    const node = net.started.nodes[0]!.url;
    for (const stale of [six.record, eight.record]) {
      const refused = await fetch(`${node}/ipns/${seven.ipnsName}?nameId=${seven.nameId}`, {
        method: "PUT",
        headers: { "content-type": "application/vnd.ipfs.ipns-record" },
        body: stale as BodyInit,
      });
      expect(refused.status).toBe(409);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        "NODE_ERR_NOT_ANCHORED",
      );
    }
  });

  test("a publisher whose keys were wiped publishes at chain + 1 with the same IPNS name, and is accepted", async () => {
    const before = await owner.names.publish("wiped", cids[0]!);
    // a new client in a new place: no cache, no keystore; the wallet alone
    const fresh = new Client({
      deployment: net.deployment,
      publicClient: net.h.publicClient,
      signer: net.h.wallet(8),
      indexerUrl: net.indexerUrl,
      pollingIntervalMs: 100,
    });
    const after = await fresh.names.publish("wiped", cids[1]!);
    expect(after.sequence).toBe(before.sequence + 1n);
    expect(after.ipnsName).toBe(before.ipnsName);
    await net.indexed();
    const served = await fresh.indexer.names.getIpnsRecord(after.ipnsName);
    expect((await readIpnsRecord(after.ipnsName, served!)).sequence).toBe(after.sequence);
  });

  test("a locked name refuses updates; the SDK says so before sending", async () => {
    await owner.names.publish("frozen", cids[0]!);
    await owner.names.lock("frozen");
    await expect(owner.names.publish("frozen", cids[1]!)).rejects.toBeInstanceOf(NameLockedError);
    await net.indexed();
    const name = await owner.names.resolve({ owner: net.h.wallet(8).account.address, label: "frozen" });
    expect(name).toMatchObject({ locked: true, cid: cids[0] });
  });

  test("an expired name is refused on resolve and by the routing endpoint, and history keeps it", async () => {
    await net.indexed();
    await sleep(Number(brief.validity) * 1000 - Date.now() + 1100);
    await expect(owner.names.resolve(brief.nameId)).rejects.toBeInstanceOf(NameExpiredError);
    expect(await owner.indexer.names.getIpnsRecord(brief.ipnsName)).toBeUndefined();
    const state = await owner.indexer.names.name(brief.nameId);
    expect(state).toMatchObject({ expired: true, path: `/ipfs/${BRIEF_CID}`, ipnsRecord: true });
    const history = await owner.names.history(brief.nameId);
    expect(history.updates.map((u) => [u.sequence, u.path])).toEqual([["1", `/ipfs/${BRIEF_CID}`]]);
  });

  test("not published and unreachable are different errors; bad input changes nothing", async () => {
    const nobody = nameIdOf(net.h.wallet(9).account.address, "nothing");
    await expect(owner.names.resolve(nobody)).rejects.toBeInstanceOf(NameNotPublishedError);
    const offline = new Client({
      deployment: net.deployment,
      publicClient: net.h.publicClient,
      indexerUrl: "http://127.0.0.1:9",
    });
    await expect(offline.names.resolve(nobody)).rejects.toBeInstanceOf(NameUnreachableError);
    await expect(owner.names.publish("", cids[0]!)).rejects.toThrow(/1 to 64 bytes/);
    await expect(owner.names.publish("bad", "not-a-cid")).rejects.toThrow(/target/);
    const garbage = await indexerGet(
      `/routing/v1/ipns/${(await owner.names.resolve(nameIdOf(net.h.wallet(8).account.address, "site"))).ipnsName}`,
      {
        method: "PUT",
        headers: { "content-type": "application/vnd.ipfs.ipns-record" },
        body: new Uint8Array([1, 2, 3]) as BodyInit,
      },
    );
    expect(garbage.status).toBe(400);
    expect(((await garbage.json()) as { error: { code: string } }).error.code).toBe(
      "INDEXER_ERR_INVALID_RECORD",
    );
    expect((await indexerGet("/routing/v1/ipns/not-a-name!")).status).toBe(400);
    expect((await indexerGet(`/names/${keccak256(toHex("x"))}`)).status).toBe(404);
  });

  test("a name update in a reorged block disappears from the indexer and the routing endpoint", async () => {
    const base = await owner.names.publish("forked", cids[0]!);
    await net.indexed();
    const fork = await net.h.networkHelpers.takeSnapshot();
    const lost = await owner.names.publish("forked", cids[1]!);
    await net.indexed();
    expect((await owner.names.resolve(base.nameId)).sequence).toBe(2n);
    await fork.restore();
    await net.h.networkHelpers.mine(3);
    await net.indexed();
    const after = await owner.names.resolve(base.nameId);
    expect(after).toMatchObject({ sequence: 1n, cid: cids[0] });
    expect((await owner.names.history(base.nameId)).updates.map((u) => u.sequence)).toEqual(["1"]);
    const served = await owner.indexer.names.getIpnsRecord(lost.ipnsName);
    expect((await readIpnsRecord(lost.ipnsName, served!)).sequence).toBe(1n);
    expect(lost.hash as Hex).toMatch(/^0x/);
  });
});
