import { createPublicClient, type Hex, hexToBigInt, hexToNumber, http, type PublicClient } from "viem";
import type { RawLog } from "./event-decoder.ts";

export interface BlockHeader {
  number: bigint;
  hash: Hex;
  parentHash: Hex;
  timestamp: number;
}

interface RpcBlock {
  number: Hex;
  hash: Hex;
  parentHash: Hex;
  timestamp: Hex;
}

interface RpcLog {
  address: Hex;
  topics: Hex[];
  data: Hex;
  blockNumber: Hex | null;
  blockHash: Hex | null;
  transactionHash: Hex | null;
  logIndex: Hex | null;
  removed?: boolean;
}

/**
 * The three JSON-RPC calls the indexer makes (head, headers, logs), raw: logs are decoded once,
 * by the indexer, not formatted by the client first. Each call has a timeout and no retries of
 * its own; the syncer decides what a failure means.
 */
export class ChainReader {
  readonly #client: PublicClient;

  constructor(rpcUrl: string, options: { timeoutMs?: number } = {}) {
    this.#client = createPublicClient({
      transport: http(rpcUrl, { retryCount: 0, timeout: options.timeoutMs ?? 30_000 }),
    });
  }

  async head(): Promise<bigint> {
    return hexToBigInt(await this.#client.request({ method: "eth_blockNumber" }));
  }

  async chainId(): Promise<number> {
    return hexToNumber(await this.#client.request({ method: "eth_chainId" }));
  }

  /** The header of block `number`, or undefined when the chain does not have it (yet). */
  async header(number: bigint): Promise<BlockHeader | undefined> {
    const block = (await this.#client.request({
      method: "eth_getBlockByNumber",
      params: [`0x${number.toString(16)}`, false],
    })) as RpcBlock | null;
    if (!block) return undefined;
    return {
      number: hexToBigInt(block.number),
      hash: block.hash,
      parentHash: block.parentHash,
      timestamp: hexToNumber(block.timestamp),
    };
  }

  /** Logs of `addresses` in blocks `[from, to]`, in chain order. */
  async logs(addresses: readonly Hex[], from: bigint, to: bigint): Promise<RawLog[]> {
    const logs = (await this.#client.request({
      method: "eth_getLogs",
      params: [
        { address: [...addresses], fromBlock: `0x${from.toString(16)}`, toBlock: `0x${to.toString(16)}` },
      ],
    })) as RpcLog[];
    const out: RawLog[] = [];
    for (const log of logs) {
      if (log.removed) continue;
      out.push({
        address: log.address,
        topics: log.topics,
        data: log.data,
        blockNumber: log.blockNumber === null ? null : hexToBigInt(log.blockNumber),
        blockHash: log.blockHash,
        transactionHash: log.transactionHash,
        logIndex: log.logIndex === null ? null : hexToNumber(log.logIndex),
      });
    }
    return out;
  }
}
