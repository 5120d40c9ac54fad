// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {BlobId, BlobStatus, NodeId} from "../interfaces/StrataTypes.sol";
import {BlobBook} from "./BlobBook.sol";
import {BlobTerms} from "./BlobTerms.sol";

/// @title MarketPay
/// @notice What the market owes: each holder is paid per period it proved, from the escrow of
/// the blob it holds; pay that is not claimed with the blob (a replaced holder's, a settled
/// blob's) waits as the node's credit, and settled blobs' fees wait for the treasury. Tokens
/// move only in the entry contract, which pulls these amounts and zeroes them before paying.
abstract contract MarketPay is BlobBook {
    mapping(NodeId => uint256) private _credits;
    uint256 private _feesAccrued;

    /// @inheritdoc IStorageMarket
    function creditOf(NodeId nodeId) external view returns (uint256) {
        return _credits[nodeId];
    }

    /// @inheritdoc IStorageMarket
    function feesAccrued() external view returns (uint256) {
        return _feesAccrued;
    }

    /// @dev Pays holder `h` of `blobId` for the proven periods before `upTo` not paid yet.
    function _collect(BlobId blobId, uint256 h, uint32 upTo) internal returns (uint256 amount) {
        Blob storage blob = _blob(blobId);
        BlobStatus status = blob.status;
        if (status != BlobStatus.Certified && status != BlobStatus.Deleted) return 0;
        if (blob.attested & _bit(h) == 0) return 0;
        uint32 end = blob.endPeriod < upTo ? blob.endPeriod : upTo;
        uint32 paidTo = _getPaidTo(blobId, h);
        uint32 from = paidTo > blob.startPeriod ? paidTo : blob.startPeriod;
        if (from >= end) return 0;
        (NodeId nodeId, uint64 price) = _holder(blobId, h);
        uint256 proven = _proofSystem().provenCount(nodeId, from, end);
        _setPaidTo(blobId, h, end);
        amount = BlobTerms.pay(price, _storedBytes(blob), proven, periodsPerEpoch());
        blob.released += uint128(amount);
    }

    /// @dev Adds `amount` to what `nodeId` can claim.
    function _credit(NodeId nodeId, uint256 amount) internal {
        _credits[nodeId] += amount;
    }

    /// @dev Zeroes the node's credit and returns it.
    function _takeCredit(NodeId nodeId) internal returns (uint256 amount) {
        amount = _credits[nodeId];
        _credits[nodeId] = 0;
    }

    /// @dev Adds a settled blob's fee to what the treasury can collect.
    function _accrueFee(uint256 fee) internal {
        _feesAccrued += fee;
    }

    /// @dev Zeroes the fees accrued and returns them.
    function _takeFees() internal returns (uint256 amount) {
        amount = _feesAccrued;
        if (amount != 0) _feesAccrued = 0;
    }
}
