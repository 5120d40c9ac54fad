import type { Ed25519PrivateKey } from "@libp2p/interface";
import type { Address } from "viem";
import { ipnsKeyFromSignature, ipnsKeyTypedData } from "../../protocol/index.ts";
import type { ChainSigner } from "../client/chain-signer.ts";
import type { ClientContext } from "../client/client-context.ts";

/** Keys already derived, per signer and name: a wallet is asked to sign once per name and session. */
const derived = new WeakMap<ChainSigner, Map<string, Promise<Ed25519PrivateKey>>>();

/**
 * The IPNS key of `owner`'s name `label`: the owner's wallet signs the IpnsKey typed data (bound to
 * the chain and registry), and the signature seeds an Ed25519 key. Nothing is stored on disk: a
 * wiped machine derives the same key again.
 */
export function nameKeyOf(
  ctx: Pick<ClientContext, "deployment">,
  signer: ChainSigner,
  owner: Address,
  label: string,
): Promise<Ed25519PrivateKey> {
  let keys = derived.get(signer);
  if (!keys) {
    keys = new Map();
    derived.set(signer, keys);
  }
  const cacheKey = `${ctx.deployment.chainId}:${ctx.deployment.contracts.names}:${owner}:${label}`;
  let key = keys.get(cacheKey);
  if (!key) {
    const { chainId, contracts } = ctx.deployment;
    key = signer
      .signTypedData(ipnsKeyTypedData(chainId, contracts.names, owner, label))
      .then(ipnsKeyFromSignature);
    key.catch(() => keys.delete(cacheKey));
    keys.set(cacheKey, key);
  }
  return key;
}
