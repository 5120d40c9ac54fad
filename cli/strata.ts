#!/usr/bin/env node
// strata: the command line for dApps (upload, get, ls, status, rm, extend, quote, name, db), node
// operators (node init|register|stake|start|unstake|withdraw|claim) and local networks (devnet,
// deploy). `strata COMMAND --help` describes each; exit codes are listed in `strata --help`.
import { parseArgs } from "node:util";
import { globalHelp, globalOptions, toJson } from "./cli-context.ts";
import { ExitCode, exitCodeOf, UsageError } from "./cli-error.ts";
import type { Command } from "./command.ts";
import * as blobs from "./commands/blob-commands.ts";
import * as db from "./commands/db-commands.ts";
import * as names from "./commands/name-commands.ts";
import * as network from "./commands/network-commands.ts";
import * as operator from "./commands/node-commands.ts";
import * as vaults from "./commands/vault-commands.ts";

const commands: Command[] = [
  blobs.upload,
  blobs.get,
  blobs.ls,
  blobs.status,
  blobs.rm_,
  blobs.extend,
  blobs.migrate,
  blobs.quote,
  names.namePublish,
  names.nameResolve,
  names.nameHistory,
  names.nameLock,
  db.dbCreate,
  db.dbInsert,
  db.dbFind,
  db.dbUpdate,
  db.dbDelete,
  db.dbIndex,
  db.dbCommit,
  db.dbHistory,
  vaults.vaultCreate,
  vaults.vaultStatus,
  vaults.vaultPut,
  vaults.vaultGet,
  vaults.vaultLs,
  vaults.vaultRm,
  vaults.vaultDb,
  vaults.vaultSnapshot,
  vaults.vaultRestore,
  vaults.vaultMigrate,
  vaults.vaultFreeze,
  vaults.vaultClose,
  operator.nodeInit,
  operator.nodeRegister,
  operator.nodeStake,
  operator.nodeStart,
  operator.nodeUnstake,
  operator.nodeWithdraw,
  operator.nodeClaim,
  network.devnet,
  network.deploy,
];

const overview = `strata: store and read blobs on Strata, run nodes, run a local network

Usage: strata COMMAND [options]     (strata COMMAND --help for its options)

${commands.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`).join("\n")}

${globalHelp}

Exit codes: 0 done; 1 failed; 2 bad usage; 3 not found; 4 refused (contract revert, funds,
nodes, upload not certified); 5 chain, indexer or nodes unreachable; 6 data failed verification;
130 interrupted.`;

async function main(argv: string[]): Promise<number> {
  const words = argv.filter((arg) => !arg.startsWith("-"));
  const command =
    commands.find((c) => c.name.includes(" ") && `${words[0]} ${words[1]}` === c.name) ??
    commands.find((c) => !c.name.includes(" ") && words[0] === c.name);
  if (!command) {
    if (argv.length === 0 || argv.includes("--help") || argv.includes("-h") || words[0] === "help") {
      process.stdout.write(`${overview}\n`);
      return argv.length === 0 ? ExitCode.usage : ExitCode.ok;
    }
    process.stderr.write(
      `strata: unknown command ${words.slice(0, 2).join(" ") || argv.join(" ")}\n\n${overview}\n`,
    );
    return ExitCode.usage;
  }
  const rest = [...argv];
  for (const word of command.name.split(" ")) rest.splice(rest.indexOf(word), 1);
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: { ...globalOptions, ...command.options },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    process.stderr.write(`strata ${command.name}: ${(error as Error).message}\n\n${command.help}\n`);
    return ExitCode.usage;
  }
  const values = parsed.values as Parameters<Command["run"]>[0]["values"];
  if (values.help) {
    process.stdout.write(`${command.summary}\n\n${command.help}\n\n${globalHelp}\n`);
    return ExitCode.ok;
  }
  if (parsed.positionals.length < (command.positionals ?? 0)) {
    process.stderr.write(`strata ${command.name}: missing argument\n\n${command.help}\n`);
    return ExitCode.usage;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort(new DOMException("interrupted", "AbortError"));
  };
  process.on("SIGINT", interrupt);
  process.on("SIGTERM", interrupt);
  try {
    await command.run({
      values,
      positionals: parsed.positionals,
      signal: controller.signal,
      print: (human, json) => process.stdout.write(`${values.json ? toJson(json) : human}\n`),
    });
    return controller.signal.aborted && command.name !== "devnet" ? ExitCode.interrupted : ExitCode.ok;
  } catch (error) {
    const code = controller.signal.aborted ? ExitCode.interrupted : exitCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    if (values.json) {
      process.stdout.write(
        `${toJson({ error: { code: (error as { code?: string }).code ?? "STRATA_ERR_FAILED", message } })}\n`,
      );
    }
    process.stderr.write(`strata ${command.name}: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${command.help}\n`);
    if (code === ExitCode.failed && process.env.STRATA_DEBUG)
      process.stderr.write(`${(error as Error).stack}\n`);
    return code;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}

process.exitCode = await main(process.argv.slice(2));
