import { defineConfig } from "vitest/config";

/**
 * The test tiers, run in this order by `vitest run` (`npm test`), or one at a time with
 * `vitest run --project <name>` (`npm run test:unit`, `test:contracts`, `test:integration`, `test:e2e`,
 * `test:browser`):
 * - unit: the `*.test.ts` files beside the code, in-memory, seconds;
 * - contracts: the contracts on an in-process Hardhat chain;
 * - integration: nodes, the indexer and the SDK over that chain on loopback;
 * - e2e: the devnet in real processes;
 * - browser: the web console in headless Chromium (Debian's chromium) against the devnet.
 */
const tiers = [
  { name: "unit", include: ["{api,cli,console,devnet,indexer,node,protocol,sdk,service}/**/*.test.ts"] },
  { name: "contracts", include: ["test/contracts/**/*.test.ts"] },
  { name: "integration", include: ["test/{collections,indexer,names,node,sdk,vaults}/**/*.test.ts"] },
  { name: "e2e", include: ["test/e2e/**/*.test.ts"] },
  { name: "browser", include: ["test/browser/**/*.test.ts"] },
];

/**
 * Coverage floors per folder, a few points under what unit + contracts + integration measured
 * in one run (statements / branches / functions / lines): protocol 94 / 84 / 98 / 97, node
 * 88 / 76 / 90 / 90, indexer 74 / 65 / 70 / 76, sdk 59 / 49 / 58 / 62, service 66 / 68 / 67 / 68,
 * api 85 / 62 / 79 / 87, devnet 49 / 37 / 63 / 52. The e2e tier only adds to these. Code run in
 * spawned processes (the devnet's nodes and indexer, the `strata` CLI) is not measured, so cli/
 * has no floor.
 */
const floors = {
  "protocol/**": { statements: 90, branches: 80, functions: 94, lines: 93 },
  "node/**": { statements: 84, branches: 72, functions: 86, lines: 86 },
  "indexer/**": { statements: 70, branches: 60, functions: 66, lines: 72 },
  "sdk/**": { statements: 55, branches: 45, functions: 54, lines: 57 },
  "service/**": { statements: 62, branches: 63, functions: 63, lines: 64 },
  "api/**": { statements: 80, branches: 57, functions: 74, lines: 82 },
  "devnet/**": { statements: 45, branches: 33, functions: 58, lines: 47 },
  "cli/**": { statements: 0, branches: 0, functions: 0, lines: 0 },
};

export default defineConfig({
  resolve: {
    // the datastore and blockstore conformance suites import chai the way aegir (their test
    // runner) gives it; the shim gives vitest's chai with the plugins they use
    alias: { "aegir/chai": new URL("./test/helpers/aegir-chai.ts", import.meta.url).pathname },
  },
  test: {
    pool: "forks",
    server: { deps: { inline: ["interface-datastore-tests", "interface-blockstore-tests"] } },
    testTimeout: 120_000,
    hookTimeout: 120_000,
    projects: tiers.map(({ name, include }, order) => ({
      extends: true,
      test: { name, include, sequence: { groupOrder: order } },
    })),
    coverage: {
      // on with `--coverage` (CI: `./run test --coverage`)
      provider: "v8",
      include: ["{api,cli,devnet,indexer,node,protocol,sdk,service}/**/*.ts"],
      exclude: ["**/*.test.ts", "protocol/abi/**", "sdk/dist/**"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      reportOnFailure: true,
      thresholds: floors,
    },
  },
});
