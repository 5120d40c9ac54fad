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
        uint256 width;
        uint256 leafLength;
        unchecked {
            width = (size + LEAF_SIZE - 1) / LEAF_SIZE;
            leafLength = index == width - 1 ? size - index * LEAF_SIZE : LEAF_SIZE;
        }
        assembly ("memory-safe") {
            // scratch beyond the free memory pointer: [prefix][left][right]. Each hash is written
            // straight into the half its next level reads it from: left at even positions, right
            // at odd ones.
            let ptr := mload(0x40)
            mstore8(ptr, 0x00)
            calldatacopy(add(ptr, 1), add(proof.offset, offset), leafLength)
            if iszero(staticcall(gas(), 0x02, ptr, add(leafLength, 1), add(ptr, add(1, shl(5, and(index, 1)))), 32)) {
                revert(0, 0)
            }
            mstore8(ptr, 0x01)
            let cursor := add(add(proof.offset, offset), leafLength)
            for {} gt(width, 1) {} {
                let odd := and(index, 1)
                let up := add(ptr, add(1, shl(5, and(shr(1, index), 1))))
                switch or(odd, lt(add(index, 1), width))
                case 0 {
                    // no sibling: the node is carried up, into the half the next level reads
                    mstore(up, mload(add(ptr, 1)))
                }
                default {
                    calldatacopy(add(ptr, add(1, shl(5, iszero(odd)))), cursor, 32)
                    cursor := add(cursor, 32)
                    if iszero(staticcall(gas(), 0x02, ptr, 65, up, 32)) { revert(0, 0) }
                }
                index := shr(1, index)
                width := shr(1, add(width, 1))
            }
            root := mload(add(ptr, 1))
            next := sub(cursor, proof.offset)
        }
    }

    /// @notice The cold commitment over shard commitments `roots`: a Merkle tree over them in
    /// order, padded with zero hashes to a power of two, inner nodes `sha256(0x01 || left || right)`.
    function shardsRoot(bytes32[] calldata roots) internal pure returns (bytes32) {
        uint256 width = 1;
        while (width < roots.length) width <<= 1;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < roots.length; ++i) {
            level[i] = roots[i];
        }
        while (width > 1) {
            width >>= 1;
            for (uint256 i = 0; i < width; ++i) {
                level[i] = sha256(abi.encodePacked(bytes1(0x01), level[2 * i], level[2 * i + 1]));
            }
        }
        return level[0];
    }
}
