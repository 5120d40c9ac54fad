import { defineConfig } from "vitest/config";

/**
 * The test tiers, run in this order by `vitest run` (`npm test`), or one at a time with
 * `vitest run --project <name>` (`npm run test:unit`, `test:contracts`, `test:integration`, `test:e2e`):
 * - unit: the `*.test.ts` files beside the code, in-memory, seconds;
 * - contracts: the contracts on an in-process Hardhat chain;
 * - integration: nodes, the indexer and the SDK over that chain on loopback;
 * - e2e: the devnet in real processes.
 */
const tiers = [
  { name: "unit", include: ["{api,cli,devnet,indexer,node,protocol,sdk,service}/**/*.test.ts"] },
  { name: "contracts", include: ["test/contracts/**/*.test.ts"] },
  { name: "integration", include: ["test/{indexer,node,sdk}/**/*.test.ts"] },
  { name: "e2e", include: ["test/e2e/**/*.test.ts"] },
];

/** Coverage floors per folder, a few points under what the full run measured (see README, "Tests"). */
const floors = {
  "protocol/**": { lines: 90, functions: 90, branches: 80, statements: 90 },
  "node/**": { lines: 80, functions: 80, branches: 65, statements: 80 },
  "indexer/**": { lines: 80, functions: 80, branches: 65, statements: 80 },
  "sdk/**": { lines: 80, functions: 80, branches: 65, statements: 80 },
  "service/**": { lines: 80, functions: 80, branches: 65, statements: 80 },
  "devnet/**": { lines: 60, functions: 60, branches: 50, statements: 60 },
  "cli/**": { lines: 0, functions: 0, branches: 0, statements: 0 },
};

export default defineConfig({
  test: {
    pool: "forks",
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
      exclude: ["**/*.test.ts", "protocol/abi/**"],
      reporter: ["text-summary", "json-summary"],
      reportsDirectory: "coverage",
      thresholds: floors,
    },
  },
});
