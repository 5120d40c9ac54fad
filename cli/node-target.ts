import type { Given, GlobalValues } from "./cli-context.ts";
import { CliError, ExitCode, UsageError } from "./cli-error.ts";
import { type NodeFile, readNodeFile, useNodeFile } from "./node-file.ts";
import { nodeIdArg } from "./option-values.ts";

/** The node an operator command acts on: `--config node.json` (its id, chain and deployment) or `--node-id N`. */
export interface NodeTarget {
  nodeId: number;
  node: NodeFile | undefined;
}

export const nodeTargetOptions = { config: { type: "string" }, "node-id": { type: "string" } } as const;

export const nodeTargetHelp = `  --config FILE     the node's node.json: its node id, chain and deployment (or --node-id N)`;

/** The node of `--config` (pointing the command at node.json's chain) or `--node-id`. */
export async function nodeTarget(
  values: GlobalValues & Record<string, unknown>,
  given: Given,
): Promise<NodeTarget> {
  if (values.config === undefined) {
    if (values["node-id"] === undefined)
      throw new UsageError("which node? pass --config node.json or --node-id N");
    return { nodeId: nodeIdArg(values["node-id"]), node: undefined };
  }
  const node = await readNodeFile(values.config as string);
  useNodeFile(values, given, node);
  if (values["node-id"] !== undefined && nodeIdArg(values["node-id"]) !== node.nodeId)
    throw new UsageError(
      `${node.path} is node ${node.nodeId}, not ${values["node-id"]}: pass one of --config and --node-id`,
    );
  if (node.nodeId === 0)
    throw new CliError(
      "STRATA_ERR_NOT_REGISTERED",
      ExitCode.usage,
      `${node.path} has no node id yet: register the node first (strata node register --config ${node.path} --key-file OPERATOR_KEY)`,
    );
  return { nodeId: node.nodeId, node };
}
