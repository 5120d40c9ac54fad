import {
  type Abi,
  type AbiEvent,
  type AbiParameter,
  type Address,
  decodeAbiParameters,
  getAddress,
  type Hex,
  toEventSelector,
} from "viem";
import {
  type Deployment,
  nameRegistryAbi,
  nodeRegistryAbi,
  proofSystemAbi,
  storageMarketAbi,
  strataTokenAbi,
  vaultRegistryAbi,
} from "#protocol";

export type ContractName = "token" | "registry" | "market" | "proofs" | "names" | "vaults";

/** What eth_getLogs returns for one log (the fields the indexer reads). */
export interface RawLog {
  address: Address;
  topics: readonly Hex[];
  data: Hex;
  blockNumber: bigint | null;
  blockHash: Hex | null;
  transactionHash: Hex | null;
  logIndex: number | null;
}

/** A decoded log, its arguments JSON-safe (see jsonSafe). */
export interface DecodedEvent {
  contract: ContractName;
  address: Address;
  name: string;
  args: Record<string, unknown>;
  nodeId: number | null;
  blobId: Hex | null;
  nameId: Hex | null;
  vaultId: number | null;
  blockNumber: bigint;
  blockHash: Hex;
  txHash: Hex;
  logIndex: number;
}

/**
 * Decodes the logs of the six Strata contracts with their ABIs (every event they can emit,
 * OpenZeppelin's included), looked up by address and topic.
 */
export class EventDecoder {
  readonly #byAddress = new Map<
    string,
    { contract: ContractName; address: Address; events: Map<Hex, EventShape[]> }
  >();
  readonly addresses: Address[];

  constructor(deployment: Deployment) {
    const { contracts } = deployment;
    const entries: [ContractName, Address, Abi][] = [
      ["token", contracts.token, strataTokenAbi as Abi],
      ["registry", contracts.registry, nodeRegistryAbi as Abi],
      ["market", contracts.market, storageMarketAbi as Abi],
      ["proofs", contracts.proofSystem, proofSystemAbi as Abi],
      ["names", contracts.names, nameRegistryAbi as Abi],
      ["vaults", contracts.vaults, vaultRegistryAbi as Abi],
    ];
    for (const [contract, address, abi] of entries) {
      const events = new Map<Hex, EventShape[]>();
      for (const item of abi) {
        if (item.type !== "event") continue;
        const selector = toEventSelector(item);
        events.set(selector, [...(events.get(selector) ?? []), shapeOf(item)]);
      }
      this.#byAddress.set(address.toLowerCase(), { contract, address: getAddress(address), events });
    }
    this.addresses = entries.map(([, address]) => address);
  }

  /** The decoded event, or undefined for a log no Strata ABI describes. */
  decode(log: RawLog): DecodedEvent | undefined {
    const known = this.#byAddress.get(log.address.toLowerCase());
    const selector = log.topics[0];
    if (!known || !selector) return undefined;
    const candidates = known.events.get(selector);
    if (!candidates) return undefined;
    if (
      log.blockNumber === null ||
      log.blockHash === null ||
      log.transactionHash === null ||
      log.logIndex === null
    ) {
      return undefined; // a pending log: never indexed
    }
    for (const event of candidates) {
      if (log.topics.length !== event.indexed.length + 1) continue;
      try {
        const args: Record<string, unknown> = {};
        event.indexed.forEach((input, i) => {
          const topic = log.topics[i + 1] as Hex;
          // an indexed string, bytes, array or struct is only its hash
          args[input.name as string] = DYNAMIC.test(input.type)
            ? topic
            : jsonSafe(decodeAbiParameters([input], topic)[0]);
        });
        if (event.data.length > 0) {
          const values = decodeAbiParameters(event.data, log.data);
          event.data.forEach((input, i) => {
            args[input.name as string] = jsonSafe(values[i]);
          });
        }
        return {
          contract: known.contract,
          address: known.address,
          name: event.name,
          args,
          nodeId: typeof args.nodeId === "number" ? args.nodeId : null,
          blobId: typeof args.blobId === "string" ? (args.blobId as Hex) : null,
          nameId: typeof args.nameId === "string" ? (args.nameId as Hex) : null,
          // a uint64 id decodes as decimal text (jsonSafe); vault ids stay far below 2^53
          vaultId: known.contract === "vaults" && args.vaultId !== undefined ? Number(args.vaultId) : null,
          blockNumber: log.blockNumber,
          blockHash: log.blockHash,
          txHash: log.transactionHash,
          logIndex: log.logIndex,
        };
      } catch {
        // an event with the same selector but other indexed fields: try the next
      }
    }
    return undefined;
  }
}

/** An event's inputs, split once into the topics and the data. */
interface EventShape {
  name: string;
  indexed: AbiParameter[];
  data: AbiParameter[];
}

const DYNAMIC = /^(string|bytes|tuple)$|\[/;

function shapeOf(event: AbiEvent): EventShape {
  return {
    name: event.name,
    indexed: event.inputs.filter((input) => input.indexed),
    data: event.inputs.filter((input) => !input.indexed),
  };
}

/**
 * The arguments as JSON: integers of 48 bits or fewer stay numbers (viem decodes them so), wider
 * ones become decimal strings, whatever their value; arrays and structs are kept.
 */
export function jsonSafe(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonSafe);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, jsonSafe(item)]));
  }
  return value;
}
