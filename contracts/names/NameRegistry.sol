// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {INameRegistry} from "../interfaces/INameRegistry.sol";

/// @title NameRegistry
/// @notice Names anchored on chain, namespaced by owner, with strictly increasing sequences,
/// relayed updates signed with EIP-712, and locks. See {INameRegistry}.
///
/// An update reads one slot (owner, lock) and writes two: the hash of the value and IPNS key, and
/// the sequence, validity, TTL and block packed together; the bytes travel in the
/// {NamePublished} event, so an update costs well under one and a half token transfers.
contract NameRegistry is INameRegistry, EIP712 {
    /// @notice EIP-712 type of a relayed update.
    bytes32 public constant PUBLISH_TYPEHASH = keccak256(
        "Publish(address owner,string label,bytes value,uint64 sequence,uint64 validity,uint32 ttl,bytes ipnsKey)"
    );

    uint256 private constant MAX_LABEL = 64;
    uint256 private constant MAX_VALUE = 128;

    /// @dev Laid out so an update reads slot 0 and writes slots 1 and 2 only.
    struct Name {
        address owner;
        bool locked;
        bytes32 updateHash;
        uint64 sequence;
        uint64 validity;
        uint32 ttl;
        uint64 updatedBlock;
    }

    mapping(bytes32 nameId => Name) private _names;

    constructor() EIP712("Strata NameRegistry", "1") {}

    /// @inheritdoc INameRegistry
    function publish(string calldata label, Update calldata update) external returns (bytes32 nameId) {
        return _publish(msg.sender, label, update);
    }

    /// @inheritdoc INameRegistry
    function publishFor(address owner, string calldata label, Update calldata update, bytes calldata signature)
        external
        returns (bytes32 nameId)
    {
        if (!SignatureChecker.isValidSignatureNowCalldata(owner, _publishDigest(owner, label, update), signature)) {
            revert NameRegistryInvalidSignature(owner);
        }
        return _publish(owner, label, update);
    }

    /// @inheritdoc INameRegistry
    function lock(string calldata label) external {
        bytes32 nameId = nameIdOf(msg.sender, label);
        Name storage name = _names[nameId];
        if (name.owner == address(0)) revert NameRegistryUnknownName(nameId);
        if (name.locked) revert NameRegistryNameLocked(nameId);
        name.locked = true;
        emit NameLocked(nameId, msg.sender, name.sequence);
    }

    /// @inheritdoc INameRegistry
    function nameIdOf(address owner, string calldata label) public pure returns (bytes32) {
        return keccak256(abi.encode(owner, keccak256(bytes(label))));
    }

    /// @inheritdoc INameRegistry
    function recordOf(bytes32 nameId) external view returns (NameRecord memory record) {
        Name storage name = _names[nameId];
        return NameRecord({
            owner: name.owner,
            sequence: name.sequence,
            locked: name.locked,
            validity: name.validity,
            ttl: name.ttl,
            updatedBlock: name.updatedBlock,
            updateHash: name.updateHash
        });
    }

    /// @inheritdoc INameRegistry
    function publishDigest(address owner, string calldata label, Update calldata update)
        external
        view
        returns (bytes32)
    {
        return _publishDigest(owner, label, update);
    }

    function _publish(address owner, string calldata label, Update calldata update) private returns (bytes32 nameId) {
        _checkUpdate(label, update);
        nameId = nameIdOf(owner, label);
        Name storage name = _names[nameId];
        if (name.locked) revert NameRegistryNameLocked(nameId);
        if (name.owner == address(0)) {
            name.owner = owner;
        } else if (update.sequence <= name.sequence) {
            revert NameRegistryStaleSequence(nameId, name.sequence, update.sequence);
        }
        name.updateHash = keccak256(abi.encode(update.value, update.ipnsKey));
        name.sequence = update.sequence;
        name.validity = update.validity;
        name.ttl = update.ttl;
        name.updatedBlock = uint64(block.number);
        _emitPublished(nameId, owner, label, update);
    }

    function _checkUpdate(string calldata label, Update calldata update) private view {
        uint256 labelLength = bytes(label).length;
        if (labelLength == 0 || labelLength > MAX_LABEL) revert NameRegistryInvalidLabel();
        uint256 valueLength = update.value.length;
        uint256 keyLength = update.ipnsKey.length;
        if (valueLength == 0 || valueLength > MAX_VALUE || keyLength == 0 || keyLength > MAX_VALUE) {
            revert NameRegistryInvalidValue();
        }
        if (update.validity <= block.timestamp) revert NameRegistryInvalidValidity(update.validity);
    }

    function _emitPublished(bytes32 nameId, address owner, string calldata label, Update calldata update) private {
        emit NamePublished(
            nameId, owner, label, update.value, update.sequence, update.validity, update.ttl, update.ipnsKey
        );
    }

    function _publishDigest(address owner, string calldata label, Update calldata update)
        private
        view
        returns (bytes32)
    {
        return _hashTypedDataV4(
            keccak256(
                abi.encode(
                    PUBLISH_TYPEHASH,
                    owner,
                    keccak256(bytes(label)),
                    keccak256(update.value),
                    update.sequence,
                    update.validity,
                    update.ttl,
                    keccak256(update.ipnsKey)
                )
            )
        );
    }
}
