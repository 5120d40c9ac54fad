import { type Hex, parseSignature, signatureToCompactSignature } from "viem";
import { attestationArg, attestationTypedData } from "#protocol";
import type { ChainClient } from "./chain-client.ts";
import type { Registration } from "./registrations.ts";

export interface SignedAttestation {
  holder: number;
  expiry: string;
  r: Hex;
  vs: Hex;
  signature: Hex;
}

/** How long an attestation stays valid: long enough for an uploader to gather them and certify. */
const ATTESTATION_SECONDS = 3600;

/**
 * Enrolls a stored blob in the node's proof set (the market counts an attestation only then)
 * and signs the EIP-712 attestation with the node's signing key.
 */
export async function attest(
  chain: ChainClient,
  registration: Registration,
  holder: number,
  options: { signal?: AbortSignal } = {},
): Promise<SignedAttestation> {
  const { nodeId, deployment } = chain;
  const enrolled = await chain.read(() => chain.proofs.read.isEnrolled([nodeId, registration.blobId]));
  if (!enrolled) {
    await chain.send(
      "enroll",
      async () => {
        const args = [nodeId, [registration.blobId], [holder]] as const;
        const gas = await chain.gasFor((o) => chain.proofs.estimateGas.enroll(args, o));
        return chain.proofs.write.enroll(args, { gas });
      },
      options,
    );
  }
  const now = Number((await chain.publicClient.getBlock()).timestamp);
  const expiry = BigInt(now + ATTESTATION_SECONDS);
  const signature = await chain.account.signTypedData(
    attestationTypedData(deployment.chainId, deployment.contracts.market, {
      blobId: registration.blobId,
      commitment: registration.commitment,
      size: BigInt(registration.size),
      nodeId,
      expiry,
    }),
  );
  const { r, yParityAndS } = signatureToCompactSignature(parseSignature(signature));
  return { holder, expiry: expiry.toString(), r, vs: yParityAndS, signature };
}

/**
 * Submits attestations as nodes answered them (`SignedAttestation`), with every shard
 * commitment of the cold blob: `certifyShards`. Resolves with the receipt.
 */
export function certifyShards(
  chain: ChainClient,
  blobId: Hex,
  attestations: readonly Pick<SignedAttestation, "holder" | "expiry" | "r" | "vs">[],
  shardRoots: readonly Hex[],
  options: { signal?: AbortSignal } = {},
) {
  const args = [blobId, attestations.map(attestationArg), shardRoots] as const;
  return chain.send(
    "certifyShards",
    async () => {
      const gas = await chain.gasFor((o) => chain.market.estimateGas.certifyShards(args, o));
      return chain.market.write.certifyShards(args, { gas });
    },
    options,
  );
}

/** Submits attestations of a hot blob (`certify`): a replacement holder's own. Resolves with the receipt. */
export function certifyReplica(
  chain: ChainClient,
  blobId: Hex,
  attestations: readonly Pick<SignedAttestation, "holder" | "expiry" | "r" | "vs">[],
  options: { signal?: AbortSignal } = {},
) {
  const args = [blobId, attestations.map(attestationArg)] as const;
  return chain.send(
    "certify",
    async () => {
      const gas = await chain.gasFor((o) => chain.market.estimateGas.certify(args, o));
      return chain.market.write.certify(args, { gas });
    },
    options,
  );
}
