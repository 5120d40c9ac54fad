// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {IVaultRegistry} from "../interfaces/IVaultRegistry.sol";
import {BlobId, BlobStatus, NodeId} from "../interfaces/StrataTypes.sol";

/// @title VaultRegistry
/// @notice Vaults hosted on home nodes, their escrow and pay, their snapshots, and their moves.
/// See {IVaultRegistry}.
contract VaultRegistry is IVaultRegistry, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type a node signs when it restored a vault's snapshot.
    bytes32 public constant RESTORED_TYPEHASH =
        keccak256("Restored(uint64 vaultId,uint64 sequence,bytes32 manifestHash,uint32 nodeId)");

    IERC20 public immutable token;
    INodeRegistry public immutable registry;
    IStorageMarket public immutable market;
    uint64 public immutable epochSeconds;

    struct Vault {
        // slot 0
        address owner;
        NodeId home;
        bool closed;
        // slot 1
        uint64 quota;
        uint64 price;
        uint64 sequence;
        uint64 paidThrough;
        // slot 2
        uint64 settledAt;
        uint192 escrow;
        // slot 3
        bytes32 manifestHash;
    }

    mapping(uint64 vaultId => Vault) private _vaults;
    mapping(NodeId nodeId => uint256) private _credits;
    uint64 private _vaultCount;

    constructor(IERC20 token_, INodeRegistry registry_, IStorageMarket market_, uint64 epochSeconds_)
        EIP712("Strata VaultRegistry", "1")
    {
        token = token_;
        registry = registry_;
        market = market_;
        epochSeconds = epochSeconds_;
    }

    /// @inheritdoc IVaultRegistry
    function openVault(NodeId home, uint64 quota, uint32 epochs) external nonReentrant returns (uint64 vaultId) {
        uint64 price = _activePrice(home);
        if (quota == 0 || epochs == 0 || price == 0) revert VaultRegistryInvalidTerms();
        uint256 cost = uint256(price) * quota * epochs;
        vaultId = ++_vaultCount;
        uint64 paidThrough = uint64(block.timestamp) + epochs * epochSeconds;
        _vaults[vaultId] = Vault({
            owner: msg.sender,
            home: home,
            closed: false,
            quota: quota,
            price: price,
            sequence: 0,
            paidThrough: paidThrough,
            settledAt: uint64(block.timestamp),
            escrow: uint192(cost),
            manifestHash: bytes32(0)
        });
        emit VaultOpened(vaultId, msg.sender, home, quota, price, cost, paidThrough);
        token.safeTransferFrom(msg.sender, address(this), cost);
    }

    /// @inheritdoc IVaultRegistry
    function extend(uint64 vaultId, uint32 epochs) external nonReentrant {
        Vault storage vault = _open(vaultId);
        if (epochs == 0) revert VaultRegistryInvalidTerms();
        _settle(vaultId, vault);
        uint256 cost = uint256(vault.price) * vault.quota * epochs;
        // a lapsed vault starts again from now: the time it was not paid for is nobody's
        uint64 from = vault.paidThrough > block.timestamp ? vault.paidThrough : uint64(block.timestamp);
        if (from > vault.settledAt && vault.paidThrough <= block.timestamp) vault.settledAt = from;
        vault.paidThrough = from + epochs * epochSeconds;
        vault.escrow += uint192(cost);
        emit VaultExtended(vaultId, msg.sender, cost, vault.paidThrough);
        token.safeTransferFrom(msg.sender, address(this), cost);
    }

    /// @inheritdoc IVaultRegistry
    function commitSnapshot(uint64 vaultId, uint64 sequence, bytes calldata manifest, BlobId[] calldata blobs)
        external
    {
        Vault storage vault = _open(vaultId);
        if (msg.sender != vault.owner && !_isNode(vault.home, msg.sender)) {
            revert VaultRegistryNotOwnerOrHome(vaultId, msg.sender);
        }
        if (sequence <= vault.sequence) revert VaultRegistryStaleSnapshot(vaultId, vault.sequence, sequence);
        for (uint256 i = 0; i < blobs.length; ++i) {
            if (market.getBlob(blobs[i]).status != BlobStatus.Certified) revert VaultRegistryBlobNotCertified(blobs[i]);
        }
        vault.sequence = sequence;
        vault.manifestHash = keccak256(manifest);
        emit SnapshotCommitted(vaultId, sequence, manifest, blobs, msg.sender);
    }

    /// @inheritdoc IVaultRegistry
    function moveHome(uint64 vaultId, NodeId to, bytes calldata signature) external nonReentrant {
        Vault storage vault = _open(vaultId);
        if (msg.sender != vault.owner) revert VaultRegistryNotOwner(vaultId, msg.sender);
        NodeId from = vault.home;
        if (from == to) revert VaultRegistrySameHome(vaultId, to);
        uint64 price = _activePrice(to);
        bytes32 digest = _restoreDigest(vaultId, vault.sequence, vault.manifestHash, to);
        if (!SignatureChecker.isValidSignatureNowCalldata(registry.getNode(to).signer, digest, signature)) {
            revert VaultRegistryInvalidRestore(vaultId, to);
        }
        _settle(vaultId, vault);
        // what is left of the escrow pays the new home at its own price, from now
        uint256 perEpoch = uint256(price) * vault.quota;
        uint64 now_ = uint64(block.timestamp);
        vault.home = to;
        vault.price = price;
        vault.settledAt = now_;
        vault.paidThrough = now_ + uint64((uint256(vault.escrow) * epochSeconds) / perEpoch);
        emit HomeMoved(vaultId, from, to, vault.sequence, price, vault.paidThrough);
    }

    /// @inheritdoc IVaultRegistry
    function settle(uint64 vaultId) external {
        _settle(vaultId, _open(vaultId));
    }

    /// @inheritdoc IVaultRegistry
    function close(uint64 vaultId) external nonReentrant {
        Vault storage vault = _open(vaultId);
        if (msg.sender != vault.owner) revert VaultRegistryNotOwner(vaultId, msg.sender);
        _settle(vaultId, vault);
        uint256 refund = vault.escrow;
        vault.escrow = 0;
        vault.closed = true;
        emit VaultClosed(vaultId, refund);
        if (refund > 0) token.safeTransfer(vault.owner, refund);
    }

    /// @inheritdoc IVaultRegistry
    function claim(NodeId nodeId) external nonReentrant returns (uint256 amount) {
        address operator = registry.getNode(nodeId).operator;
        if (msg.sender != operator) revert VaultRegistryNotOperator(nodeId, msg.sender);
        amount = _credits[nodeId];
        if (amount == 0) revert VaultRegistryNothingToClaim(nodeId);
        _credits[nodeId] = 0;
        emit VaultPayClaimed(nodeId, operator, amount);
        token.safeTransfer(operator, amount);
    }

    /// @inheritdoc IVaultRegistry
    function getVault(uint64 vaultId) external view returns (VaultInfo memory) {
        Vault storage vault = _vaults[vaultId];
        if (vault.owner == address(0)) revert VaultRegistryUnknownVault(vaultId);
        return VaultInfo({
            owner: vault.owner,
            home: vault.home,
            closed: vault.closed,
            quota: vault.quota,
            pricePerByteEpoch: vault.price,
            sequence: vault.sequence,
            paidThrough: vault.paidThrough,
            settledAt: vault.settledAt,
            escrow: vault.escrow,
            manifestHash: vault.manifestHash
        });
    }

    /// @inheritdoc IVaultRegistry
    function creditOf(NodeId nodeId) external view returns (uint256) {
        return _credits[nodeId];
    }

    /// @inheritdoc IVaultRegistry
    function restoreDigest(uint64 vaultId, uint64 sequence, bytes32 manifestHash, NodeId nodeId)
        external
        view
        returns (bytes32)
    {
        return _restoreDigest(vaultId, sequence, manifestHash, nodeId);
    }

    /// @dev Credits the home for every second hosted since the last settlement that the escrow
    /// covers (never past `paidThrough`, never more than the escrow).
    function _settle(uint64 vaultId, Vault storage vault) private {
        uint64 until = vault.paidThrough < block.timestamp ? vault.paidThrough : uint64(block.timestamp);
        if (until <= vault.settledAt) return;
        uint256 owed = (uint256(vault.price) * vault.quota * (until - vault.settledAt)) / epochSeconds;
        if (owed > vault.escrow) owed = vault.escrow;
        vault.escrow -= uint192(owed);
        vault.settledAt = until;
        _credits[vault.home] += owed;
        emit VaultSettled(vaultId, vault.home, owed, until);
    }

    function _open(uint64 vaultId) private view returns (Vault storage vault) {
        vault = _vaults[vaultId];
        if (vault.owner == address(0)) revert VaultRegistryUnknownVault(vaultId);
        if (vault.closed) revert VaultRegistryClosed(vaultId);
    }

    function _activePrice(NodeId nodeId) private view returns (uint64) {
        if (!registry.isActive(nodeId)) revert VaultRegistryNodeInactive(nodeId);
        return registry.getNode(nodeId).pricePerByteEpoch;
    }

    function _isNode(NodeId nodeId, address account) private view returns (bool) {
        INodeRegistry.NodeInfo memory node = registry.getNode(nodeId);
        return account == node.operator || account == node.signer;
    }

    function _restoreDigest(uint64 vaultId, uint64 sequence, bytes32 manifestHash, NodeId nodeId)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(abi.encode(RESTORED_TYPEHASH, vaultId, sequence, manifestHash, NodeId.unwrap(nodeId)))
        );
    }
}
