// Vault snapshots, restores and migrations on the devnet as shipped (three node processes, the
// chain, the indexer), each timed against a plain Strata upload or get of the same bytes in the
// same run: a vault of 1,000 files of 1 MiB and 100,000 documents (about 1 GiB) is snapshotted
// (target: at least 0.7 of the upload's throughput), restored on another node (at least 0.7 of
// the get's) and migrated back; one changed file's incremental snapshot is weighed against the
// change (at most 1.1 MiB for 1 MiB). STRATA_BENCH_VAULT_FILES and _DOCS scale it down.
import { randomBytes } from "node:crypto";
import { open, rm } from "node:fs/promises";
import { join } from "node:path";
import { startBenchDevnet } from "./bench-devnet.ts";
import { type Figure, report } from "./report.ts";

const FILES = Number(process.env.STRATA_BENCH_VAULT_FILES ?? 1000);
const DOCS = Number(process.env.STRATA_BENCH_VAULT_DOCS ?? 100_000);
const MiB = 1 << 20;
const seconds = (ms: number) => ms / 1000;

const bench = await startBenchDevnet("bench-vaults");
const { net } = bench;
const figures: Figure[] = [];
try {
  const [first, , third] = net.nodes.map((node) => node.nodeId) as [number, number, number];
  const owner = net.dappClient(0);
  const vault = await owner.vaults.open({ home: first, quota: (FILES + 200) * MiB, epochs: 4 });

  // the vault: files written eight at a time, then documents in batches of 1,000
  let started = performance.now();
  for (let next = 0; next < FILES; ) {
    const batch = [];
    for (let i = 0; i < 8 && next < FILES; i += 1, next += 1) {
      batch.push(vault.put(`files/${String(next).padStart(4, "0")}.bin`, randomBytes(MiB)));
    }
    await Promise.all(batch);
  }
  const people = vault.db("people");
  await people.createIndex("city");
  for (let i = 0; i < DOCS; i += 1000) {
    await people.insert(
      Array.from({ length: Math.min(1000, DOCS - i) }, (_, j) => ({
        _id: `user-${i + j}`,
        name: `User ${i + j}`,
        age: 18 + ((i + j) % 70),
        city: ["Lisbon", "Oslo", "Osaka", "Quito", "Accra"][(i + j) % 5],
      })),
    );
  }
  const fillMs = performance.now() - started;
  console.log(`vault filled: ${FILES} files, ${DOCS} documents in ${seconds(fillMs).toFixed(1)} s`);

  // snapshot, against a plain upload of as many bytes to as many nodes
  started = performance.now();
  const snapshotStates = timeline();
  const snapshot = await vault.snapshot({ onProgress: snapshotStates.see });
  const snapshotMs = performance.now() - started;
  console.log(`snapshot: ${snapshotStates.report()}`);
  const plainFile = join(bench.dir, "plain.bin");
  const handle = await open(plainFile, "w");
  for (let written = 0; written < snapshot.packBytes; written += 16 * MiB) {
    await handle.write(randomBytes(Math.min(16 * MiB, snapshot.packBytes - written)));
  }
  await handle.close();
  started = performance.now();
  const plain = await owner.upload(plainFile, { replicas: 2 });
  const uploadMs = performance.now() - started;
  await rm(plainFile);
  figures.push({
    name: `snapshot of ${FILES} files + ${DOCS} docs (MB/s)`,
    value: snapshot.packBytes / 1e6 / seconds(snapshotMs),
    unit: "MB/s",
    baseline: plain.size / 1e6 / seconds(uploadMs),
    baselineName: "plain upload, 2 replicas",
    min: 0.7,
  });

  // restore on another node (the home moves there), against a plain verified get of as many bytes
  await waitIndexed(owner, vault.vaultId, snapshot.sequence);
  started = performance.now();
  const restoreStates = timeline();
  await vault.restore(third, { onProgress: restoreStates.see });
  const restoreMs = performance.now() - started;
  console.log(`restore: ${restoreStates.report()}`);
  started = performance.now();
  let got = 0;
  for await (const chunk of owner.stream(plain.cid)) got += chunk.length;
  const getMs = performance.now() - started;
  if (got !== plain.size) throw new Error("the plain get lost bytes");
  figures.push({
    name: "restore on another node (MB/s)",
    value: snapshot.packBytes / 1e6 / seconds(restoreMs),
    unit: "MB/s",
    baseline: plain.size / 1e6 / seconds(getMs),
    baselineName: "plain get, verified",
    min: 0.7,
  });
  if ((await people.count()) !== DOCS) throw new Error("the restore lost documents");

  // one command back: freeze, (incremental) snapshot, restore, move the home
  started = performance.now();
  await vault.migrate(first);
  const migrateMs = performance.now() - started;
  figures.push({
    name: "migration end to end (s)",
    value: seconds(migrateMs),
    unit: "s",
    baseline: seconds(restoreMs),
    baselineName: "restore alone",
  });

  // an incremental snapshot after one changed 1 MiB file
  await vault.put("files/0500.bin", randomBytes(MiB));
  const incremental = await vault.snapshot();
  figures.push({
    name: "incremental snapshot, 1 MiB changed (bytes shipped)",
    value: incremental.newBytes,
    unit: "B",
    baseline: MiB,
    baselineName: "the change",
    max: 1.1,
  });
  const ok = report("Vaults: snapshot, restore, migration (devnet, three node processes)", figures);
  process.exitCode = ok ? 0 : 1;
} finally {
  await bench.stop();
}

/** Where a job's time goes: seconds in each state, as its progress events showed them. */
function timeline() {
  const entered: [string, number][] = [];
  return {
    see: (job: { state: string }) => {
      if (entered.at(-1)?.[0] !== job.state) entered.push([job.state, performance.now()]);
    },
    report: () =>
      entered
        .slice(0, -1)
        .map(([state, at], i) => `${state} ${seconds((entered[i + 1]?.[1] ?? at) - at).toFixed(1)} s`)
        .join(", "),
  };
}

async function waitIndexed(client: ReturnType<typeof net.dappClient>, vaultId: number, sequence: number) {
  for (;;) {
    const { snapshots } = await client.indexer.vaults.snapshots(vaultId).catch(() => ({ snapshots: [] }));
    if (snapshots.some((s) => s.sequence === sequence)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
