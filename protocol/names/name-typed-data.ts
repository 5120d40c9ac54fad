import { type Address, encodeAbiParameters, type Hex, keccak256, toBytes } from "viem";

/** EIP-712 domain of a NameRegistry deployment: a signature is bound to its chain and contract. */
export function registryDomain(chainId: number, registry: Address) {
  return { name: "Strata NameRegistry", version: "1", chainId, verifyingContract: registry } as const;
}

/** One update of a name, as the chain takes it (`INameRegistry.Update`). */
export interface NameUpdate {
  /** ENSIP-7 contenthash of the target. */
  value: Hex;
  sequence: bigint;
  /** Unix seconds after which the value must not be used. */
  validity: bigint;
  /** Seconds a resolver may cache the value. */
  ttl: number;
  /** The libp2p public key (protobuf) the update is mirrored under as IPNS. */
  ipnsKey: Hex;
}

/** `keccak256(abi.encode(owner, keccak256(label)))`: a name's id, namespaced by its owner. */
export function nameIdOf(owner: Address, label: string): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "address" }, { type: "bytes32" }], [owner, keccak256(toBytes(label))]),
  );
}

/** What the registry keeps of an update's bytes: `keccak256(abi.encode(value, ipnsKey))`. */
export function updateHashOf(update: Pick<NameUpdate, "value" | "ipnsKey">): Hex {
  return keccak256(
    encodeAbiParameters([{ type: "bytes" }, { type: "bytes" }], [update.value, update.ipnsKey]),
  );
}

/** EIP-712 types of a relayed update (the contract's PUBLISH_TYPEHASH). */
export const publishTypes = {
  Publish: [
    { name: "owner", type: "address" },
    { name: "label", type: "string" },
    { name: "value", type: "bytes" },
    { name: "sequence", type: "uint64" },
    { name: "validity", type: "uint64" },
    { name: "ttl", type: "uint32" },
    { name: "ipnsKey", type: "bytes" },
  ],
} as const;

/** Typed data an owner signs so that anyone may relay `update` of its name `label`. */
export function publishTypedData(
  chainId: number,
  registry: Address,
  owner: Address,
  label: string,
  update: NameUpdate,
) {
  return {
    domain: registryDomain(chainId, registry),
    types: publishTypes,
    primaryType: "Publish",
    message: { owner, label, ...update },
  } as const;
}

/**
 * EIP-712 types of the message whose signature seeds a name's IPNS key (see ipns-key.ts). Never
 * sent to the chain: the signature is a secret, and signing it again gives the key back.
 */
export const ipnsKeyTypes = {
  IpnsKey: [
    { name: "owner", type: "address" },
    { name: "label", type: "string" },
    { name: "purpose", type: "string" },
  ],
} as const;

/** What an owner's wallet is asked to sign to (re-)derive the IPNS key of its name `label`. */
export function ipnsKeyTypedData(chainId: number, registry: Address, owner: Address, label: string) {
  return {
    domain: registryDomain(chainId, registry),
    types: ipnsKeyTypes,
    primaryType: "IpnsKey",
    message: {
      owner,
      label,
      purpose: "Derive the IPNS key of this Strata name. Sign only in an app you trust with this name.",
    },
  } as const;
}
