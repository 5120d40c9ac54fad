// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlobId, NodeId} from "./StrataTypes.sol";

/// @title IProofSystem
/// @notice Proofs of storage. Time is cut into proving periods; each period has a seed fixed by a
/// block that did not exist when the seed was committed. From the seed, each node holding blobs
/// gets `samplesPerProof` (blob, leaf) samples over its proof set and answers them all in one
/// transaction of Merkle proofs. A node that misses a period is reported, warned and slashed, and
/// after `missesToDrop` misses in a row dropped from its blobs.
interface IProofSystem {
    /// @notice One challenged leaf.
    struct Challenge {
        BlobId blobId;
        uint64 leafIndex;
        uint64 size;
        bytes32 root;
    }

    /// @dev `account` is neither the operator nor the signing key of `nodeId`.
    error ProofsNotNodeAccount(NodeId nodeId, address account);
    /// @dev `nodeId` was dropped for missing proofs.
    error ProofsNodeDropped(NodeId nodeId);
    /// @dev `nodeId` is not holder `holder` of `blobId`, or the blob cannot be enrolled.
    error ProofsCannotEnroll(NodeId nodeId, BlobId blobId);
    /// @dev `blobId` is already in the proof set of `nodeId`.
    error ProofsAlreadyEnrolled(NodeId nodeId, BlobId blobId);
    /// @dev `blobId` is not in the proof set of `nodeId` (or is already being pruned).
    error ProofsNotEnrolled(NodeId nodeId, BlobId blobId);
    /// @dev `blobId` is still live for `nodeId`; it cannot be pruned.
    error ProofsBlobLive(NodeId nodeId, BlobId blobId);
    /// @dev The seed of `period` is not known: not committed, its block not mined yet, or its hash
    /// no longer available (older than the chain keeps, 256 blocks or 8191 with EIP-2935).
    error ProofsSeedUnavailable(uint32 period);
    /// @dev `nodeId` had nothing to prove in `period`.
    error ProofsNotChallenged(NodeId nodeId, uint32 period);
    /// @dev `nodeId` already proved `period`.
    error ProofsAlreadyProven(NodeId nodeId, uint32 period);
    /// @dev The Merkle proof of sample `sample` (leaf `leafIndex` of `blobId`) does not match.
    error ProofsInvalidProof(NodeId nodeId, uint256 sample, BlobId blobId, uint64 leafIndex);
    /// @dev The proof is shorter or longer than its samples need.
    error ProofsMalformedProof(NodeId nodeId, uint256 expectedLength, uint256 length);
    /// @dev Array arguments differ in length.
    error ProofsLengthMismatch();
    /// @dev `period` can only be reported during the period right after it.
    error ProofsReportWindowClosed(uint32 period, uint32 currentPeriod);
    /// @dev `nodeId` proved `period`; there is nothing to report.
    error ProofsPeriodProven(NodeId nodeId, uint32 period);
    /// @dev The miss of `nodeId` in `period` was already reported.
    error ProofsAlreadyReported(NodeId nodeId, uint32 period);

    /// @notice The seed of `period` will be derived from the hash of block `seedBlock`.
    event SeedCommitted(uint32 indexed period, uint64 seedBlock);
    /// @notice `blobId` joined the proof set of `nodeId` (sampled from the next period on).
    event BlobEnrolled(NodeId indexed nodeId, BlobId indexed blobId, uint8 holder);
    /// @notice `blobId` leaves the proof set of `nodeId` at the start of the next period.
    event BlobPruned(NodeId indexed nodeId, BlobId indexed blobId);
    /// @notice `nodeId` proved `period` with `samples` verified leaves.
    event ProofSubmitted(NodeId indexed nodeId, uint32 indexed period, uint256 samples);
    /// @notice Warning: `nodeId` missed `period`, its `missesInRow`-th miss in a row; it forfeits
    /// the period's pay, is slashed next, and is dropped at `missesToDrop`.
    event ProofMissed(NodeId indexed nodeId, uint32 indexed period, uint8 missesInRow, address indexed reporter);
    /// @notice `nodeId` was dropped from `blobId` (the shard or replica needs repair).
    event HolderDropped(BlobId indexed blobId, NodeId indexed nodeId, uint8 holder);
    /// @notice `nodeId` was dropped from all its blobs and is no longer challenged.
    event NodeDropped(NodeId indexed nodeId, uint32 period);

    /// @notice Commits the seed of the current period to the next block's hash, if not committed.
    /// Nobody knows that hash yet, so nobody can choose the seed; once committed it never changes.
    function commitSeed() external;

    /// @notice Adds blobs to the node's proof set; they are sampled from the next period on.
    /// A holder must enroll a blob before its attestation can be counted.
    /// Requirements: the caller is the node's operator or signing key; the node is not dropped;
    /// each blob is registered or certified and not ended, names the node at `holders[i]`, and is
    /// not already in the set.
    function enroll(NodeId nodeId, BlobId[] calldata blobIds, uint8[] calldata holders) external;

    /// @notice Marks blobs the node no longer has to keep (deleted, reclaimed, expired,
    /// uncertified past their deadline, or certified without this node) for removal from its
    /// proof set at the start of the next period.
    /// Requirements: the caller is the node's operator or signing key; each blob is in the set
    /// and dead for this node.
    function prune(NodeId nodeId, BlobId[] calldata blobIds) external;

    /// @notice Proves the current period: `proof` concatenates, for each live sample in order,
    /// the leaf bytes then the sibling hashes bottom-up (docs/protocol.md). Anyone may send it: a
    /// proof shows the data is retrievable whoever carries it (node software sends its own).
    /// A challenged node whose samples are all void (every entry dead) still owes a proof: the
    /// empty one.
    /// Requirements: the node is not dropped, had a non-empty proof set at the start of the period
    /// and has not proved it yet; the seed is available; every sample's proof matches.
    function submitProof(NodeId nodeId, bytes calldata proof) external;

    /// @notice Reports that `nodeId` did not prove `period`; the reporter earns a share of the slash.
    /// Requirements: `period` is the period right before the current one; the node is not
    /// dropped, had a non-empty proof set at the start of `period`, did not prove it, and the miss
    /// was not reported yet.
    function reportMissedProof(NodeId nodeId, uint32 period) external;

    /// @notice The challenges of `nodeId` in the current period (empty if the seed is unknown).
    function challenges(NodeId nodeId) external view returns (Challenge[] memory);

    /// @notice The seed of `period`, or zero while unknown.
    function seedOf(uint32 period) external view returns (bytes32);

    /// @notice Whether `nodeId` proved `period`.
    function isProven(NodeId nodeId, uint32 period) external view returns (bool);

    /// @notice The proof set of `nodeId` as stored (including entries pruned this period).
    function proofSet(NodeId nodeId) external view returns (BlobId[] memory);

    /// @notice Consecutive reported misses and whether the node was dropped.
    function nodeStanding(NodeId nodeId) external view returns (uint8 missesInRow, bool dropped);

    /// @notice The current proving period.
    function currentPeriod() external view returns (uint32);

    /// @notice Whether `blobId` is in the proof set of `nodeId`.
    function isEnrolled(NodeId nodeId, BlobId blobId) external view returns (bool);

    /// @notice Number of periods in `[from, to)` that `nodeId` proved.
    function provenCount(NodeId nodeId, uint32 from, uint32 to) external view returns (uint256);
}
