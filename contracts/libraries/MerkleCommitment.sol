// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title MerkleCommitment
/// @notice Checks proofs against Strata's blob commitment (docs/protocol.md): the blob is cut
/// into 256-byte leaves (the last one may be shorter), each hashed as `sha256(0x00 || leaf)`;
/// inner nodes are `sha256(0x01 || left || right)`; at a level of odd width the last node is
/// carried up unchanged. The TypeScript twin is protocol/commitment/verify-proof.ts.
library MerkleCommitment {
    /// @notice Bytes per leaf.
    uint256 internal constant LEAF_SIZE = 256;

    /// @notice Number of leaves of a blob of `size` bytes (size > 0).
    function leafCount(uint256 size) internal pure returns (uint256) {
        return (size + LEAF_SIZE - 1) / LEAF_SIZE;
    }

    /// @notice Bytes a proof of leaf `index` of a blob of `size` bytes occupies.
    function proofLength(uint256 size, uint256 index) internal pure returns (uint256 length) {
        uint256 width = leafCount(size);
        length = index == width - 1 ? size - index * LEAF_SIZE : LEAF_SIZE;
        while (width > 1) {
            if (index & 1 == 1 || index + 1 < width) length += 32;
            index >>= 1;
            width = (width + 1) >> 1;
        }
    }

    /// @notice Recomputes the root from the proof of leaf `index` that starts at `offset` in
    /// `proof` (leaf bytes, then sibling hashes bottom-up) and returns it with the offset just
    /// past the proof. Reading past the end of `proof` yields zeros; callers compare the final
    /// offset with `proof.length`.
    function rootAt(bytes calldata proof, uint256 offset, uint256 size, uint256 index)
        internal
        view
        returns (bytes32 root, uint256 next)
    {
        uint256 width = leafCount(size);
        uint256 leafLength = index == width - 1 ? size - index * LEAF_SIZE : LEAF_SIZE;
        root = _hashLeaf(proof, offset, leafLength);
        next = offset + leafLength;
        while (width > 1) {
            if (index & 1 == 1) {
                root = _hashNode(_word(proof, next), root);
                next += 32;
            } else if (index + 1 < width) {
                root = _hashNode(root, _word(proof, next));
                next += 32;
            }
            index >>= 1;
            width = (width + 1) >> 1;
        }
    }

    function _word(bytes calldata proof, uint256 offset) private pure returns (bytes32 word) {
        assembly ("memory-safe") {
            word := calldataload(add(proof.offset, offset))
        }
    }

    /// @dev sha256(0x00 || proof[offset:offset+length]) through the precompile, in scratch memory.
    function _hashLeaf(bytes calldata proof, uint256 offset, uint256 length) private view returns (bytes32 digest) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore8(ptr, 0x00)
            calldatacopy(add(ptr, 1), add(proof.offset, offset), length)
            if iszero(staticcall(gas(), 0x02, ptr, add(length, 1), 0x00, 0x20)) { revert(0, 0) }
            digest := mload(0x00)
        }
    }

    /// @dev sha256(0x01 || left || right).
    function _hashNode(bytes32 left, bytes32 right) private view returns (bytes32 digest) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore8(ptr, 0x01)
            mstore(add(ptr, 1), left)
            mstore(add(ptr, 33), right)
            if iszero(staticcall(gas(), 0x02, ptr, 65, 0x00, 0x20)) { revert(0, 0) }
            digest := mload(0x00)
        }
    }
}
