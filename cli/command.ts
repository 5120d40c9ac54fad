import type { ParseArgsConfig } from "node:util";
import type { Given, GlobalValues } from "./cli-context.ts";

export interface CommandContext {
  values: GlobalValues & Record<string, unknown>;
  /** Which of `--rpc-url` and `--deployment` were typed (node commands refuse ones node.json contradicts). */
  given: Given;
  positionals: string[];
  signal: AbortSignal;
  /** Prints the human line(s), or with --json the value. */
  print(human: string, json: unknown): void;
  /** A warning on stderr (`strata COMMAND: warning: …`), before a trap the command cannot rule out. */
  warn(message: string): void;
}

export interface Command {
  /** As typed: "upload", "node init". */
  name: string;
  summary: string;
  /** Usage line and the command's own options. */
  help: string;
  options: NonNullable<ParseArgsConfig["options"]>;
  /** Positional arguments required. */
  positionals?: number;
  /**
   * Runs a service in this process (`node start`, `indexer start`): the service handles SIGINT and
   * SIGTERM itself and ends the process with its own exit code.
   */
  service?: boolean;
  run(context: CommandContext): Promise<void>;
}
