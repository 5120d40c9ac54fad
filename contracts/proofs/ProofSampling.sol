// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Blockhash} from "@openzeppelin/contracts/utils/Blockhash.sol";
import {IMarketHooks} from "../interfaces/IMarketHooks.sol";
import {MerkleCommitment} from "../libraries/MerkleCommitment.sol";
import {BlobId, NodeId} from "../interfaces/StrataTypes.sol";
import {ProofSetBook} from "./ProofSetBook.sol";

/// @title ProofSampling
/// @notice A period's samples and their verification: the seed of a period is the hash of a
/// block committed during it; each sample draws an entry of the node's set as it stood when the
/// period started, and a leaf of that entry's blob (or shard), redrawing past entries the market
/// no longer challenges; a proof is the Merkle paths of the drawn leaves, in order.
abstract contract ProofSampling is ProofSetBook {
    /// @dev Draws per sample before a sample that keeps landing on dead entries is void.
    uint256 private constant MAX_ATTEMPTS = 16;

    /// @dev What drawing a period's samples for a node depends on.
    struct Draw {
        NodeId nodeId;
        uint32 period;
        bytes32 seed;
        uint256 length;
    }

    /// @dev The market whose blobs the samples are drawn from.
    function _marketHooks() internal view virtual returns (IMarketHooks);

    /// @dev Leaves sampled per node per period.
    function _sampleCount() internal view virtual returns (uint8);

    /// @dev Checks `proof` against the node's samples of `period` over the first `length` entries
    /// of its set; returns how many samples it proved (void samples are not counted).
    function _verify(NodeId nodeId, uint32 period, bytes32 seed, uint256 length, bytes calldata proof)
        internal
        view
        returns (uint256 verified)
    {
        Draw memory draw = Draw(nodeId, period, seed, length);
        uint256[] storage set = _setOf(nodeId);
        uint256 offset = 0;
        for (uint256 i = 0; i < _sampleCount(); ++i) {
            bool counted;
            (offset, counted) = _verifySample(draw, set, i, proof, offset);
            if (counted) ++verified;
        }
        if (offset != proof.length) revert ProofsMalformedProof(nodeId, offset, proof.length);
    }

    /// @dev Draws sample `sample` and checks its proof at `offset`; a void sample consumes nothing.
    function _verifySample(
        Draw memory draw,
        uint256[] storage set,
        uint256 sample,
        bytes calldata proof,
        uint256 offset
    )
        private
        view
        returns (uint256 next, bool counted)
    {
        for (uint256 attempt = 0; attempt < MAX_ATTEMPTS; ++attempt) {
            uint256 value = _draw(draw.seed, draw.nodeId, sample, attempt);
            (bool live, Challenge memory target) = _resolve(set[value % draw.length], value, draw.period);
            if (live) return (_check(draw.nodeId, sample, target, proof, offset), true);
        }
        return (offset, false);
    }

    /// @dev The samples of the current period over `set` (the snapshot the period samples).
    function _sampleSet(NodeId nodeId, uint32 period, bytes32 seed, uint256[] memory set)
        internal
        view
        returns (Challenge[] memory list)
    {
        list = new Challenge[](_sampleCount());
        uint256 count = 0;
        for (uint256 i = 0; i < _sampleCount(); ++i) {
            for (uint256 attempt = 0; attempt < MAX_ATTEMPTS; ++attempt) {
                uint256 draw = _draw(seed, nodeId, i, attempt);
                (bool live, Challenge memory target) = _resolve(set[draw % set.length], draw, period);
                if (!live) continue;
                list[count++] = target;
                break;
            }
        }
        assembly ("memory-safe") {
            mstore(list, count)
        }
    }

    /// @dev Checks the proof of `target` at `offset`; returns the offset just past it.
    function _check(NodeId nodeId, uint256 sample, Challenge memory target, bytes calldata proof, uint256 offset)
        private
        view
        returns (uint256 next)
    {
        bytes32 computed;
        (computed, next) = MerkleCommitment.rootAt(proof, offset, target.size, target.leafIndex);
        if (next > proof.length) revert ProofsMalformedProof(nodeId, next, proof.length);
        if (computed != target.root) revert ProofsInvalidProof(nodeId, sample, target.blobId, target.leafIndex);
    }

    /// @dev The leaf `draw` picks in the entry's blob, if the node is to prove it in `period`.
    function _resolve(uint256 entry, uint256 draw, uint32 period)
        private
        view
        returns (bool live, Challenge memory target)
    {
        (BlobId blobId, uint8 holder) = _unpack(entry);
        bytes32 root;
        uint64 size;
        (live, root, size) = _marketHooks().challengeTarget(blobId, holder, period);
        if (live) {
            target = Challenge(blobId, uint64((draw >> 128) % MerkleCommitment.leafCount(size)), size, root);
        }
    }

    /// @dev `uint256(keccak256(abi.encode(seed, nodeId, sample, attempt)))`, hashed in scratch memory.
    function _draw(bytes32 seed, NodeId nodeId, uint256 sample, uint256 attempt) private pure returns (uint256 draw) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, seed)
            mstore(add(ptr, 0x20), and(nodeId, 0xffffffff))
            mstore(add(ptr, 0x40), sample)
            mstore(add(ptr, 0x60), attempt)
            draw := keccak256(ptr, 0x80)
        }
    }

    /// @dev The seed of `period`: the hash of its committed block, zero until that block is
    /// mined or once it is older than the chain keeps hashes for.
    function _seedFrom(uint64 blockNumber, uint32 period) internal view returns (bytes32) {
        if (blockNumber == 0 || blockNumber >= block.number) return 0;
        bytes32 hash = Blockhash.blockHash(blockNumber);
        return hash == 0 ? bytes32(0) : keccak256(abi.encode(hash, period));
    }
}
