export { CommitmentBuilder, commitmentOf, commitmentOfStream } from "./commitment-builder.ts";
export { LEAF_PREFIX, LEAF_SIZE, leafCount, leafLength, NODE_PREFIX } from "./constants.ts";
export {
  GROUP_BYTES,
  GROUP_LEAVES,
  GROUP_LEVEL,
  type GroupedCommitment,
  GroupedCommitmentBuilder,
  hashGroup,
  proofFromGroup,
  rootOfGroups,
} from "./groups.ts";
export { hashLeaf, hashLeaves, hashLeavesJs, hashLevel, hashLevelJs, hashNode, treeRoot } from "./hashing.ts";
export { concat, MerkleTree, siblingsOf } from "./merkle-tree.ts";
export { nativeMerkle } from "./native.ts";
export { sha256Ready } from "./sha256.ts";
export { proofLength, rootFromProof, verifyProof, verifyProofs } from "./verify-proof.ts";
