#!/usr/bin/env node
// strata: the command line for dApps (upload, get, ls, status, rm, extend, quote, settle, reclaim,
// faucet, balance, transfer, name, db, vault), node operators (node init|register|update|stake|
// status|start|unstake|withdraw|claim, indexer start) and networks (devnet, deploy).
// `strata COMMAND --help` describes each; exit codes are listed in `strata --help`.
import { enableCompileCache } from "node:module";

// compiled code is kept on disk (the OS's temp folder): later runs start in about two thirds of the time
enableCompileCache?.();
const { main } = await import("./main.ts");
process.exitCode = await main(process.argv.slice(2));
