// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {NodeId} from "./StrataTypes.sol";

/// @title IStakeGuard
/// @notice Tells the NodeRegistry whether a node's stake must stay bonded because it still
/// holds certified, unexpired blobs.
interface IStakeGuard {
    /// @notice Whether `nodeId` still has storage obligations that keep its stake locked.
    function isStakeLocked(NodeId nodeId) external view returns (bool);
}
