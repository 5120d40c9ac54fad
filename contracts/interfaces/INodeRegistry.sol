// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IStakeGuard} from "./IStakeGuard.sol";
import {NodeId, Tier} from "./StrataTypes.sol";

/// @title INodeRegistry
/// @notice Storage nodes register here, stake the payment token, and unbond after a delay.
/// Protocol contracts holding `SLASHER_ROLE` slash misbehaving nodes.
interface INodeRegistry {
    /// @notice What an operator declares about a node.
    /// @param signer Key that signs attestations and proofs; must differ from the operator.
    /// @param endpoint HTTP base URL of the node's service.
    /// @param peerId libp2p peer id.
    /// @param multiaddrs libp2p listen addresses.
    /// @param tiers Bit mask of served tiers (1 = hot, 2 = cold).
    /// @param capacity Bytes offered.
    /// @param pricePerByteEpoch Price of one byte stored for one epoch, in token base units.
    struct NodeParams {
        address signer;
        string endpoint;
        string peerId;
        string[] multiaddrs;
        uint8 tiers;
        uint64 capacity;
        uint64 pricePerByteEpoch;
    }

    /// @notice A node as stored.
    struct NodeInfo {
        address operator;
        address signer;
        uint8 tiers;
        bool jailed;
        uint64 capacity;
        uint64 pricePerByteEpoch;
        uint64 unbondingAt;
        uint256 stake;
        string endpoint;
        string peerId;
        string[] multiaddrs;
    }

    /// @dev `nodeId` does not exist.
    error NodeRegistryUnknownNode(NodeId nodeId);
    /// @dev `account` is not the operator of `nodeId`.
    error NodeRegistryNotOperator(NodeId nodeId, address account);
    /// @dev The signing key is zero or equal to the operator.
    error NodeRegistryInvalidSigner(address signer);
    /// @dev The served-tiers mask is empty or has unknown bits.
    error NodeRegistryInvalidTiers(uint8 tiers);
    /// @dev Capacity must be positive.
    error NodeRegistryInvalidCapacity();
    /// @dev Price must be positive and fit 56 bits.
    error NodeRegistryInvalidPrice();
    /// @dev The registry holds the most nodes it can (2^24 - 1).
    error NodeRegistryFull();
    /// @dev The HTTP endpoint must not be empty.
    error NodeRegistryEmptyEndpoint();
    /// @dev Amounts must be positive.
    error NodeRegistryZeroAmount();
    /// @dev `nodeId` has asked to unstake; it cannot stake again or be chosen.
    error NodeRegistryUnbonding(NodeId nodeId);
    /// @dev `nodeId` has not asked to unstake.
    error NodeRegistryNotUnbonding(NodeId nodeId);
    /// @dev The unbonding delay of `nodeId` ends at `availableAt`.
    error NodeRegistryUnbondingNotElapsed(NodeId nodeId, uint64 availableAt);
    /// @dev `nodeId` still holds certified, unexpired blobs.
    error NodeRegistryStakeLocked(NodeId nodeId);
    /// @dev `nodeId` has no stake to withdraw.
    error NodeRegistryNothingToWithdraw(NodeId nodeId);
    /// @dev `nodeId` cannot be chosen: too little stake, unbonding or jailed.
    error NodeRegistryNodeInactive(NodeId nodeId);
    /// @dev `nodeId` does not serve `tier`.
    error NodeRegistryTierNotServed(NodeId nodeId, Tier tier);
    /// @dev The stake guard is already set.
    error NodeRegistryGuardAlreadySet();
    /// @dev A zero address where an address is needed.
    error NodeRegistryZeroAddress();

    /// @notice A node was registered.
    event NodeRegistered(
        NodeId indexed nodeId,
        address indexed operator,
        address signer,
        string endpoint,
        string peerId,
        string[] multiaddrs,
        uint8 tiers,
        uint64 capacity,
        uint64 pricePerByteEpoch
    );
    /// @notice A node's declaration was replaced.
    event NodeUpdated(
        NodeId indexed nodeId,
        address indexed operator,
        address signer,
        string endpoint,
        string peerId,
        string[] multiaddrs,
        uint8 tiers,
        uint64 capacity,
        uint64 pricePerByteEpoch
    );
    /// @notice `amount` was added to the stake of `nodeId` by `from`.
    event NodeStaked(NodeId indexed nodeId, address indexed from, uint256 amount, uint256 total);
    /// @notice The operator asked to unstake; funds unlock at `availableAt`.
    event UnstakeRequested(NodeId indexed nodeId, uint64 availableAt);
    /// @notice The stake of `nodeId` was paid out to `to`.
    event StakeWithdrawn(NodeId indexed nodeId, address indexed to, uint256 amount);
    /// @notice `amount` of the stake of `nodeId` was sent to `recipient`.
    event NodeSlashed(NodeId indexed nodeId, address indexed recipient, uint256 amount, uint256 remaining);
    /// @notice `nodeId` can no longer be chosen for new blobs.
    event NodeJailed(NodeId indexed nodeId);
    /// @notice The contract consulted before stake is released was set.
    event StakeGuardSet(address guard);

    /// @notice Registers a node operated by the caller.
    /// Requirements:
    /// - `params.signer` is non-zero and differs from the caller.
    /// - `params.tiers` is a non-empty subset of {hot, cold}; capacity is positive; the price is
    ///   positive and below 2^56;
    /// - fewer than 2^24 - 1 nodes are registered.
    /// - `params.endpoint` is not empty.
    function register(NodeParams calldata params) external returns (NodeId nodeId);

    /// @notice Replaces the declaration of `nodeId`.
    /// Requirements: the caller operates `nodeId`; `params` are valid as in {register}.
    function update(NodeId nodeId, NodeParams calldata params) external;

    /// @notice Adds `amount` of the token to the stake of `nodeId`, pulled from the caller.
    /// Requirements: `nodeId` exists, is not unbonding, and `amount` is positive.
    function stake(NodeId nodeId, uint256 amount) external;

    /// @notice Starts the unbonding delay; the node stops being chosen for new blobs.
    /// Requirements: the caller operates `nodeId`, which is not already unbonding.
    function requestUnstake(NodeId nodeId) external;

    /// @notice Pays the whole stake of `nodeId` to its operator.
    /// Requirements:
    /// - the caller operates `nodeId`, which asked to unstake at least `unbondingDelay` ago;
    /// - the node holds no certified, unexpired blob (the stake guard agrees);
    /// - the stake is positive.
    function withdraw(NodeId nodeId) external;

    /// @notice Sends up to `amount` of the stake of `nodeId` to `recipient`.
    /// Requirements: the caller has `SLASHER_ROLE`; `recipient` is non-zero.
    /// @return slashed The amount actually taken (capped by the stake).
    function slash(NodeId nodeId, uint256 amount, address recipient) external returns (uint256 slashed);

    /// @notice Bars `nodeId` from being chosen for new blobs.
    /// Requirements: the caller has `SLASHER_ROLE`.
    function jail(NodeId nodeId) external;

    /// @notice The prices of `nodeIds`, for a blob of `tier`.
    /// Requirements: every node is active and serves `tier`.
    function nodeTerms(NodeId[] calldata nodeIds, Tier tier) external view returns (uint64[] memory prices);

    /// @notice The current signing keys of `nodeIds` (zero for unknown nodes).
    function signersOf(NodeId[] calldata nodeIds) external view returns (address[] memory signers);

    /// @notice Everything stored about `nodeId`.
    function getNode(NodeId nodeId) external view returns (NodeInfo memory);

    /// @notice Whether `nodeId` can be chosen for new blobs.
    function isActive(NodeId nodeId) external view returns (bool);

    /// @notice The operator and signing key of `nodeId` (zero for unknown nodes).
    function nodeAccounts(NodeId nodeId) external view returns (address operator, address signer);

    /// @notice Number of nodes registered so far (ids run from 1 to this number).
    function nodeCount() external view returns (uint32);

    /// @notice The payment and staking token.
    function token() external view returns (IERC20);

    /// @notice Stake needed to be active.
    function minStake() external view returns (uint256);

    /// @notice Seconds between {requestUnstake} and {withdraw}.
    function unbondingDelay() external view returns (uint64);

    /// @notice The contract consulted before stake is released.
    function stakeGuard() external view returns (IStakeGuard);
}
