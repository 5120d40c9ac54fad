// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IMarketHooks} from "../interfaces/IMarketHooks.sol";
import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {MerkleCommitment} from "../libraries/MerkleCommitment.sol";
import {BlobId, BlobStatus, NodeId, Tier} from "../interfaces/StrataTypes.sol";
import {BlobBook} from "./BlobBook.sol";
import {BlobTerms} from "./BlobTerms.sol";

/// @title BlobCertification
/// @notice A blob's holders and their certificates: nodes enroll as holders through the proof
/// system, attest under EIP-712 with the key they enrolled with, and a quorum of attestations
/// certifies the blob. Also the market's side of the proof system ({IMarketHooks}): which
/// holders may enroll, what each live holder is challenged on, and which holders were dropped.
abstract contract BlobCertification is BlobBook, IMarketHooks, EIP712 {
    /// @notice EIP-712 type of a node's attestation that it holds a blob.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes32 blobId,bytes32 commitment,uint64 size,uint32 nodeId,uint64 expiry)");

    // ------------------------------------------------------------------------ certificates

    /// @inheritdoc IStorageMarket
    function certify(BlobId blobId, Attestation[] calldata attestations) external {
        if (_blob(blobId).tier == Tier.Cold) revert StorageMarketShardRootsRequired(blobId);
        _certify(blobId, attestations);
    }

    /// @inheritdoc IStorageMarket
    function certifyShards(BlobId blobId, Attestation[] calldata attestations, bytes32[] calldata shardRoots)
        external
    {
        Blob storage blob = _blob(blobId);
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        if (blob.tier != Tier.Cold) revert StorageMarketNotCold(blobId);
        if (shardRoots.length != blob.holderCount || MerkleCommitment.shardsRoot(shardRoots) != blob.commitment) {
            revert StorageMarketInvalidShardRoots(blobId);
        }
        uint16 counted = _certify(blobId, attestations);
        mapping(uint256 => bytes32) storage roots = _shardRootsOf(blobId);
        for (uint256 h = 0; h < shardRoots.length; ++h) {
            if (counted & _bit(h) != 0) roots[h] = shardRoots[h];
        }
    }

    /// @inheritdoc IStorageMarket
    function attestationDigest(BlobId blobId, NodeId nodeId, uint64 expiry) public view returns (bytes32) {
        Blob storage blob = _blob(blobId);
        return _hashTypedDataV4(
            keccak256(abi.encode(ATTESTATION_TYPEHASH, blobId, blob.commitment, blob.size, nodeId, expiry))
        );
    }

    // ------------------------------------------------------------------------ proof hooks

    /// @inheritdoc IMarketHooks
    function enrollHolder(BlobId blobId, NodeId nodeId, uint8 holder) external returns (bool) {
        _onlyProofSystem();
        Blob storage blob = _blob(blobId);
        (NodeId holderId,) = _holder(blobId, holder);
        if (holder >= blob.holderCount || holderId != nodeId || blob.dropped & _bit(holder) != 0) return false;
        BlobStatus status = blob.status;
        bool open = status == BlobStatus.Registered
            ? block.timestamp <= blob.certifyDeadline
            : status == BlobStatus.Certified && _currentPeriod() < blob.endPeriod;
        if (open) {
            blob.enrolled |= _bit(holder);
            (, address signer) = _nodeRegistry().nodeAccounts(nodeId);
            _setEnrolledSigner(blobId, holder, signer);
        }
        return open;
    }

    /// @inheritdoc IMarketHooks
    function isDeadFor(BlobId blobId, uint8 holder, uint32 period) external view returns (bool) {
        Blob storage blob = _blob(blobId);
        BlobStatus status = blob.status;
        if (status == BlobStatus.Registered) return block.timestamp > blob.certifyDeadline;
        if (status != BlobStatus.Certified) return true;
        uint16 bit = _bit(holder);
        return period >= blob.endPeriod || blob.attested & bit == 0 || blob.dropped & bit != 0;
    }

    /// @inheritdoc IMarketHooks
    function challengeTarget(BlobId blobId, uint8 holder, uint32 period)
        external
        view
        returns (bool live, bytes32 root, uint64 size)
    {
        Blob storage blob = _blob(blobId);
        uint16 bit = _bit(holder);
        live = blob.status == BlobStatus.Certified && blob.attested & bit != 0 && blob.dropped & bit == 0
            && period >= blob.startPeriod && period < blob.endPeriod;
        if (!live) return (false, 0, 0);
        if (blob.tier == Tier.Hot) return (true, blob.commitment, blob.size);
        // a cold holder is challenged on its shard, from the period after it was counted
        root = _shardRoot(blobId, holder);
        live = root != 0 && period >= _getPaidTo(blobId, holder);
        size = blob.shardSize;
    }

    /// @inheritdoc IMarketHooks
    function dropHolder(BlobId blobId, uint8 holder) external {
        _onlyProofSystem();
        Blob storage blob = _blob(blobId);
        uint16 dropped = blob.dropped | _bit(holder);
        blob.dropped = dropped;
        if (blob.status != BlobStatus.Certified) return;
        blob.degraded = true;
        emit BlobDegraded(blobId, uint8(BlobTerms.holdersIn(blob.attested & ~dropped)), blob.holderCount);
    }

    // ------------------------------------------------------------------------- internals

    /// @dev Counts `attestations`, certifies once the quorum attested; returns the holders it counted.
    function _certify(BlobId blobId, Attestation[] calldata attestations) private returns (uint16 counted) {
        Blob storage blob = _blob(blobId);
        BlobStatus status = blob.status;
        uint32 period = _currentPeriod();
        if (status == BlobStatus.Registered) {
            if (block.timestamp > blob.certifyDeadline) {
                revert StorageMarketCertifyDeadlinePassed(blobId, blob.certifyDeadline);
            }
        } else if (status == BlobStatus.Certified) {
            if (period >= blob.endPeriod) revert StorageMarketTermEnded(blobId, blob.endPeriod);
        } else {
            _revertStatus(blobId, status);
        }
        uint16 before = blob.attested;
        uint16 attested = _countAttestations(blobId, blob, attestations);
        counted = attested & ~before;
        blob.attested = attested;
        if (status == BlobStatus.Registered && BlobTerms.holdersIn(attested) >= blob.quorum) {
            uint32 start = period + 1;
            uint32 end = start + blob.epochs * periodsPerEpoch();
            blob.status = BlobStatus.Certified;
            blob.startPeriod = start;
            blob.endPeriod = end;
            emit BlobCertified(blobId, attested, start, end);
            return counted;
        }
        if (status == BlobStatus.Certified) {
            // late and replacement holders of a certified blob earn from the next period on
            for (uint256 h = 0; h < blob.holderCount; ++h) {
                if (counted & _bit(h) != 0) _setPaidTo(blobId, h, period + 1);
            }
        }
        emit BlobAttested(blobId, attested);
        uint8 live = uint8(BlobTerms.holdersIn(attested & ~blob.dropped));
        if (blob.degraded && live == blob.holderCount) {
            blob.degraded = false;
            emit BlobRestored(blobId, live);
        }
    }

    /// @dev Checks each attestation and returns the blob's attested mask with them added.
    function _countAttestations(BlobId blobId, Blob storage blob, Attestation[] calldata list)
        private
        view
        returns (uint16 attested)
    {
        attested = blob.attested;
        uint16 taken = attested | blob.dropped;
        bytes32 commitment = blob.commitment;
        uint64 size = blob.size;
        for (uint256 i = 0; i < list.length; ++i) {
            Attestation calldata attestation = list[i];
            uint256 h = attestation.holder;
            if (h >= blob.holderCount) revert StorageMarketUnknownHolder(blobId, h);
            if (blob.dropped & _bit(h) != 0) revert StorageMarketHolderDropped(blobId, h);
            if (taken & _bit(h) != 0) revert StorageMarketDuplicateAttestation(blobId, h);
            if (blob.enrolled & _bit(h) == 0) revert StorageMarketHolderNotEnrolled(blobId, h);
            if (attestation.expiry < block.timestamp) {
                revert StorageMarketAttestationExpired(blobId, h, attestation.expiry);
            }
            taken |= _bit(h);
            (NodeId nodeId,) = _holder(blobId, h);
            bytes32 digest = _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, blobId, commitment, size, nodeId, attestation.expiry))
            );
            address signer = ECDSA.recover(digest, attestation.r, attestation.vs);
            if (signer != _enrolledSigner(blobId, h)) revert StorageMarketInvalidAttestation(blobId, h);
        }
        attested |= taken & ~blob.dropped;
    }

    function _onlyProofSystem() private view {
        if (msg.sender != address(_proofSystem())) revert StorageMarketOnlyProofSystem(msg.sender);
    }
}
