// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlobId, NodeId} from "./StrataTypes.sol";

/// @title IMarketHooks
/// @notice What the StorageMarket tells its ProofSystem about blobs and holders.
interface IMarketHooks {
    /// @dev The caller is not the market's proof system.
    error StorageMarketOnlyProofSystem(address caller);

    /// @notice Records that `nodeId`, as holder `holder`, added `blobId` to its proof set, if it may:
    /// the blob is registered and not past its deadline, or certified and not ended, and names the
    /// node there. Returns whether it was recorded.
    /// Requirements: the caller is the proof system.
    function enrollHolder(BlobId blobId, NodeId nodeId, uint8 holder) external returns (bool);

    /// @notice Whether holder `holder` no longer has to keep `blobId` in `period`.
    function isDeadFor(BlobId blobId, uint8 holder, uint32 period) external view returns (bool);

    /// @notice Whether holder `holder` must prove `blobId` in `period`, and the commitment root and
    /// size of what it holds.
    function challengeTarget(BlobId blobId, uint8 holder, uint32 period)
        external
        view
        returns (bool live, bytes32 root, uint64 size);

    /// @notice Marks holder `holder` of `blobId` as dropped.
    /// Requirements: the caller is the proof system.
    function dropHolder(BlobId blobId, uint8 holder) external;
}
