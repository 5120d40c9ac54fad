// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @dev Identifies a blob: `keccak256(abi.encode(chainId, market, owner, salt))` with the top
/// byte cleared (see {blobIdFor}), so a proof-set entry packs a holder index beside it.
type BlobId is bytes32;

/// @dev Identifies a storage node; assigned sequentially by the NodeRegistry, starting at 1.
type NodeId is uint32;

/// @dev The storage tier a blob is registered in.
enum Tier {
    Hot,
    Cold
}

/// @dev Life cycle of a blob in the StorageMarket.
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
