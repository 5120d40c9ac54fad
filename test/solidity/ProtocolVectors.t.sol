// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {MessageHashUtils} from "@openzeppelin/contracts/utils/cryptography/MessageHashUtils.sol";
import {IMarketHooks} from "../../contracts/interfaces/IMarketHooks.sol";
import {IProofSystem} from "../../contracts/interfaces/IProofSystem.sol";
import {BlobId, NodeId, Tier, blobIdFor} from "../../contracts/interfaces/StrataTypes.sol";
import {BlobTerms} from "../../contracts/market/BlobTerms.sol";
import {ProofSampling} from "../../contracts/proofs/ProofSampling.sol";
import {Periods} from "../../contracts/proofs/Periods.sol";

/// @dev The cheatcodes these tests use (Hardhat's Solidity test runner implements them).
interface Vm {
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function parseJsonBool(string calldata json, string calldata key) external pure returns (bool);
    function parseJsonAddress(string calldata json, string calldata key) external pure returns (address);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function signCompact(uint256 privateKey, bytes32 digest) external pure returns (bytes32 r, bytes32 vs);
    function toString(uint256 value) external pure returns (string memory);
}

/// @dev The market's side of sampling, as the vectors describe it: entry i of the set is blob
/// i + 1, live or dead, of a given size.
contract VectorMarketHooks is IMarketHooks {
    mapping(BlobId => bool) private _live;
    mapping(BlobId => uint64) private _size;

    function set(BlobId blobId, bool live, uint64 size) external {
        _live[blobId] = live;
        _size[blobId] = size;
    }

    function challengeTarget(BlobId blobId, uint8, uint32) external view returns (bool, bytes32, uint64) {
        return (_live[blobId], keccak256(abi.encode(blobId)), _size[blobId]);
    }

    function enrollHolder(BlobId, NodeId, uint8) external pure returns (bool) {
        return true;
    }

    function isDeadFor(BlobId blobId, uint8, uint32) external view returns (bool) {
        return !_live[blobId];
    }

    function dropHolder(BlobId, uint8) external pure {}
}

/// @dev The proof system's own sampling code (ProofSampling, over ProofSetBook) on a set the test
/// writes; every other entry point of the proof system is left out.
contract SamplingHarness is ProofSampling {
    IMarketHooks private immutable _hooks;
    uint8 private _samples;

    error NotInHarness();

    constructor(IMarketHooks hooks) Periods(1, 60, 60) {
        _hooks = hooks;
    }

    /// @dev Replaces the node's set with blobs 1..count, holder 0, in that order.
    function fill(NodeId nodeId, uint256 count) external {
        uint256[] storage set = _setOf(nodeId);
        while (set.length > 0) set.pop();
        for (uint256 i = 0; i < count; ++i) {
            set.push(i + 1);
        }
    }

    /// @dev The samples of `nodeId` in `period` for `seed` over its whole set, as `challenges` draws them.
    function draw(NodeId nodeId, uint32 period, bytes32 seed, uint8 samples) external returns (Challenge[] memory) {
        _samples = samples;
        uint256[] memory set = _setOf(nodeId);
        return _sampleSet(nodeId, period, seed, set);
    }

    function _marketHooks() internal view override returns (IMarketHooks) {
        return _hooks;
    }

    function _sampleCount() internal view override returns (uint8) {
        return _samples;
    }

    function commitSeed() external pure {
        revert NotInHarness();
    }

    function enroll(NodeId, BlobId[] calldata, uint8[] calldata) external pure {
        revert NotInHarness();
    }

    function prune(NodeId, BlobId[] calldata) external pure {
        revert NotInHarness();
    }

    function submitProof(NodeId, bytes calldata) external pure {
        revert NotInHarness();
    }

    function reportMissedProof(NodeId, uint32) external pure {
        revert NotInHarness();
    }

    function challenges(NodeId) external pure returns (Challenge[] memory) {
        revert NotInHarness();
    }

    function seedOf(uint32) external pure returns (bytes32) {
        revert NotInHarness();
    }

    function isProven(NodeId, uint32) external pure returns (bool) {
        revert NotInHarness();
    }

    function currentPeriod() external pure returns (uint32) {
        revert NotInHarness();
    }
}

/// @notice docs/protocol-vectors.json against the contracts' own code (the file the TypeScript
/// tests check too): blob ids (StrataTypes.blobIdFor), EIP-712 digests and signatures of
/// attestations and delete requests, period seeds, the samples a seed draws (ProofSampling),
/// prices, fees and quorums (BlobTerms); and the binary CID of one-chunk blobs in
/// docs/cid-vectors.json. ProtocolLive.t.sol replays the rest on a deployed market.
contract ProtocolVectorsTest {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    bytes32 private constant DOMAIN_TYPEHASH =
        keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");

    error Mismatch(string what, uint256 vector);

    string private constant VECTORS = "./docs/protocol-vectors.json";

    function testBlobIds() public view {
        string memory json = VM.readFile(VECTORS);
        for (uint256 v = 0; ; ++v) {
            string memory key = string.concat(".blobIds[", VM.toString(v), "]");
            address market;
            try VM.parseJsonAddress(json, string.concat(key, ".market")) returns (address value) {
                market = value;
            } catch {
                if (v < 4) revert Mismatch("too few blob id vectors", v);
                break;
            }
            BlobId id = blobIdFor(
                VM.parseJsonUint(json, string.concat(key, ".chainId")),
                market,
                VM.parseJsonAddress(json, string.concat(key, ".owner")),
                VM.parseJsonBytes32(json, string.concat(key, ".salt"))
            );
            if (BlobId.unwrap(id) != VM.parseJsonBytes32(json, string.concat(key, ".blobId"))) {
                revert Mismatch("blob id", v);
            }
        }
    }

    function testAttestationDigestsAndSignatures() public view {
        string memory json = VM.readFile(VECTORS);
        bytes32 typeHash = keccak256(bytes(VM.parseJsonString(json, ".attestations.type")));
        if (typeHash != VM.parseJsonBytes32(json, ".attestations.typeHash")) revert Mismatch("type hash", 0);
        // BlobCertification.ATTESTATION_TYPEHASH (ProtocolLive.t.sol reads it from a deployed market)
        bytes32 expected = keccak256(
            abi.encodePacked(
                "Attestation(bytes32 blobId,bytes32 commitment,", "uint64 size,uint32 nodeId,uint64 expiry)"
            )
        );
        if (typeHash != expected) {
            revert Mismatch("the contracts' ATTESTATION_TYPEHASH", 0);
        }
        uint256 key = uint256(VM.parseJsonBytes32(json, ".attestations.signerKey"));
        address signer = VM.parseJsonAddress(json, ".attestations.signer");
        uint256 v = 0;
        for (;; ++v) {
            string memory at = string.concat(".attestations.vectors[", VM.toString(v), "]");
            try VM.parseJsonBytes32(json, string.concat(at, ".digest")) returns (bytes32 digest) {
                _checkAttestation(json, at, v, typeHash, digest);
                (bytes32 r, bytes32 vs) = VM.signCompact(key, digest);
                if (r != VM.parseJsonBytes32(json, string.concat(at, ".r"))) revert Mismatch("r", v);
                if (vs != VM.parseJsonBytes32(json, string.concat(at, ".vs"))) revert Mismatch("vs", v);
                if (ECDSA.recover(digest, r, vs) != signer) revert Mismatch("compact signer", v);
                bytes memory signature = VM.parseJsonBytes(json, string.concat(at, ".signature"));
                if (ECDSA.recover(digest, signature) != signer) revert Mismatch("signer", v);
            } catch {
                break;
            }
        }
        if (v < 3) revert Mismatch("too few attestation vectors", v);
    }

    function _checkAttestation(string memory json, string memory at, uint256 v, bytes32 typeHash, bytes32 digest)
        private
        pure
    {
        bytes32 domain = _domain(
            VM.parseJsonUint(json, string.concat(at, ".chainId")),
            VM.parseJsonAddress(json, string.concat(at, ".market"))
        );
        if (domain != VM.parseJsonBytes32(json, string.concat(at, ".domainSeparator"))) revert Mismatch("domain", v);
        bytes32 structHash = keccak256(
            abi.encode(
                typeHash,
                VM.parseJsonBytes32(json, string.concat(at, ".blobId")),
                VM.parseJsonBytes32(json, string.concat(at, ".commitment")),
                uint64(VM.parseJsonUint(json, string.concat(at, ".size"))),
                uint32(VM.parseJsonUint(json, string.concat(at, ".nodeId"))),
                uint64(VM.parseJsonUint(json, string.concat(at, ".expiry")))
            )
        );
        if (structHash != VM.parseJsonBytes32(json, string.concat(at, ".structHash"))) revert Mismatch("struct", v);
        if (MessageHashUtils.toTypedDataHash(domain, structHash) != digest) revert Mismatch("digest", v);
    }

    function testDeleteRequestDigestsAndSignatures() public view {
        string memory json = VM.readFile(VECTORS);
        bytes32 typeHash = keccak256(bytes(VM.parseJsonString(json, ".deleteRequests.type")));
        if (typeHash != VM.parseJsonBytes32(json, ".deleteRequests.typeHash")) revert Mismatch("type hash", 0);
        address owner = VM.parseJsonAddress(json, ".deleteRequests.owner");
        uint256 v = 0;
        for (;; ++v) {
            string memory at = string.concat(".deleteRequests.vectors[", VM.toString(v), "]");
            bytes32 digest;
            try VM.parseJsonBytes32(json, string.concat(at, ".digest")) returns (bytes32 value) {
                digest = value;
            } catch {
                break;
            }
            bytes32 structHash = keccak256(
                abi.encode(
                    typeHash,
                    VM.parseJsonBytes32(json, string.concat(at, ".blobId")),
                    uint64(VM.parseJsonUint(json, string.concat(at, ".expiry"))),
                    VM.parseJsonBytes32(json, string.concat(at, ".nonce"))
                )
            );
            if (structHash != VM.parseJsonBytes32(json, string.concat(at, ".structHash"))) revert Mismatch("struct", v);
            bytes32 domain = _domain(
                VM.parseJsonUint(json, string.concat(at, ".chainId")),
                VM.parseJsonAddress(json, string.concat(at, ".market"))
            );
            if (MessageHashUtils.toTypedDataHash(domain, structHash) != digest) revert Mismatch("digest", v);
            bytes memory signature = VM.parseJsonBytes(json, string.concat(at, ".signature"));
            if (ECDSA.recover(digest, signature) != owner) revert Mismatch("signer", v);
        }
        if (v < 2) revert Mismatch("too few delete request vectors", v);
    }

    function testSeeds() public view {
        string memory json = VM.readFile(VECTORS);
        uint256 v = 0;
        for (;; ++v) {
            string memory at = string.concat(".seeds[", VM.toString(v), "]");
            bytes32 blockHash;
            try VM.parseJsonBytes32(json, string.concat(at, ".blockHash")) returns (bytes32 value) {
                blockHash = value;
            } catch {
                break;
            }
            uint32 period = uint32(VM.parseJsonUint(json, string.concat(at, ".period")));
            // as ProofSampling._seedFrom derives it from the committed block's hash
            if (keccak256(abi.encode(blockHash, period)) != VM.parseJsonBytes32(json, string.concat(at, ".seed"))) {
                revert Mismatch("seed", v);
            }
        }
        if (v < 3) revert Mismatch("too few seed vectors", v);
    }

    function testSamplesDrawnFromASeed() public {
        string memory json = VM.readFile(VECTORS);
        VectorMarketHooks hooks = new VectorMarketHooks();
        SamplingHarness harness = new SamplingHarness(hooks);
        uint256 v = 0;
        for (;; ++v) {
            string memory at = string.concat(".samples[", VM.toString(v), "]");
            bytes32 seed;
            try VM.parseJsonBytes32(json, string.concat(at, ".seed")) returns (bytes32 value) {
                seed = value;
            } catch {
                break;
            }
            NodeId nodeId = NodeId.wrap(uint32(VM.parseJsonUint(json, string.concat(at, ".nodeId"))));
            uint256 count = _entries(json, hooks, at);
            harness.fill(nodeId, count);
            IProofSystem.Challenge[] memory drawn = harness.draw(
                nodeId,
                uint32(VM.parseJsonUint(json, string.concat(at, ".period"))),
                seed,
                uint8(VM.parseJsonUint(json, string.concat(at, ".samplesPerProof")))
            );
            _compareSamples(json, at, v, drawn);
        }
        if (v < 4) revert Mismatch("too few sample vectors", v);
    }

    /// @dev Describes the vector's entries to the hooks (blob i + 1 is entry i); returns their number.
    function _entries(string memory json, VectorMarketHooks hooks, string memory at) private returns (uint256 count) {
        for (;; ++count) {
            string memory entry = string.concat(at, ".entries[", VM.toString(count), "]");
            try VM.parseJsonUint(json, string.concat(entry, ".size")) returns (uint256 size) {
                bool live = VM.parseJsonBool(json, string.concat(entry, ".live"));
                hooks.set(BlobId.wrap(bytes32(count + 1)), live, uint64(size));
            } catch {
                break;
            }
        }
    }

    /// @dev The drawn challenges are the vector's non-void samples, in order.
    function _compareSamples(string memory json, string memory at, uint256 v, IProofSystem.Challenge[] memory drawn)
        private
        pure
    {
        uint256 samples = VM.parseJsonUint(json, string.concat(at, ".samplesPerProof"));
        uint256 found = 0;
        for (uint256 j = 0; j < samples; ++j) {
            string memory sample = string.concat(at, ".samples[", VM.toString(j), "]");
            uint256 entry;
            try VM.parseJsonUint(json, string.concat(sample, ".entry")) returns (uint256 value) {
                entry = value;
            } catch {
                continue; // void
            }
            if (found >= drawn.length) revert Mismatch("fewer samples drawn", v);
            IProofSystem.Challenge memory challenge = drawn[found++];
            if (BlobId.unwrap(challenge.blobId) != bytes32(entry + 1)) revert Mismatch("sample entry", v);
            if (challenge.leafIndex != VM.parseJsonUint(json, string.concat(sample, ".leafIndex"))) {
                revert Mismatch("sample leaf", v);
            }
        }
        if (found != drawn.length) revert Mismatch("more samples drawn", v);
    }

    function testPriceFeeAndQuorum() public view {
        string memory json = VM.readFile(VECTORS);
        uint256 v = 0;
        for (;; ++v) {
            string memory at = string.concat(".money[", VM.toString(v), "]");
            uint256[] memory nodes;
            try VM.parseJsonUintArray(json, string.concat(at, ".nodes")) returns (uint256[] memory value) {
                nodes = value;
            } catch {
                break;
            }
            (uint256 cost, uint256 fee) = _price(json, at, nodes);
            if (cost != VM.parseJsonUint(json, string.concat(at, ".cost"))) revert Mismatch("cost", v);
            if (fee != VM.parseJsonUint(json, string.concat(at, ".fee"))) revert Mismatch("fee", v);
            uint8 quorum = BlobTerms.quorum(
                Tier(VM.parseJsonUint(json, string.concat(at, ".tier"))),
                nodes.length,
                uint8(VM.parseJsonUint(json, string.concat(at, ".recovery"))),
                uint8(VM.parseJsonUint(json, ".deployment.coldMargin"))
            );
            if (quorum != VM.parseJsonUint(json, string.concat(at, ".quorum"))) revert Mismatch("quorum", v);
        }
        if (v < 5) revert Mismatch("too few money vectors", v);
    }

    /// @dev BlobTerms.price of money vector `at`, at its nodes' prices, for the bytes each stores.
    function _price(string memory json, string memory at, uint256[] memory nodes)
        private
        pure
        returns (uint256 cost, uint256 fee)
    {
        uint256[] memory nodePrices = VM.parseJsonUintArray(json, ".deployment.nodePrices");
        uint64[] memory prices = new uint64[](nodes.length);
        for (uint256 h = 0; h < nodes.length; ++h) {
            prices[h] = uint64(nodePrices[nodes[h] - 1]);
        }
        bool hot = Tier(VM.parseJsonUint(json, string.concat(at, ".tier"))) == Tier.Hot;
        uint64 stored = uint64(VM.parseJsonUint(json, string.concat(at, hot ? string(".size") : string(".shardSize"))));
        uint32 epochs = uint32(VM.parseJsonUint(json, string.concat(at, ".epochs")));
        return BlobTerms.price(prices, stored, epochs, uint16(VM.parseJsonUint(json, ".deployment.feeBps")));
    }

    /// @notice A blob of one chunk (1 MiB or less) is a bare raw leaf: its binary CID is
    /// 0x01 (CIDv1) 0x55 (raw) 0x12 (sha2-256) 0x20 (32 bytes) || sha256(blob); a larger blob's
    /// root is a dag-pb node, 0x01 0x70 0x12 0x20 || sha256(root node).
    function testBinaryCidOfOneChunkBlobs() public view {
        string memory cids = VM.readFile("./docs/cid-vectors.json");
        uint256 checked = 0;
        for (uint256 v = 0; ; ++v) {
            string memory at = string.concat(".vectors[", VM.toString(v), "]");
            uint256 size;
            try VM.parseJsonUint(cids, string.concat(at, ".size")) returns (uint256 value) {
                size = value;
            } catch {
                break;
            }
            bytes memory cid = VM.parseJsonBytes(cids, string.concat(at, ".cidHex"));
            if (cid.length != 36) revert Mismatch("CID length", v);
            if (size > 1_048_576) {
                if (bytes4(cid) != bytes4(0x01701220)) revert Mismatch("dag-pb CID prefix", v);
                continue;
            }
            // chunk 0 is filled with byte 0: the blob is `size` zero bytes
            bytes memory expected = abi.encodePacked(bytes4(0x01551220), sha256(new bytes(size)));
            if (keccak256(cid) != keccak256(expected)) revert Mismatch("raw CID", v);
            ++checked;
        }
        if (checked < 3) revert Mismatch("too few one-chunk CID vectors", checked);
    }

    function _domain(uint256 chainId, address market) private pure returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, keccak256("Strata StorageMarket"), keccak256("1"), chainId, market)
        );
    }
}
