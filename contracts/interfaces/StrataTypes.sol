// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev Identifies a blob: `keccak256(abi.encode(chainId, market, owner, salt))` with the top
/// byte cleared (see {blobIdFor}), so a proof-set entry packs a holder index beside it.
type BlobId is bytes32;

/// @dev Identifies a storage node; assigned sequentially by the NodeRegistry, starting at 1.
type NodeId is uint32;

/// @dev The storage tier a blob is registered in, as its ABI number: Hot = 0 (whole copies),
/// Cold = 1 (erasure-coded shards). A node's served tiers are a bit mask instead:
/// `1 << tier`, so hot is bit 1 and cold bit 2 ({TIER_HOT_BIT}, {TIER_COLD_BIT}).
enum Tier {
    Hot,
    Cold
}

/// @dev Life cycle of a blob in the StorageMarket, as its ABI number: None = 0 (never registered),
/// Registered = 1 (paid, waiting for its attestations), Certified = 2 (held and proved),
/// Deleted = 3 (deleted by its owner: refunded in full if never certified, else its term cut to
/// the end of the current period and the periods after it refunded), Reclaimed = 4 (never
/// certified by its deadline, refunded in full), Settled = 5 (its term over: every holder's pay
/// credited, the fee accrued, the rest refunded).
enum BlobStatus {
    None,
    Registered,
    Certified,
    Deleted,
    Reclaimed,
    Settled
}

/// @dev Tier bits a node serves (`NodeParams.tiers`).
uint8 constant TIER_HOT_BIT = 1;
uint8 constant TIER_COLD_BIT = 2;

using {eqNode as ==, neqNode as !=} for NodeId global;
using {eqBlob as ==, neqBlob as !=} for BlobId global;

function eqNode(NodeId a, NodeId b) pure returns (bool) {
    return NodeId.unwrap(a) == NodeId.unwrap(b);
}

function neqNode(NodeId a, NodeId b) pure returns (bool) {
    return NodeId.unwrap(a) != NodeId.unwrap(b);
}

function eqBlob(BlobId a, BlobId b) pure returns (bool) {
    return BlobId.unwrap(a) == BlobId.unwrap(b);
}

function neqBlob(BlobId a, BlobId b) pure returns (bool) {
    return BlobId.unwrap(a) != BlobId.unwrap(b);
}

/// @dev The id of the blob `owner` registers with `salt` at `market` on chain `chainId`: 248 bits.
function blobIdFor(uint256 chainId, address market, address owner, bytes32 salt) pure returns (BlobId) {
    return BlobId.wrap(keccak256(abi.encode(chainId, market, owner, salt)) & bytes32(type(uint256).max >> 8));
}

/// @dev The bit of a tier in a node's served-tiers mask.
function tierBit(Tier tier) pure returns (uint8) {
    return tier == Tier.Hot ? TIER_HOT_BIT : TIER_COLD_BIT;
}
