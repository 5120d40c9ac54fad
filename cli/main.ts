// The strata command line: dispatch, global options, one-line errors and exit codes (cli/strata.ts runs it).
import { parseArgs } from "node:util";
import { globalHelp, globalOptions, resolveGlobals, toJson } from "./cli-context.ts";
import { ExitCode, errorLine, exitCodeOf, UsageError } from "./cli-error.ts";
import type { Command } from "./command.ts";
import * as blobs from "./commands/blob-commands.ts";
import { consoleCommand } from "./commands/console-command.ts";
import * as db from "./commands/db-commands.ts";
import { deploy } from "./commands/deploy-command.ts";
import * as market from "./commands/market-commands.ts";
import * as names from "./commands/name-commands.ts";
import * as network from "./commands/network-commands.ts";
import * as operator from "./commands/node-commands.ts";
import { nodeStatus } from "./commands/node-status-command.ts";
import * as services from "./commands/service-commands.ts";
import * as staking from "./commands/stake-commands.ts";
import * as tokens from "./commands/token-commands.ts";
import * as vaults from "./commands/vault-commands.ts";

/** Commands that run until Ctrl-C: stopping them so is their normal end (exit 0). */
const RUN_UNTIL_STOPPED = new Set(["devnet", "console"]);

const commands: Command[] = [
  blobs.upload,
  blobs.get,
  blobs.ls,
  blobs.status,
  blobs.rm_,
  blobs.extend,
  blobs.migrate,
  blobs.quote,
  market.settle,
  market.reclaim,
  tokens.faucet,
  tokens.balance,
  tokens.transfer,
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
  operator.nodeUpdate,
  staking.nodeStake,
  nodeStatus,
  services.nodeStart,
  staking.nodeUnstake,
  staking.nodeWithdraw,
  staking.nodeClaim,
  services.indexerStart,
  network.devnet,
  consoleCommand,
  deploy,
];

const overview = `strata: store and read blobs on Strata, run nodes and indexers, deploy, run a local network

Usage: strata COMMAND [options]     (strata COMMAND --help for its options)

${commands.map((c) => `  ${c.name.padEnd(15)} ${c.summary}`).join("\n")}

Token amounts are decimal token amounts everywhere (--amount 200, --price 0.001), never base units.

${globalHelp}

Exit codes: 0 done; 1 failed; 2 bad usage or configuration (no deployment file, the wrong chain,
node.json); 3 not found; 4 refused (contract revert, funds, gas, nodes, upload not certified);
5 chain, indexer or nodes unreachable; 6 data failed verification; 130 interrupted.`;

/** Runs one `strata` command line; resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
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
  const given = await resolveGlobals(values);
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(ExitCode.interrupted);
    controller.abort(new DOMException("interrupted", "AbortError"));
  };
  // a service command's service stops on these signals itself
  if (!command.service) {
    process.on("SIGINT", interrupt);
    process.on("SIGTERM", interrupt);
  }
  try {
    await command.run({
      values,
      given,
      positionals: parsed.positionals,
      signal: controller.signal,
      print: (human, json) => process.stdout.write(`${values.json ? toJson(json) : human}\n`),
      warn: (message) => process.stderr.write(`strata ${command.name}: warning: ${message}\n`),
    });
    return controller.signal.aborted && !RUN_UNTIL_STOPPED.has(command.name)
      ? ExitCode.interrupted
      : ExitCode.ok;
  } catch (error) {
    const code = controller.signal.aborted ? ExitCode.interrupted : exitCodeOf(error);
    const message = errorLine(error, { rpcUrl: values["rpc-url"], indexerUrl: values.indexer });
    if (values.json) {
      process.stdout.write(
        `${toJson({ error: { code: (error as { code?: string }).code ?? "STRATA_ERR_FAILED", message } })}\n`,
      );
    }
    process.stderr.write(`strata ${command.name}: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${command.help}\n`);
    if (process.env.STRATA_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
    return code;
  } finally {
    process.off("SIGINT", interrupt);
    process.off("SIGTERM", interrupt);
  }
}
