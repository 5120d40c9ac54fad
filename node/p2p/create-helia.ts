import { withBitswap } from "@helia/bitswap";
import type { Helia as HeliaInterface } from "@helia/interface";
import type { HeliaWithLibp2p } from "@helia/libp2p";
import { loadOrCreateSelfKey } from "@libp2p/config";
import { identify } from "@libp2p/identify";
import { noise } from "@libp2p/noise";
import { peerIdFromPrivateKey } from "@libp2p/peer-id";
import { tcp } from "@libp2p/tcp";
import { yamux } from "@libp2p/yamux";
import { multiaddr } from "@multiformats/multiaddr";
import type { Datastore } from "interface-datastore";
import { createLibp2p } from "libp2p";
import type { Logger } from "../../service/logger.ts";
import type { NodeStores } from "../storage/open-stores.ts";

export type NodeHelia = HeliaWithLibp2p<{ identify: ReturnType<ReturnType<typeof identify>> }>;

// The entry modules of `helia` and `@helia/libp2p` import, eagerly, everything their default
// configurations might use (WebRTC, WebSockets, relays, AutoTLS, the DHT, delegated routing):
// about 85 MiB of resident memory a storage node never needs. The Helia class and the libp2p
// router are taken from their own modules instead.
const { Helia } = (await import(new URL("./helia.js", import.meta.resolve("helia")).href)) as {
  Helia: new (init: {
    name: string;
    version: string;
    blockstore: NodeStores["blockstore"];
    datastore: Datastore;
  }) => HeliaInterface & { addRouter(router: unknown): void; addMixin(mixin: unknown): void };
};
const { libp2pRouting } = (await import(
  new URL("./routing.js", import.meta.resolve("@helia/libp2p")).href
)) as {
  libp2pRouting(libp2p: unknown): unknown;
};

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
  const helia = new Helia({
    name: "strata-node",
    version: "1",
    blockstore: stores.blockstore,
    datastore: stores.datastore,
  });
  const libp2p = await createLibp2p({
    privateKey: await loadOrCreateSelfKey(stores.datastore),
    datastore: stores.datastore,
    addresses: { listen: [`/ip4/${host}/tcp/${port}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: { identify: identify() },
    connectionManager: { maxConnections: 200 },
    nodeInfo: { name: "strata-node", version: "1", userAgent: "strata-node/1" },
    start: false,
  });
  Object.defineProperty(helia, "libp2p", { value: libp2p, enumerable: true });
  helia.addRouter(libp2pRouting(libp2p));
  helia.addMixin({ name: "libp2p", start: () => libp2p.start(), stop: () => libp2p.stop() });
  const withNet = withBitswap(helia as unknown as NodeHelia);
  await withNet.start();
  logger.info(
    { peer_id: libp2p.peerId.toString(), listen: libp2p.getMultiaddrs().map(String) },
    "libp2p started",
  );
  return withNet;
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
        await helia.libp2p.dial(multiaddr(address), signal ? { signal } : {});
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
