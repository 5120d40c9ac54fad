// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IProofSystem} from "../interfaces/IProofSystem.sol";
import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {Periods} from "../proofs/Periods.sol";
import {BlobId, BlobStatus, NodeId, Tier} from "../interfaces/StrataTypes.sol";

/// @title BlobBook
/// @notice The market's record of its blobs: each blob's terms and state, its holders and their
/// prices, the period up to which each holder was paid, the signing key each holder enrolled
/// with and, for cold blobs, the shard each counted holder is challenged on, with the views
/// that read them. The state is private; the other pieces of the market reach it through the
/// internal functions here, and reach the entry contract's parameters through the virtual ones.
abstract contract BlobBook is IStorageMarket, Periods {
    /// @dev Laid out so a proof's challenge reads two slots (2 and 1) and a certification writes one (2).
    struct Blob {
        // slot 0: what registration fixes
        address owner;
        uint8 quorum;
        uint8 holderCount;
        uint8 recovery;
        uint16 enrolled;
        uint40 shardSize;
        // slot 1
        bytes32 commitment;
        // slot 2: what certification, proofs and the term change
        uint64 size;
        uint32 epochs;
        uint32 startPeriod;
        uint32 endPeriod;
        uint40 certifyDeadline;
        BlobStatus status;
        Tier tier;
        uint16 attested;
        uint16 dropped;
        bool degraded; // a holder was dropped and its place is not attested again yet
        // slot 3, written only once money leaves the escrow: what left it, and the period up to
        // which holders 0-3 were paid (holders 4+ in `_paidTo`)
        uint128 released;
        uint128 paidTo;
    }

    mapping(BlobId => Blob) private _blobs;
    // three holders per word, 80 bits each: nodeId in the low 24 bits, price in the next 56
    mapping(BlobId => mapping(uint256 => uint256)) private _holders;
    // holders 4+: eight 32-bit "paid up to" periods per word
    mapping(BlobId => mapping(uint256 => uint256)) private _paidTo;
    // the signing key each holder had when it enrolled the blob: its attestation must carry it
    mapping(BlobId => mapping(uint256 => address)) private _enrolledSigners;
    // cold: the shard commitment each counted holder is challenged on
    mapping(BlobId => mapping(uint256 => bytes32)) private _shardRoots;

    /// @dev The node registry whose nodes hold the market's blobs (a deployment parameter).
    function _nodeRegistry() internal view virtual returns (INodeRegistry);

    /// @dev The proof system that challenges the market's holders (created with the market).
    function _proofSystem() internal view virtual returns (IProofSystem);

    /// @dev The protocol fee on a storage price of `cost`.
    function _feeOn(uint256 cost) internal view virtual returns (uint256);

    /// @inheritdoc IStorageMarket
    function getBlob(BlobId blobId) external view returns (BlobInfo memory info) {
        Blob storage blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        uint256 cost = _cost(blobId, blob, blob.epochs);
        info.owner = blob.owner;
        info.tier = blob.tier;
        info.status = blob.status;
        info.quorum = blob.quorum;
        info.recovery = blob.recovery;
        info.enrolled = blob.enrolled;
        info.attested = blob.attested;
        info.dropped = blob.dropped;
        info.commitment = blob.commitment;
        info.size = blob.size;
        info.shardSize = blob.shardSize;
        info.epochs = blob.epochs;
        info.startPeriod = blob.startPeriod;
        info.endPeriod = blob.endPeriod;
        info.certifyDeadline = blob.certifyDeadline;
        info.escrow = cost - blob.released;
        // the fee is held until an uncertified blob is refunded or a certified one settles
        BlobStatus status = blob.status;
        bool feeHeld = status == BlobStatus.Registered || status == BlobStatus.Certified
            || (status == BlobStatus.Deleted && blob.startPeriod != 0);
        info.fee = feeHeld ? _feeOn(cost) : 0;
        info.holders = new Holder[](blob.holderCount);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (NodeId nodeId, uint64 price) = _holder(blobId, h);
            info.holders[h] = Holder(nodeId, price);
        }
    }

    /// @inheritdoc IStorageMarket
    function shardRootOf(BlobId blobId, uint8 holder) external view returns (bytes32) {
        return _shardRoots[blobId][holder];
    }

    /// @dev The blob's record; its status is `None` if it was never registered.
    function _blob(BlobId blobId) internal view returns (Blob storage) {
        return _blobs[blobId];
    }

    /// @dev The blob's record. Requirements: the blob exists and the caller owns it.
    function _ownedBlob(BlobId blobId) internal view returns (Blob storage blob) {
        blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        if (blob.owner != msg.sender) revert StorageMarketNotOwner(blobId, msg.sender);
    }

    /// @dev Price of `epochs` epochs of the blob at its holders' prices.
    function _cost(BlobId blobId, Blob storage blob, uint32 epochs) internal view returns (uint256 cost) {
        uint64 stored = _storedBytes(blob);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (, uint64 price) = _holder(blobId, h);
            cost += uint256(price) * stored;
        }
        cost *= epochs;
    }

    /// @dev Node ids fit 24 bits and prices 56 bits (the registry enforces both).
    function _storeHolders(BlobId blobId, NodeId[] calldata nodes, uint64[] memory prices) internal {
        mapping(uint256 => uint256) storage words = _holders[blobId];
        uint256 word = 0;
        for (uint256 i = 0; i < nodes.length; ++i) {
            word |= (uint256(NodeId.unwrap(nodes[i])) | (uint256(prices[i]) << 24)) << ((i % 3) * 80);
            if (i % 3 == 2 || i + 1 == nodes.length) {
                words[i / 3] = word;
                word = 0;
            }
        }
    }

    function _setHolder(BlobId blobId, uint256 h, NodeId nodeId, uint64 price) internal {
        uint256 shift = (h % 3) * 80;
        uint256 word = _holders[blobId][h / 3] & ~(((uint256(1) << 80) - 1) << shift);
        _holders[blobId][h / 3] = word | ((uint256(NodeId.unwrap(nodeId)) | (uint256(price) << 24)) << shift);
    }

    function _holder(BlobId blobId, uint256 h) internal view returns (NodeId nodeId, uint64 price) {
        uint256 entry = _holders[blobId][h / 3] >> ((h % 3) * 80);
        return (NodeId.wrap(uint32(entry & 0xffffff)), uint64((entry >> 24) & 0xffffffffffffff));
    }

    function _getPaidTo(BlobId blobId, uint256 h) internal view returns (uint32) {
        if (h < 4) return uint32(_blobs[blobId].paidTo >> (h * 32));
        return uint32(_paidTo[blobId][h >> 3] >> ((h & 7) * 32));
    }

    function _setPaidTo(BlobId blobId, uint256 h, uint32 period) internal {
        if (h < 4) {
            Blob storage blob = _blobs[blobId];
            uint128 mask = ~(uint128(0xffffffff) << uint128(h * 32));
            blob.paidTo = (blob.paidTo & mask) | (uint128(period) << uint128(h * 32));
            return;
        }
        uint256 shift = (h & 7) * 32;
        uint256 word = _paidTo[blobId][h >> 3];
        _paidTo[blobId][h >> 3] = (word & ~(uint256(0xffffffff) << shift)) | (uint256(period) << shift);
    }

    /// @dev The signing key holder `h` had when it enrolled the blob (zero if it did not).
    function _enrolledSigner(BlobId blobId, uint256 h) internal view returns (address) {
        return _enrolledSigners[blobId][h];
    }

    function _setEnrolledSigner(BlobId blobId, uint256 h, address signer) internal {
        _enrolledSigners[blobId][h] = signer;
    }

    /// @dev The shard commitment cold holder `h` is challenged on (zero until it is counted).
    function _shardRoot(BlobId blobId, uint256 h) internal view returns (bytes32) {
        return _shardRoots[blobId][h];
    }

    /// @dev The blob's shard commitments by holder, to record those of the holders just counted.
    function _shardRootsOf(BlobId blobId) internal view returns (mapping(uint256 => bytes32) storage) {
        return _shardRoots[blobId];
    }

    /// @dev Forgets what holder `h` enrolled and was counted with: its place is to be taken again.
    function _clearHolderKeys(BlobId blobId, uint256 h) internal {
        delete _enrolledSigners[blobId][h];
        delete _shardRoots[blobId][h];
    }

    /// @dev Bytes each holder stores: the blob (hot) or its shard (cold).
    function _storedBytes(Blob storage blob) internal view returns (uint64) {
        return blob.tier == Tier.Hot ? blob.size : blob.shardSize;
    }

    function _bit(uint256 holder) internal pure returns (uint16) {
        return uint16(1 << holder);
    }

    function _revertStatus(BlobId blobId, BlobStatus status) internal pure {
        if (status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        revert StorageMarketWrongStatus(blobId, status);
    }
}
