// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStakeGuard} from "../interfaces/IStakeGuard.sol";
import {NodeId, Tier, TIER_COLD_BIT, TIER_HOT_BIT, tierBit} from "../interfaces/StrataTypes.sol";

/// @title NodeRegistry
/// @notice Registry and staking of Strata storage nodes. See {INodeRegistry}.
contract NodeRegistry is INodeRegistry, AccessControl, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice Role of the protocol contracts allowed to slash and jail.
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");
    /// @notice Highest price per byte per epoch (56 bits: the market packs holders tightly).
    uint64 public constant MAX_PRICE = type(uint56).max;
    /// @notice Most nodes the registry holds (24-bit ids, for the same reason).
    uint32 public constant MAX_NODES = type(uint24).max;

    struct Node {
        // slot 0: what decides whether the node can be chosen
        address operator;
        uint8 tiers;
        bool jailed;
        bool bonded; // stake >= minStake
        uint64 unbondingAt;
        // slot 1: what a blob registration and certification read
        address signer;
        uint64 pricePerByteEpoch;
        // slot 2
        uint64 capacity;
        uint128 stake;
        string endpoint;
        string peerId;
        string[] multiaddrs;
    }

    IERC20 private immutable _token;
    uint256 private immutable _minStake;
    uint64 private immutable _unbondingDelay;

    IStakeGuard private _stakeGuard;
    uint32 private _nodeCount;
    mapping(NodeId => Node) private _nodes;

    /// @param token_ The staking token (the market's payment token).
    /// @param minStake_ Stake needed for a node to be chosen.
    /// @param unbondingDelay_ Seconds between asking to unstake and withdrawing.
    /// @param admin Holder of `DEFAULT_ADMIN_ROLE` (grants `SLASHER_ROLE`, sets the guard).
    constructor(IERC20 token_, uint256 minStake_, uint64 unbondingDelay_, address admin) {
        if (address(token_) == address(0) || admin == address(0)) revert NodeRegistryZeroAddress();
        if (minStake_ == 0) revert NodeRegistryZeroAmount();
        _token = token_;
        _minStake = minStake_;
        _unbondingDelay = unbondingDelay_;
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    modifier onlyOperator(NodeId nodeId) {
        address operator = _nodes[nodeId].operator;
        if (operator == address(0)) revert NodeRegistryUnknownNode(nodeId);
        if (operator != msg.sender) revert NodeRegistryNotOperator(nodeId, msg.sender);
        _;
    }

    /// @inheritdoc INodeRegistry
    function register(NodeParams calldata params) external returns (NodeId nodeId) {
        _validate(params);
        if (_nodeCount == MAX_NODES) revert NodeRegistryFull();
        nodeId = NodeId.wrap(++_nodeCount);
        Node storage node = _nodes[nodeId];
        node.operator = msg.sender;
        _store(node, params);
        emit NodeRegistered(
            nodeId,
            msg.sender,
            params.signer,
            params.endpoint,
            params.peerId,
            params.multiaddrs,
            params.tiers,
            params.capacity,
            params.pricePerByteEpoch
        );
    }

    /// @inheritdoc INodeRegistry
    function update(NodeId nodeId, NodeParams calldata params) external onlyOperator(nodeId) {
        _validate(params);
        _store(_nodes[nodeId], params);
        emit NodeUpdated(
            nodeId,
            msg.sender,
            params.signer,
            params.endpoint,
            params.peerId,
            params.multiaddrs,
            params.tiers,
            params.capacity,
            params.pricePerByteEpoch
        );
    }

    /// @inheritdoc INodeRegistry
    function stake(NodeId nodeId, uint256 amount) external nonReentrant {
        Node storage node = _existing(nodeId);
        if (amount == 0) revert NodeRegistryZeroAmount();
        if (node.unbondingAt != 0) revert NodeRegistryUnbonding(nodeId);
        uint256 total = node.stake + amount;
        node.stake = uint128(total);
        node.bonded = total >= _minStake;
        emit NodeStaked(nodeId, msg.sender, amount, total);
        _token.safeTransferFrom(msg.sender, address(this), amount);
    }

    /// @inheritdoc INodeRegistry
    function requestUnstake(NodeId nodeId) external onlyOperator(nodeId) {
        Node storage node = _nodes[nodeId];
        if (node.unbondingAt != 0) revert NodeRegistryUnbonding(nodeId);
        uint64 availableAt = uint64(block.timestamp) + _unbondingDelay;
        node.unbondingAt = availableAt;
        emit UnstakeRequested(nodeId, availableAt);
    }

    /// @inheritdoc INodeRegistry
    function withdraw(NodeId nodeId) external nonReentrant onlyOperator(nodeId) {
        Node storage node = _nodes[nodeId];
        uint64 availableAt = node.unbondingAt;
        if (availableAt == 0) revert NodeRegistryNotUnbonding(nodeId);
        if (block.timestamp < availableAt) revert NodeRegistryUnbondingNotElapsed(nodeId, availableAt);
        IStakeGuard guard = _stakeGuard;
        if (address(guard) != address(0) && guard.isStakeLocked(nodeId)) revert NodeRegistryStakeLocked(nodeId);
        uint256 amount = node.stake;
        if (amount == 0) revert NodeRegistryNothingToWithdraw(nodeId);
        node.stake = 0;
        node.bonded = false;
        emit StakeWithdrawn(nodeId, msg.sender, amount);
        _token.safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc INodeRegistry
    function slash(NodeId nodeId, uint256 amount, address recipient)
        external
        nonReentrant
        onlyRole(SLASHER_ROLE)
        returns (uint256 slashed)
    {
        if (recipient == address(0)) revert NodeRegistryZeroAddress();
        Node storage node = _existing(nodeId);
        uint256 available = node.stake;
        slashed = amount < available ? amount : available;
        uint256 remaining = available - slashed;
        node.stake = uint128(remaining);
        node.bonded = remaining >= _minStake;
        emit NodeSlashed(nodeId, recipient, slashed, remaining);
        if (slashed != 0) _token.safeTransfer(recipient, slashed);
    }

    /// @inheritdoc INodeRegistry
    function jail(NodeId nodeId) external onlyRole(SLASHER_ROLE) {
        _existing(nodeId).jailed = true;
        emit NodeJailed(nodeId);
    }

    /// @notice Sets the contract consulted before stake is released (the StorageMarket).
    /// Requirements: the caller has `DEFAULT_ADMIN_ROLE`; the guard was not set before.
    function setStakeGuard(IStakeGuard guard) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(guard) == address(0)) revert NodeRegistryZeroAddress();
        if (address(_stakeGuard) != address(0)) revert NodeRegistryGuardAlreadySet();
        _stakeGuard = guard;
        emit StakeGuardSet(address(guard));
    }

    /// @inheritdoc INodeRegistry
    function nodeTerms(NodeId[] calldata nodeIds, Tier tier) external view returns (uint64[] memory prices) {
        uint256 count = nodeIds.length;
        prices = new uint64[](count);
        uint8 bit = tierBit(tier);
        for (uint256 i = 0; i < count; ++i) {
            NodeId nodeId = nodeIds[i];
            Node storage node = _nodes[nodeId];
            if (!_isActive(node)) revert NodeRegistryNodeInactive(nodeId);
            if (node.tiers & bit == 0) revert NodeRegistryTierNotServed(nodeId, tier);
            prices[i] = node.pricePerByteEpoch;
        }
    }

    /// @inheritdoc INodeRegistry
    function signersOf(NodeId[] calldata nodeIds) external view returns (address[] memory signers) {
        signers = new address[](nodeIds.length);
        for (uint256 i = 0; i < nodeIds.length; ++i) {
            signers[i] = _nodes[nodeIds[i]].signer;
        }
    }

    /// @inheritdoc INodeRegistry
    function getNode(NodeId nodeId) external view returns (NodeInfo memory info) {
        Node storage node = _existing(nodeId);
        info = NodeInfo({
            operator: node.operator,
            signer: node.signer,
            tiers: node.tiers,
            jailed: node.jailed,
            capacity: node.capacity,
            pricePerByteEpoch: node.pricePerByteEpoch,
            unbondingAt: node.unbondingAt,
            stake: node.stake,
            endpoint: node.endpoint,
            peerId: node.peerId,
            multiaddrs: node.multiaddrs
        });
    }

    /// @inheritdoc INodeRegistry
    function isActive(NodeId nodeId) external view returns (bool) {
        return _isActive(_nodes[nodeId]);
    }

    /// @inheritdoc INodeRegistry
    function nodeAccounts(NodeId nodeId) external view returns (address operator, address signer) {
        Node storage node = _nodes[nodeId];
        return (node.operator, node.signer);
    }

    /// @inheritdoc INodeRegistry
    function nodeCount() external view returns (uint32) {
        return _nodeCount;
    }

    /// @inheritdoc INodeRegistry
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @inheritdoc INodeRegistry
    function minStake() external view returns (uint256) {
        return _minStake;
    }

    /// @inheritdoc INodeRegistry
    function unbondingDelay() external view returns (uint64) {
        return _unbondingDelay;
    }

    /// @inheritdoc INodeRegistry
    function stakeGuard() external view returns (IStakeGuard) {
        return _stakeGuard;
    }

    function _existing(NodeId nodeId) private view returns (Node storage node) {
        node = _nodes[nodeId];
        if (node.operator == address(0)) revert NodeRegistryUnknownNode(nodeId);
    }

    function _isActive(Node storage node) private view returns (bool) {
        return node.operator != address(0) && !node.jailed && node.bonded && node.unbondingAt == 0;
    }

    function _validate(NodeParams calldata params) private view {
        if (params.signer == address(0) || params.signer == msg.sender) revert NodeRegistryInvalidSigner(params.signer);
        uint8 tiers = params.tiers;
        if (tiers == 0 || tiers & ~(TIER_HOT_BIT | TIER_COLD_BIT) != 0) revert NodeRegistryInvalidTiers(tiers);
        if (params.capacity == 0) revert NodeRegistryInvalidCapacity();
        if (params.pricePerByteEpoch == 0 || params.pricePerByteEpoch > MAX_PRICE) revert NodeRegistryInvalidPrice();
        if (bytes(params.endpoint).length == 0) revert NodeRegistryEmptyEndpoint();
    }

    function _store(Node storage node, NodeParams calldata params) private {
        node.signer = params.signer;
        node.tiers = params.tiers;
        node.capacity = params.capacity;
        node.pricePerByteEpoch = params.pricePerByteEpoch;
        node.endpoint = params.endpoint;
        node.peerId = params.peerId;
        delete node.multiaddrs;
        for (uint256 i = 0; i < params.multiaddrs.length; ++i) {
            node.multiaddrs.push(params.multiaddrs[i]);
        }
    }
}
