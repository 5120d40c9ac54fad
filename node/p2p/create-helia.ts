import { withBitswap } from "@helia/bitswap";
import { type HeliaWithLibp2p, withLibp2pLight } from "@helia/libp2p";
import { loadOrCreateSelfKey } from "@libp2p/config";
import { identify } from "@libp2p/identify";
import { noise } from "@libp2p/noise";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr } from "@multiformats/multiaddr";
import { createHeliaLight } from "helia";
import type { Datastore } from "interface-datastore";
import type { Logger } from "../logger.ts";
import type { NodeStores } from "../storage/open-stores.ts";

export type NodeHelia = HeliaWithLibp2p<{ identify: ReturnType<ReturnType<typeof identify>> }>;

/**
 * Helia over the node's stores with a lean libp2p: TCP, noise, yamux and identify, and bitswap
 * to serve and fetch blocks. No transport that needs native binaries, no DHT, no relays: peers
 * are the other Strata nodes, found in the registry. The peer key lives in the datastore.
 */
export async function createNodeHelia(options: {
  stores: NodeStores;
  host: string;
  port: number;
  logger: Logger;
}): Promise<NodeHelia> {
  const { stores, host, port, logger } = options;
  const base = createHeliaLight({ blockstore: stores.blockstore, datastore: stores.datastore });
  const withNet = withLibp2pLight(base, {
    addresses: { listen: [`/ip4/${host}/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
    connectionManager: { maxConnections: 200 },
  });
  const helia = withBitswap(withNet) as unknown as NodeHelia;
  await helia.start();
  logger.info(
    { peer_id: helia.libp2p.peerId.toString(), listen: helia.libp2p.getMultiaddrs().map(String) },
    "libp2p started",
  );
  return helia;
}

/** Dials `addresses` (other nodes' libp2p listeners), logging those that do not answer. */
export async function connectPeers(
  helia: NodeHelia,
  addresses: string[],
  logger: Logger,
  signal?: AbortSignal,
) {
  await Promise.all(
    addresses.map(async (address) => {
      try {
        await helia.libp2p.dial(multiaddr(address), { signal });
      } catch (error) {
        logger.warn({ address, err: error }, "peer did not answer");
      }
    }),
  );
}

/** The libp2p peer id a node with this datastore has (created on first use). */
export async function peerIdOf(datastore: Datastore): Promise<string> {
  return peerIdFromPrivateKey(await loadOrCreateSelfKey(datastore)).toString();
}
