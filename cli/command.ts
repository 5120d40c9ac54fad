import type { ParseArgsConfig } from "node:util";
import type { GlobalValues } from "./cli-context.ts";

export interface CommandContext {
  values: GlobalValues & Record<string, unknown>;
  positionals: string[];
  signal: AbortSignal;
  /** Prints the human line(s), or with --json the value. */
  print(human: string, json: unknown): void;
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
  run(context: CommandContext): Promise<void>;
}
