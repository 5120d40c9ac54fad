export { StripeCodec } from "./codec.ts";
export { coldCommitmentOfStream } from "./cold-commitment.ts";
export {
  type ColdLayout,
  coldLayout,
  coldLayoutForFaults,
  MAX_SHARD_NODES,
  primaryPart,
  STRIPE_TARGET,
  SYMBOL_ALIGN,
  triangleRowOffset,
} from "./cold-layout.ts";
export { generator, gfInv, gfMul, invert, matMulJs } from "./gf256.ts";
export { erasureKernel, matMul } from "./native.ts";
export { ShardFanout } from "./shard-fanout.ts";
export { shardsRoot } from "./shard-roots.ts";
export { encodeShards, encodeWhole, stripesOf } from "./stripes.ts";
