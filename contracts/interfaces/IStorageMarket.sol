// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlobId, BlobStatus, NodeId, Tier} from "./StrataTypes.sol";

/// @title IStorageMarket
/// @notice dApps register blobs and escrow their price; chosen nodes attest they hold them; a
/// quorum of attestations certifies the blob, from which nodes earn per proven period.
interface IStorageMarket {
    /// @notice What an uploader registers.
    /// @param salt Chosen by the uploader; the blob id is
    /// `keccak256(abi.encode(chainId, market, owner, salt))` with its top byte cleared, known
    /// before registering.
    /// @param cid The blob's CID in binary (`cid.bytes`): UnixFS, CIDv1, raw leaves, 1 MiB chunks,
    /// a balanced DAG of 174 links per node, a one-chunk blob its bare raw leaf (docs/protocol.md
    /// §2.1); emitted, not stored.
    /// @param commitment Hot: the Merkle root of the blob (docs/protocol.md). Cold: the Merkle
    /// root over the shards' roots.
    /// @param size Blob size in bytes.
    /// @param tier Hot (whole replicas) or cold (erasure-coded shards).
    /// @param nodes Chosen nodes, strictly ascending; for cold, node i holds shard i.
    /// @param epochs Number of epochs paid for, counted from certification.
    /// @param shardSize Cold: bytes each node stores. Hot: zero.
    /// @param recovery Cold: shards needed to rebuild the blob. Hot: zero.
    struct BlobParams {
        bytes32 salt;
        bytes cid;
        bytes32 commitment;
        uint64 size;
        Tier tier;
        NodeId[] nodes;
        uint32 epochs;
        uint64 shardSize;
        uint8 recovery;
        string name;
        string mimeType;
        string[] tags;
    }

    /// @notice A node's EIP-712 signature over `Attestation(blobId, commitment, size, nodeId, expiry)`,
    /// compact (EIP-2098) form.
    /// @param holder Index of the node in the blob's holder list.
    struct Attestation {
        uint8 holder;
        uint64 expiry;
        bytes32 r;
        bytes32 vs;
    }

    /// @notice A node chosen for a blob, with the price fixed at registration.
    struct Holder {
        NodeId nodeId;
        uint64 pricePerByteEpoch;
    }

    /// @notice A blob as stored.
    struct BlobInfo {
        address owner;
        Tier tier;
        BlobStatus status;
        uint8 quorum;
        uint8 recovery;
        uint16 enrolled;
        uint16 attested;
        uint16 dropped;
        bytes32 commitment;
        uint64 size;
        uint64 shardSize;
        uint32 epochs;
        uint32 startPeriod;
        uint32 endPeriod;
        uint64 certifyDeadline;
        uint256 escrow;
        uint256 fee;
        Holder[] holders;
    }

    /// @dev `blobId` was registered before (same owner and salt).
    error StorageMarketBlobExists(BlobId blobId);
    /// @dev `blobId` does not exist.
    error StorageMarketUnknownBlob(BlobId blobId);
    /// @dev `account` does not own `blobId`.
    error StorageMarketNotOwner(BlobId blobId, address account);
    /// @dev `blobId` is in `status`, which does not allow the call.
    error StorageMarketWrongStatus(BlobId blobId, BlobStatus status);
    /// @dev Size must be positive and fit the tier's limits.
    error StorageMarketInvalidSize(uint64 size);
    /// @dev Epochs must be positive and the term must fit in 32-bit periods.
    error StorageMarketInvalidEpochs(uint32 epochs);
    /// @dev Between 1 and 16 nodes, strictly ascending.
    error StorageMarketInvalidNodes();
    /// @dev Cold blobs need 1 <= recovery <= nodes and shardSize * recovery >= size; hot blobs
    /// need both zero.
    error StorageMarketInvalidShards(uint64 shardSize, uint8 recovery);
    /// @dev The commitment must not be zero.
    error StorageMarketInvalidCommitment();
    /// @dev The CID must not be empty.
    error StorageMarketInvalidCid();
    /// @dev Holder index `holder` is out of range for `blobId`.
    error StorageMarketUnknownHolder(BlobId blobId, uint256 holder);
    /// @dev The attestation of holder `holder` was already counted.
    error StorageMarketDuplicateAttestation(BlobId blobId, uint256 holder);
    /// @dev The attestation of holder `holder` is not signed by its signing key.
    error StorageMarketInvalidAttestation(BlobId blobId, uint256 holder);
    /// @dev The attestation of holder `holder` expired at `expiry`.
    error StorageMarketAttestationExpired(BlobId blobId, uint256 holder, uint64 expiry);
    /// @dev Holder `holder` has not enrolled the blob in its proof set.
    error StorageMarketHolderNotEnrolled(BlobId blobId, uint256 holder);
    /// @dev The certification deadline `deadline` has passed.
    error StorageMarketCertifyDeadlinePassed(BlobId blobId, uint64 deadline);
    /// @dev The certification deadline `deadline` has not passed yet.
    error StorageMarketCertifyDeadlinePending(BlobId blobId, uint64 deadline);
    /// @dev The blob's term ended at period `endPeriod`.
    error StorageMarketTermEnded(BlobId blobId, uint32 endPeriod);
    /// @dev The blob's term runs until period `endPeriod`, not closed yet.
    error StorageMarketTermNotEnded(BlobId blobId, uint32 endPeriod);
    /// @dev Nothing is owed to `nodeId`.
    error StorageMarketNothingToClaim(NodeId nodeId);
    /// @dev `account` is neither the operator nor the signing key of `nodeId`.
    error StorageMarketNotNodeAccount(NodeId nodeId, address account);
    /// @dev Array arguments differ in length.
    error StorageMarketLengthMismatch();
    /// @dev An amount does not fit the storage types.
    error StorageMarketAmountOverflow();
    /// @dev A deployment parameter is out of range.
    error StorageMarketInvalidConfig();
    /// @dev `blobId` is a cold blob: it is certified with its shard commitments ({certifyShards}).
    error StorageMarketShardRootsRequired(BlobId blobId);
    /// @dev `blobId` is not a cold blob.
    error StorageMarketNotCold(BlobId blobId);
    /// @dev The shard commitments given do not hash to the blob's commitment.
    error StorageMarketInvalidShardRoots(BlobId blobId);
    /// @dev Holder `holder` of `blobId` was not dropped: its place is not open to another node.
    error StorageMarketHolderNotDropped(BlobId blobId, uint256 holder);
    /// @dev `nodeId` already holds a replica or shard of `blobId`.
    error StorageMarketAlreadyHolder(BlobId blobId, NodeId nodeId);
    /// @dev Holder `holder` of `blobId` was dropped for missed proofs: its attestation no longer
    /// counts (its place can be reassigned with {reassignHolder}).
    error StorageMarketHolderDropped(BlobId blobId, uint256 holder);

    /// @notice A blob was registered and its price (`escrow`, plus `fee`) taken into escrow. It must
    /// be certified by `certifyDeadline`.
    event BlobRegistered(
        BlobId indexed blobId,
        address indexed owner,
        BlobParams params,
        uint256 escrow,
        uint256 fee,
        uint64 certifyDeadline
    );
    /// @notice Attestations were counted; `attested` is the holder bit mask after the call.
    event BlobAttested(BlobId indexed blobId, uint16 attested);
    /// @notice A quorum attested: the availability certificate. The blob is paid for periods
    /// `[startPeriod, endPeriod)`.
    event BlobCertified(BlobId indexed blobId, uint16 attested, uint32 startPeriod, uint32 endPeriod);
    /// @notice `epochs` more epochs were paid for by `payer`.
    event BlobExtended(BlobId indexed blobId, address indexed payer, uint32 epochs, uint32 endPeriod, uint256 paid);
    /// @notice The owner deleted the blob; its term now ends at `endPeriod` and `refund` was returned.
    event BlobDeleted(BlobId indexed blobId, uint32 endPeriod, uint256 refund);
    /// @notice An uncertified blob's escrow and fee were refunded to its owner.
    event BlobReclaimed(BlobId indexed blobId, uint256 refund);
    /// @notice The blob's term closed: holders were credited, `refund` returned to the owner and the
    /// fee earned by the treasury.
    event BlobSettled(BlobId indexed blobId, uint256 refund);
    /// @notice Holder `holder` of `blobId`, dropped as `previous`, was reassigned to `nodeId`, which
    /// is to fetch the replica (hot) or rebuild the shard (cold), enroll it and attest it.
    event HolderReassigned(BlobId indexed blobId, uint8 holder, NodeId indexed previous, NodeId indexed nodeId);
    /// @notice A holder of the certified blob `blobId` was dropped: `live` of its `target` holders
    /// are attested and not dropped.
    event BlobDegraded(BlobId indexed blobId, uint8 live, uint8 target);
    /// @notice Every holder place of the degraded blob `blobId` is attested again by a live holder.
    event BlobRestored(BlobId indexed blobId, uint8 live);
    /// @notice `amount` was paid to the operator `to` of `nodeId`.
    event PaymentClaimed(NodeId indexed nodeId, address indexed to, uint256 amount);
    /// @notice Accrued protocol fees were sent to the treasury.
    event FeesCollected(address indexed treasury, uint256 amount);

    /// @notice Registers a blob and takes its full price (plus the protocol fee) from the caller.
    /// Requirements:
    /// - `params.cid` is not empty, `params.commitment` is non-zero, `params.size` is positive;
    /// - `params.epochs` is positive;
    /// - no blob was registered by the caller with `params.salt`;
    /// - `params.nodes` holds 1 to 16 strictly ascending ids of active nodes serving the tier;
    /// - cold: 1 <= `recovery` <= nodes and `shardSize * recovery >= size`; hot: both zero;
    /// - the caller approved the price returned by {quote}.
    function registerBlob(BlobParams calldata params) external returns (BlobId blobId);

    /// @notice Counts holders' attestations; certifies the blob once the quorum attested. Anyone
    /// may send them. After certification, remaining holders of a cold blob may still attest
    /// (their pay starts the period after).
    /// Requirements:
    /// - the blob is registered and its certification deadline has not passed, or it is
    ///   certified and its term has not ended;
    /// - every attestation names a distinct holder not yet counted, is unexpired, the holder
    ///   enrolled the blob in its proof set, and it is signed by the signing key the holder had
    ///   when it enrolled.
    function certify(BlobId blobId, Attestation[] calldata attestations) external;

    /// @notice {certify} for a cold blob: `shardRoots` are the commitments of every holder's shard,
    /// in holder order, whose Merkle root (docs/protocol.md, "Cold tier") is the blob's commitment.
    /// Each holder counted from now on is challenged on its own shard's commitment.
    /// Requirements: those of {certify}; the blob is cold; `shardRoots` hash to its commitment.
    function certifyShards(BlobId blobId, Attestation[] calldata attestations, bytes32[] calldata shardRoots)
        external;

    /// @notice Hands the place of a dropped holder to `nodeId`: for a hot blob it fetches the
    /// replica from any holder, for a cold blob it rebuilds the shard from the others; then it
    /// enrolls, attests ({certify} or {certifyShards}) and is paid from the blob's escrow at the
    /// place's registered price from the period after it attests. What the dropped node earned
    /// before is credited to it.
    /// Requirements: the caller is `nodeId`'s operator or signing key; the blob is certified and
    /// its term has not ended; holder `holder` was dropped; `nodeId` is active, serves the blob's
    /// tier and holds no other place of the blob.
    function reassignHolder(BlobId blobId, uint8 holder, NodeId nodeId) external;

    /// @notice Refunds escrow and fee of a blob that was not certified in time.
    /// Requirements: the caller owns the blob; it is registered; its deadline has passed.
    function reclaim(BlobId blobId) external;

    /// @notice Pays for `epochs` more epochs, at the holders' registered prices, plus the fee.
    /// Anyone may pay: the caller is charged `cost(old + epochs) - cost(old)` and the fee's increase
    /// (docs/protocol.md §5).
    /// Requirements: the blob is registered, or certified with its term not ended; `epochs` > 0.
    function extend(BlobId blobId, uint32 epochs) external;

    /// @notice Ends the blob: an uncertified blob is fully refunded; a certified one ends after
    /// the current period and the escrow of later periods is refunded at once.
    /// For a certified blob during period `c` the refund is, per holder and then summed,
    /// `floor(price * stored * (endPeriod - (c + 1)) / periodsPerEpoch)`; period `c` stays in the
    /// term and is paid to holders that prove it (docs/protocol.md §5).
    /// Requirements: the caller owns the blob; it is registered, or certified with its term not ended.
    function deleteBlob(BlobId blobId) external;

    /// @notice Pays the node's earnings on `blobIds` for closed, proven periods, plus any credit
    /// from settled blobs, to the node's operator.
    /// Requirements: the caller is the node's operator or signing key; `holders[i]` is the node's
    /// index on `blobIds[i]`; something is owed.
    function claim(NodeId nodeId, BlobId[] calldata blobIds, uint8[] calldata holders)
        external
        returns (uint256 amount);

    /// @notice Closes an ended blob: holders are credited what they earned and not claimed, the rest
    /// of the escrow goes back to the owner.
    /// Requirements: the blob is certified (or was, and was deleted) and its last period has closed.
    function settle(BlobId blobId) external;

    /// @notice Sends accrued protocol fees to the treasury.
    function collectFees() external;

    /// @notice Price of storing `storedBytes` on each of `nodeIds` for `epochs`, and the fee on top.
    function quote(NodeId[] calldata nodeIds, Tier tier, uint64 storedBytes, uint32 epochs)
        external
        view
        returns (uint256 cost, uint256 fee);

    /// @notice Everything stored about `blobId`.
    function getBlob(BlobId blobId) external view returns (BlobInfo memory);

    /// @notice The id of the blob `owner` registers with `salt`.
    function blobIdOf(address owner, bytes32 salt) external view returns (BlobId);

    /// @notice EIP-712 digest a node signs to attest it holds `blobId`.
    function attestationDigest(BlobId blobId, NodeId nodeId, uint64 expiry) external view returns (bytes32);

    /// @notice The shard commitment holder `holder` of a cold blob is challenged on (zero until it
    /// is counted by {certifyShards}).
    function shardRootOf(BlobId blobId, uint8 holder) external view returns (bytes32);

    /// @notice What the node has been credited by settled blobs and not yet claimed.
    function creditOf(NodeId nodeId) external view returns (uint256);

    /// @notice Protocol fees accrued and not yet collected.
    function feesAccrued() external view returns (uint256);
}
