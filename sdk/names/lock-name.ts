import type { Hex } from "viem";
import { nameIdOf, nameRegistryAbi } from "../../protocol/index.ts";
import { type ActionOptions, type ClientContext, sendOptionsOf, signing } from "../client/client-context.ts";
import { sendCall } from "../client/contract-calls.ts";

export interface LockNameParameters extends ActionOptions {
  label: string;
}

export interface LockNameReturnType {
  nameId: Hex;
  hash: Hex;
}

/** Locks the signer's name `label` forever at its current value (the contract refuses any update after). */
export async function lockName(ctx: ClientContext, params: LockNameParameters): Promise<LockNameReturnType> {
  const signed = signing(ctx);
  const owner = await signed.signer.address();
  const { hash } = await sendCall(
    ctx.publicClient,
    signed.signer,
    {
      address: ctx.deployment.contracts.names,
      abi: nameRegistryAbi,
      functionName: "lock",
      args: [params.label],
    },
    sendOptionsOf(ctx, params.signal),
  );
  return { nameId: nameIdOf(owner, params.label), hash };
}
