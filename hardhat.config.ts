import { createRequire } from "node:module";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatViem from "@nomicfoundation/hardhat-viem";
import { defineConfig } from "hardhat/config";

// The compiler is the `solc` npm package's soljson.js: nothing is downloaded at build time.
const require = createRequire(import.meta.url);
const soljson = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatViem, hardhatNetworkHelpers],
  solidity: {
    version: "0.8.28",
    path: soljson,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
    },
  },
  test: {
    solidity: {
      // the test vectors are shared with the TypeScript tests (docs/protocol.md)
      fsPermissions: {
        readFile: [
          "./docs/commitment-vectors.json",
          "./docs/erasure-vectors.json",
          "./docs/protocol-vectors.json",
          "./docs/cid-vectors.json",
        ],
      },
      fuzz: { runs: 256 },
    },
  },
  paths: {
    sources: "contracts",
    tests: { solidity: "test/solidity" },
  },
  networks: {
    // `hardhat node` (the devnet chain): a block per transaction and at least one every second, so
    // proof seeds (the hash of a block after the commitment) arrive without waiting for
    // transactions. Blocks may share a timestamp: otherwise each automined block is a second after
    // the last, and under load the chain's clock races ahead of the wall clock (periods shrink and
    // healthy nodes miss proofs).
    node: {
      type: "edr-simulated",
      chainType: "l1",
      mining: { auto: true, interval: 1000 },
      allowBlocksWithSameTimestamp: true,
    },
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.STRATA_RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
