// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {NodeId, Tier} from "../interfaces/StrataTypes.sol";

/// @title BlobTerms
/// @notice Pure rules of a blob's registration: validation, price, quorum and pay.
library BlobTerms {
    /// @notice Most holders a blob can have (holder bit masks are 16 bits).
    uint256 internal constant MAX_HOLDERS = 16;
    uint256 internal constant BPS = 10_000;

    /// @notice Reverts unless `params` describe a valid registration.
    function validate(IStorageMarket.BlobParams calldata params) internal pure {
        if (params.cid.length == 0) revert IStorageMarket.StorageMarketInvalidCid();
        if (params.commitment == bytes32(0)) revert IStorageMarket.StorageMarketInvalidCommitment();
        if (params.size == 0) revert IStorageMarket.StorageMarketInvalidSize(params.size);
        if (params.epochs == 0) revert IStorageMarket.StorageMarketInvalidEpochs(params.epochs);
        NodeId[] calldata nodes = params.nodes;
        uint256 count = nodes.length;
        if (count == 0 || count > MAX_HOLDERS) revert IStorageMarket.StorageMarketInvalidNodes();
        for (uint256 i = 1; i < count; ++i) {
            if (NodeId.unwrap(nodes[i - 1]) >= NodeId.unwrap(nodes[i])) {
                revert IStorageMarket.StorageMarketInvalidNodes();
            }
        }
        if (params.tier == Tier.Hot) {
            if (params.shardSize != 0 || params.recovery != 0) {
                revert IStorageMarket.StorageMarketInvalidShards(params.shardSize, params.recovery);
            }
        } else if (
            params.recovery == 0 || params.recovery > count || params.shardSize == 0
                || params.shardSize > type(uint40).max || uint256(params.shardSize) * params.recovery < params.size
        ) {
            revert IStorageMarket.StorageMarketInvalidShards(params.shardSize, params.recovery);
        }
    }

    /// @notice Attestations needed to certify: every holder for hot, `recovery + margin` (at most
    /// every holder) for cold.
    function quorum(Tier tier, uint256 holders, uint8 recovery, uint8 margin) internal pure returns (uint8) {
        if (tier == Tier.Hot) return uint8(holders);
        uint256 needed = uint256(recovery) + margin;
        return uint8(needed < holders ? needed : holders);
    }

    /// @notice Price of `epochs` epochs of `storedBytes` on nodes asking `prices`, and the fee.
    function price(uint64[] memory prices, uint64 storedBytes, uint32 epochs, uint16 feeBps)
        internal
        pure
        returns (uint256 cost, uint256 fee)
    {
        uint256 perEpoch = 0;
        for (uint256 i = 0; i < prices.length; ++i) {
            perEpoch += uint256(prices[i]) * storedBytes;
        }
        cost = perEpoch * epochs;
        fee = feeOn(cost, feeBps);
    }

    /// @notice The protocol fee on a storage price of `cost`.
    function feeOn(uint256 cost, uint16 feeBps) internal pure returns (uint256) {
        return (cost * feeBps) / BPS;
    }

    /// @notice Pay for `periods` periods at `pricePerByteEpoch` for `storedBytes`.
    function pay(uint64 pricePerByteEpoch, uint64 storedBytes, uint256 periods, uint32 periodsPerEpoch)
        internal
        pure
        returns (uint256)
    {
        return (uint256(pricePerByteEpoch) * storedBytes * periods) / periodsPerEpoch;
    }

    /// @notice Number of set bits of a holder mask.
    function holdersIn(uint16 mask) internal pure returns (uint256 total) {
        while (mask != 0) {
            mask &= mask - 1;
            ++total;
        }
    }
}
