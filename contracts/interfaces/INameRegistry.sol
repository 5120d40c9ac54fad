// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title INameRegistry
/// @notice Mutable names anchored on chain: a pointer from a name to a value (an ENSIP-7
/// contenthash, e.g. `0xe301` + a CIDv1) that moves to the latest version. A name is namespaced by
/// its owner (`nameId = keccak256(abi.encode(owner, label))`): nobody can take another owner's
/// name, and there is nothing to squat or auction. Each update carries a strictly increasing
/// sequence number, a validity (the time after which the value must not be used) and a TTL (how
/// long resolvers may cache it), and travels also as a standard IPNS record signed under
/// `ipnsKey` with the same value and sequence; the chain is the authority for the sequence.
///
/// The contract keeps a hash of the value and IPNS key and the block of the last update; the
/// {NamePublished} event of that block carries the bytes (docs/protocol.md, "Names").
interface INameRegistry {
    /// @notice What one update sets.
    /// @param value ENSIP-7 contenthash of the target (1 to 128 bytes).
    /// @param sequence Strictly greater than the name's current sequence (the first is any value).
    /// @param validity Unix time after which the value must not be used; in the future.
    /// @param ttl Seconds a resolver may cache the value.
    /// @param ipnsKey The IPNS name (a libp2p public key, protobuf-encoded) the update is mirrored under.
    struct Update {
        bytes value;
        uint64 sequence;
        uint64 validity;
        uint32 ttl;
        bytes ipnsKey;
    }

    /// @notice A name as the chain keeps it.
    struct NameRecord {
        address owner;
        uint64 sequence;
        bool locked;
        uint64 validity;
        uint32 ttl;
        uint64 updatedBlock;
        /// @dev keccak256(abi.encode(value, ipnsKey)) of the last update.
        bytes32 updateHash;
    }

    /// @dev `given` is not above the name's current sequence `current`.
    error NameRegistryStaleSequence(bytes32 nameId, uint64 current, uint64 given);
    /// @dev The name was locked: it never changes again.
    error NameRegistryNameLocked(bytes32 nameId);
    /// @dev The signature is not the owner's over this update, on this chain and contract.
    error NameRegistryInvalidSignature(address owner);
    /// @dev The label is empty or longer than 64 bytes.
    error NameRegistryInvalidLabel();
    /// @dev The value is empty or longer than 128 bytes, or the IPNS key empty or over 128 bytes.
    error NameRegistryInvalidValue();
    /// @dev The validity is not in the future.
    error NameRegistryInvalidValidity(uint64 validity);
    /// @dev No update was ever published under `nameId`.
    error NameRegistryUnknownName(bytes32 nameId);

    /// @notice `owner` published `value` under `label` at `sequence` (by itself or through a
    /// relayer carrying its signature).
    event NamePublished(
        bytes32 indexed nameId,
        address indexed owner,
        string label,
        bytes value,
        uint64 sequence,
        uint64 validity,
        uint32 ttl,
        bytes ipnsKey
    );
    /// @notice The name will never change again; its last value stays at `sequence`.
    event NameLocked(bytes32 indexed nameId, address indexed owner, uint64 sequence);

    /// @notice Publishes an update of the caller's name `label`.
    /// Requirements:
    /// - `label` is 1 to 64 bytes; `update.value` and `update.ipnsKey` are 1 to 128 bytes;
    /// - `update.validity` is in the future;
    /// - the name is not locked and `update.sequence` is above its current sequence.
    function publish(string calldata label, Update calldata update) external returns (bytes32 nameId);

    /// @notice Publishes an update of `owner`'s name `label`, relayed by anyone: `signature` is
    /// `owner`'s EIP-712 signature of `Publish(address owner,string label,bytes value,uint64
    /// sequence,uint64 validity,uint32 ttl,bytes ipnsKey)` (domain "Strata NameRegistry", "1", this
    /// chain and contract). A replay is refused by the sequence rule.
    /// Requirements: those of {publish}; the signature is `owner`'s (ECDSA or ERC-1271).
    function publishFor(address owner, string calldata label, Update calldata update, bytes calldata signature)
        external
        returns (bytes32 nameId);

    /// @notice Locks the caller's name `label` forever at its current value.
    /// Requirements: the name was published and is not locked.
    function lock(string calldata label) external;

    /// @notice The id of `owner`'s name `label`.
    function nameIdOf(address owner, string calldata label) external pure returns (bytes32);

    /// @notice The chain's record of `nameId` (zero owner if never published).
    function recordOf(bytes32 nameId) external view returns (NameRecord memory);

    /// @notice The EIP-712 digest `owner` signs to have {publishFor} relay `update` of `label`.
    function publishDigest(address owner, string calldata label, Update calldata update)
        external
        view
        returns (bytes32);
}
