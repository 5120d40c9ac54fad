// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {BlobId, NodeId} from "./StrataTypes.sol";

/// @title IVaultRegistry
/// @notice Vaults: a user's live files and database hosted on a home node, paid per byte of quota
/// per epoch from escrow, snapshotted into Strata as certified blobs, and moved to another node only
/// with that node's EIP-712 signature that it restored exactly the vault's last snapshot.
///
/// Pay runs by the second: the home earns `price * quota / epochSeconds` for every second the
/// escrow covers while it hosts, credited when anything touches the vault and claimed by its
/// operator; closing refunds what is left. A move settles the old home, and the escrow left pays
/// the new home at its own price.
interface IVaultRegistry {
    /// @notice A vault as the chain keeps it.
    struct VaultInfo {
        address owner;
        NodeId home;
        bool closed;
        uint64 quota;
        uint64 pricePerByteEpoch;
        uint64 sequence;
        uint64 paidThrough;
        uint64 settledAt;
        uint256 escrow;
        bytes32 manifestHash;
    }

    /// @dev No vault has this id.
    error VaultRegistryUnknownVault(uint64 vaultId);
    /// @dev Only the vault's owner may do this.
    error VaultRegistryNotOwner(uint64 vaultId, address account);
    /// @dev Only the owner or the home node (its operator or signer) may commit a snapshot.
    error VaultRegistryNotOwnerOrHome(uint64 vaultId, address account);
    /// @dev The vault was closed.
    error VaultRegistryClosed(uint64 vaultId);
    /// @dev The node is not active (unknown, unbonded, unbonding or jailed).
    error VaultRegistryNodeInactive(NodeId nodeId);
    /// @dev A quota of zero, zero epochs, or a price of zero.
    error VaultRegistryInvalidTerms();
    /// @dev `given` is not above the vault's snapshot sequence `current`.
    error VaultRegistryStaleSnapshot(uint64 vaultId, uint64 current, uint64 given);
    /// @dev A blob a snapshot names is not certified.
    error VaultRegistryBlobNotCertified(BlobId blobId);
    /// @dev The signature is not the target node's over the vault's current snapshot.
    error VaultRegistryInvalidRestore(uint64 vaultId, NodeId nodeId);
    /// @dev The vault already lives on this node.
    error VaultRegistrySameHome(uint64 vaultId, NodeId nodeId);
    /// @dev The node has no pay to claim.
    error VaultRegistryNothingToClaim(NodeId nodeId);
    /// @dev Only the node's operator may claim its pay.
    error VaultRegistryNotOperator(NodeId nodeId, address account);

    /// @notice `owner` opened vault `vaultId` on `home` with `quota` bytes, paid through `paidThrough`.
    event VaultOpened(
        uint64 indexed vaultId,
        address indexed owner,
        NodeId indexed home,
        uint64 quota,
        uint64 pricePerByteEpoch,
        uint256 escrow,
        uint64 paidThrough
    );
    /// @notice `payer` paid `amount` more: the vault is paid through `paidThrough`.
    event VaultExtended(uint64 indexed vaultId, address indexed payer, uint256 amount, uint64 paidThrough);
    /// @notice Snapshot `sequence` of the vault was committed: its manifest and the blobs holding it.
    event SnapshotCommitted(
        uint64 indexed vaultId, uint64 sequence, bytes manifest, BlobId[] blobs, address committer
    );
    /// @notice The vault moved from `from` to `to`, which signed that it restored snapshot `sequence`;
    /// it now pays `pricePerByteEpoch` and is paid through `paidThrough`.
    event HomeMoved(
        uint64 indexed vaultId,
        NodeId indexed from,
        NodeId indexed to,
        uint64 sequence,
        uint64 pricePerByteEpoch,
        uint64 paidThrough
    );
    /// @notice The home was credited `amount` for hosting up to `settledAt`.
    event VaultSettled(uint64 indexed vaultId, NodeId indexed home, uint256 amount, uint64 settledAt);
    /// @notice The vault was closed; `refund` went back to its owner.
    event VaultClosed(uint64 indexed vaultId, uint256 refund);
    /// @notice The node's operator claimed `amount` of vault pay.
    event VaultPayClaimed(NodeId indexed nodeId, address indexed operator, uint256 amount);

    /// @notice Opens a vault on `home` with `quota` bytes for `epochs` epochs, paying
    /// `price * quota * epochs` (the home's current price) from the caller into escrow.
    function openVault(NodeId home, uint64 quota, uint32 epochs) external returns (uint64 vaultId);

    /// @notice Pays for `epochs` more epochs at the vault's price (anyone may pay).
    function extend(uint64 vaultId, uint32 epochs) external;

    /// @notice Records snapshot `sequence` (above the last): `manifest` is the manifest's CID, each
    /// of `blobs` certified in the StorageMarket. The owner or the home node commits.
    function commitSnapshot(uint64 vaultId, uint64 sequence, bytes calldata manifest, BlobId[] calldata blobs)
        external;

    /// @notice Moves the vault to `to`, whose signing key signed `Restored(uint64 vaultId,uint64
    /// sequence,bytes32 manifestHash,uint32 nodeId)` for the vault's current snapshot (domain
    /// "Strata VaultRegistry", "1", this chain and contract). Only the owner moves a vault.
    function moveHome(uint64 vaultId, NodeId to, bytes calldata signature) external;

    /// @notice Credits the home for the time hosted so far.
    function settle(uint64 vaultId) external;

    /// @notice Closes the vault: the home is paid to now, the rest of the escrow goes to the owner.
    function close(uint64 vaultId) external;

    /// @notice Pays a node's operator its vault pay.
    function claim(NodeId nodeId) external returns (uint256 amount);

    /// @notice The vault `vaultId`.
    function getVault(uint64 vaultId) external view returns (VaultInfo memory);

    /// @notice Vault pay credited to `nodeId` and not claimed.
    function creditOf(NodeId nodeId) external view returns (uint256);

    /// @notice The EIP-712 digest node `nodeId` signs when it restored snapshot `sequence` of the vault.
    function restoreDigest(uint64 vaultId, uint64 sequence, bytes32 manifestHash, NodeId nodeId)
        external
        view
        returns (bytes32);
}
