// Collections against a real peer, in one run on this machine: the devnet (chain, three node
// processes, the indexer) for Strata, and OrbitDB 4's documents database on its own Helia 7:
//   - insert 10,000 documents and commit (Strata) against 10,000 puts (OrbitDB): target >= 10x;
//   - find one document among 10,000 by an indexed field (Strata, median of 200) against OrbitDB's
//     query for it (median of 10): target >= 100x;
//   - open the 10,000-document database cold on a second client (resolve, fetch, check, parse)
//     against a plain `get` of a blob of the same size: target <= 3;
//   - the SDK process's peak RSS during the 10,000 inserts and the commit, against its RSS before.
//   npm run bench:collections       (about two minutes; OrbitDB's puts are most of it)

import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { gossipsub } from "@libp2p/gossipsub";
import { identify } from "@libp2p/identify";
import { createOrbitDB } from "@orbitdb/core";
import { createHelia } from "helia";
import { Database } from "../sdk/index.ts";
import { startBenchDevnet } from "./bench-devnet.ts";
import { type Figure, report } from "./report.ts";

const DOCS = Number(process.env.STRATA_BENCH_DOCS ?? 10_000);
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const docOf = (i: number) => ({
  _id: `user-${i}`,
  email: `user${i}@example.org`,
  name: `User ${i}`,
  age: 18 + (i % 70),
  city: ["Lisbon", "Oslo", "Osaka", "Quito", "Accra"][i % 5],
  bio: `bio ${i} `.repeat(8),
});

const bench = await startBenchDevnet("bench-collections");
const { net } = bench;
const figures: Figure[] = [];
try {
  // Strata: 10,000 inserts into an indexed collection, one commit (a pack on three nodes, the name moved)
  const writer = net.dappClient(0);
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  let started = performance.now();
  const db = await Database.create(writer, { label: "bench", cacheDir: join(bench.dir, "writer") });
  const people = db.collection("people");
  await people.createIndex("email");
  await people.insert(Array.from({ length: DOCS }, (_, i) => docOf(i)));
  const committed = await db.commit();
  const strataInsertMs = performance.now() - started;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss);
  if (!committed) throw new Error("nothing committed");

  // the indexer has the name: a second client opens the database cold, and a plain get of as many bytes
  const reader = net.dappClient(1);
  for (;;) {
    const seen = await reader.names
      .resolve({ owner: await writer.address(), label: "bench" })
      .catch(() => undefined);
    if (seen?.sequence === committed.sequence) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const same = await writer.upload(randomBytes(committed.bytes));
  for (;;) {
    if ((await reader.indexer.route(same.cid).catch(() => undefined))?.nodes.length) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const opens: number[] = [];
  const gets: number[] = [];
  for (let round = 0; round < 3; round += 1) {
    started = performance.now();
    await reader.get(same.cid);
    gets.push(performance.now() - started);
    started = performance.now();
    const cold = await Database.open(reader, {
      name: { owner: await writer.address(), label: "bench" },
      cacheDir: join(bench.dir, `reader-${round}`),
    });
    if ((await cold.collection("people").count()) !== DOCS) throw new Error("the cold open lost documents");
    opens.push(performance.now() - started);
  }
  const opened = await Database.open(reader, {
    name: { owner: await writer.address(), label: "bench" },
    cacheDir: join(bench.dir, "reader-0"),
  });
  const finds: number[] = [];
  for (let i = 0; i < 200; i += 1) {
    const target = (i * 7919) % DOCS;
    started = performance.now();
    const found = await opened.collection("people").find({ email: `user${target}@example.org` });
    finds.push(performance.now() - started);
    if (found.length !== 1 || found[0]?._id !== `user-${target}`) throw new Error("find missed");
  }

  // OrbitDB 4: its documents database on its own Helia (as ../shared/NOTES.md runs it)
  const helia = await createHelia({
    libp2p: {
      addresses: { listen: [] },
      services: { pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }), identify: identify() },
    },
  } as Parameters<typeof createHelia>[0]);
  await helia.start();
  const orbitdb = await createOrbitDB({ ipfs: helia, directory: join(bench.dir, "orbitdb") });
  try {
    const documents = await orbitdb.open("bench", { type: "documents" });
    started = performance.now();
    for (let i = 0; i < DOCS; i += 1) await documents.put(docOf(i));
    const orbitInsertMs = performance.now() - started;
    const queries: number[] = [];
    for (let i = 0; i < 10; i += 1) {
      const email = `user${(i * 7919) % DOCS}@example.org`;
      started = performance.now();
      const found = await documents.query((doc: { email: string }) => doc.email === email);
      queries.push(performance.now() - started);
      if (found.length !== 1) throw new Error("OrbitDB's query missed");
    }
    await documents.close();
    figures.push(
      {
        name: `insert ${DOCS} and commit (Strata) vs ${DOCS} puts (OrbitDB)`,
        value: orbitInsertMs,
        unit: "ms OrbitDB",
        baseline: strataInsertMs,
        baselineName: "Strata ms",
        min: 10,
      },
      {
        name: `find one of ${DOCS} by an indexed field`,
        value: median(queries),
        unit: "ms OrbitDB",
        baseline: median(finds),
        baselineName: "Strata ms",
        min: 100,
      },
    );
  } finally {
    await orbitdb.stop();
    await helia.stop();
  }
  figures.push(
    {
      name: `open the ${DOCS}-document database cold (median of 3)`,
      value: median(opens),
      unit: "ms",
      baseline: median(gets),
      baselineName: `get of a ${committed.bytes}-byte blob`,
      max: 3,
    },
    {
      name: `peak RSS, ${DOCS} inserts and the commit`,
      value: peak / 2 ** 20,
      unit: "MiB",
      baseline: rssBefore / 2 ** 20,
      baselineName: "RSS before",
    },
  );
  console.log(
    `pack: ${committed.blocks} blocks, ${committed.bytes} bytes; Strata insert+commit ${strataInsertMs.toFixed(0)} ms; cold opens ${opens.map((v) => v.toFixed(0)).join(", ")} ms, gets ${gets.map((v) => v.toFixed(0)).join(", ")} ms`,
  );
} finally {
  await bench.stop();
}
const ok = report("collections: Strata against OrbitDB 4, and a cold open against a plain get", figures);
process.exitCode = ok ? 0 : 1;
