// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {INodeRegistry} from "../../contracts/interfaces/INodeRegistry.sol";
import {IProofSystem} from "../../contracts/interfaces/IProofSystem.sol";
import {IStorageMarket} from "../../contracts/interfaces/IStorageMarket.sol";
import {BlobId, BlobStatus, NodeId, Tier} from "../../contracts/interfaces/StrataTypes.sol";
import {MerkleCommitment} from "../../contracts/libraries/MerkleCommitment.sol";
import {StorageMarket} from "../../contracts/market/StorageMarket.sol";
import {NodeRegistry} from "../../contracts/registry/NodeRegistry.sol";
import {StrataToken} from "../../contracts/token/StrataToken.sol";

/// @dev The cheatcodes these tests use (Hardhat's Solidity test runner implements them).
interface Vm {
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonUintArray(string calldata json, string calldata key) external pure returns (uint256[] memory);
    function parseJsonBool(string calldata json, string calldata key) external pure returns (bool);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonString(string calldata json, string calldata key) external pure returns (string memory);
    function signCompact(uint256 privateKey, bytes32 digest) external pure returns (bytes32 r, bytes32 vs);
    function addr(uint256 privateKey) external pure returns (address);
    function warp(uint256 timestamp) external;
    function roll(uint256 blockNumber) external;
    function setBlockhash(uint256 blockNumber, bytes32 blockHash) external;
    function prank(address sender) external;
    function expectRevert(bytes calldata revertData) external;
    function toString(uint256 value) external pure returns (string memory);
}

/// @notice docs/protocol-vectors.json replayed on a deployed token, registry and market (with the
/// vectors' parameters): the period formula, the attestation digest and the key as of enrolment,
/// a seed and the samples it draws, proof-set order after prunes, empty proofs of void samples
/// (sent by anyone), and every money step of every blob life, amount for amount.
contract ProtocolLiveTest {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    string private constant VECTORS = "./docs/protocol-vectors.json";
    address private constant TREASURY = address(0x7EA5);
    address private constant STRANGER = address(0xBEEF);

    error Mismatch(string what, uint256 index);

    StrataToken private token;
    NodeRegistry private registry;
    StorageMarket private market;
    IProofSystem private proofs;
    uint64 private genesis;
    uint32 private periodSeconds;
    uint256 private salts;

    function setUp() public {
        string memory json = VM.readFile(VECTORS);
        token = new StrataToken(0, 0, address(this), type(uint128).max);
        uint256 minStake = VM.parseJsonUint(json, ".deployment.minStake");
        registry = new NodeRegistry(IERC20(address(token)), minStake, 0, address(this));
        market = new StorageMarket(_config(json));
        proofs = market.proofSystem();
        genesis = market.genesis();
        periodSeconds = market.periodSeconds();
        token.approve(address(registry), type(uint256).max);
        token.approve(address(market), type(uint256).max);
        uint256[] memory prices = VM.parseJsonUintArray(json, ".deployment.nodePrices");
        for (uint256 i = 0; i < prices.length; ++i) {
            NodeId nodeId = registry.register(
                INodeRegistry.NodeParams({
                    signer: VM.addr(_key(i + 1)),
                    endpoint: "http://node.invalid",
                    peerId: "",
                    multiaddrs: new string[](0),
                    tiers: 3,
                    capacity: 1 << 40,
                    pricePerByteEpoch: uint64(prices[i])
                })
            );
            registry.stake(nodeId, registry.minStake());
        }
    }

    function _config(string memory json) private view returns (StorageMarket.Config memory) {
        return StorageMarket.Config({
            token: IERC20(address(token)),
            registry: registry,
            treasury: TREASURY,
            epochSeconds: uint32(VM.parseJsonUint(json, ".deployment.epochSeconds")),
            periodSeconds: uint32(VM.parseJsonUint(json, ".deployment.periodSeconds")),
            feeBps: uint16(VM.parseJsonUint(json, ".deployment.feeBps")),
            certifyWindow: uint32(VM.parseJsonUint(json, ".deployment.certifyWindow")),
            coldMargin: uint8(VM.parseJsonUint(json, ".deployment.coldMargin")),
            samplesPerProof: uint8(VM.parseJsonUint(json, ".deployment.samplesPerProof")),
            missesToDrop: uint16(VM.parseJsonUint(json, ".deployment.missesToDrop")),
            slashAmount: VM.parseJsonUint(json, ".deployment.slashAmount"),
            reporterBps: uint16(VM.parseJsonUint(json, ".deployment.reporterBps"))
        });
    }

    // ---------------------------------------------------------------------------- parameters

    function testParametersHaveTheirGetters() public view {
        string memory json = VM.readFile(VECTORS);
        (IERC20 t, INodeRegistry r, address treasury, uint16 feeBps, uint32 window, uint8 margin) = market.terms();
        if (address(t) != address(token) || address(r) != address(registry) || treasury != TREASURY) {
            revert Mismatch("terms: addresses", 0);
        }
        if (feeBps != VM.parseJsonUint(json, ".deployment.feeBps")) revert Mismatch("terms: feeBps", 0);
        if (window != VM.parseJsonUint(json, ".deployment.certifyWindow")) revert Mismatch("terms: window", 0);
        if (margin != VM.parseJsonUint(json, ".deployment.coldMargin")) revert Mismatch("terms: margin", 0);
        if (market.periodsPerEpoch() != VM.parseJsonUint(json, ".deployment.periodsPerEpoch")) {
            revert Mismatch("periodsPerEpoch", 0);
        }
        if (market.epochSeconds() != VM.parseJsonUint(json, ".deployment.epochSeconds")) revert Mismatch("epoch", 0);
        ProofSystemViews views = ProofSystemViews(address(proofs));
        if (views.samplesPerProof() != VM.parseJsonUint(json, ".deployment.samplesPerProof")) {
            revert Mismatch("samplesPerProof", 0);
        }
        if (views.missesToDrop() != VM.parseJsonUint(json, ".deployment.missesToDrop")) revert Mismatch("misses", 0);
        if (views.genesis() != genesis || views.periodSeconds() != periodSeconds) revert Mismatch("clocks", 0);
    }

    function testPeriods() public {
        string memory json = VM.readFile(VECTORS);
        if (periodSeconds != VM.parseJsonUint(json, ".periods.periodSeconds")) revert Mismatch("periodSeconds", 0);
        for (uint256 v = 0; ; ++v) {
            string memory at = string.concat(".periods.vectors[", VM.toString(v), "]");
            uint256 since;
            try VM.parseJsonUint(json, string.concat(at, ".sinceGenesis")) returns (uint256 value) {
                since = value;
            } catch {
                break;
            }
            VM.warp(genesis + since);
            if (proofs.currentPeriod() != VM.parseJsonUint(json, string.concat(at, ".period"))) {
                revert Mismatch("period", v);
            }
        }
    }

    // ---------------------------------------------------------------------------- signatures

    function testAttestationDigestAndTheKeyAsOfEnrolment() public {
        string memory json = VM.readFile(VECTORS);
        if (market.ATTESTATION_TYPEHASH() != VM.parseJsonBytes32(json, ".attestations.typeHash")) {
            revert Mismatch("ATTESTATION_TYPEHASH", 0);
        }
        (, string memory name, string memory version, uint256 chainId, address verifying,,) = market.eip712Domain();
        if (
            keccak256(bytes(name)) != keccak256(bytes(VM.parseJsonString(json, ".attestations.domain.name")))
                || keccak256(bytes(version))
                    != keccak256(bytes(VM.parseJsonString(json, ".attestations.domain.version")))
                || chainId != block.chainid || verifying != address(market)
        ) revert Mismatch("eip712Domain", 0);
        uint256[] memory nodes = new uint256[](1);
        nodes[0] = 1;
        bytes32 commitment = keccak256("a commitment");
        BlobId blobId = _register(nodes, Tier.Hot, 1000, 0, 0, 1, commitment);
        uint64 expiry = uint64(block.timestamp + 3600);
        bytes32 domain = keccak256(
            abi.encode(
                keccak256("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak256(bytes(name)),
                keccak256(bytes(version)),
                block.chainid,
                address(market)
            )
        );
        bytes32 structHash = keccak256(
            abi.encode(market.ATTESTATION_TYPEHASH(), blobId, commitment, uint64(1000), uint32(1), expiry)
        );
        bytes32 digest = keccak256(abi.encodePacked(hex"1901", domain, structHash));
        if (market.attestationDigest(blobId, NodeId.wrap(1), expiry) != digest) revert Mismatch("digest", 0);
        _enroll(blobId, nodes);
        // the node moves to a new signing key after it enrolled: the market still wants the old one
        INodeRegistry.NodeInfo memory info = registry.getNode(NodeId.wrap(1));
        registry.update(
            NodeId.wrap(1),
            INodeRegistry.NodeParams({
                signer: VM.addr(_key(99)),
                endpoint: info.endpoint,
                peerId: info.peerId,
                multiaddrs: info.multiaddrs,
                tiers: info.tiers,
                capacity: info.capacity,
                pricePerByteEpoch: info.pricePerByteEpoch
            })
        );
        IStorageMarket.Attestation[] memory list = new IStorageMarket.Attestation[](1);
        (bytes32 r, bytes32 vs) = VM.signCompact(_key(99), digest);
        list[0] = IStorageMarket.Attestation(0, expiry, r, vs);
        VM.expectRevert(abi.encodeWithSelector(IStorageMarket.StorageMarketInvalidAttestation.selector, blobId, 0));
        market.certify(blobId, list);
        (r, vs) = VM.signCompact(_key(1), digest);
        list[0] = IStorageMarket.Attestation(0, expiry, r, vs);
        VM.prank(STRANGER); // anyone may submit attestations
        market.certify(blobId, list);
        if (market.getBlob(blobId).status != BlobStatus.Certified) revert Mismatch("certified", 0);
    }

    // ---------------------------------------------------------------------------- proofs

    /// @notice Sample vector 0 rebuilt on chain: node 1's set in period `period` is the vector's
    /// entries (live ones certified, dead ones left uncertified or deleted), the seed block's hash
    /// is the vector's, and `challenges` draws the vector's samples.
    function testSamplesOnChain() public {
        string memory json = VM.readFile(VECTORS);
        string memory at = ".samples[0]";
        if (VM.parseJsonUint(json, string.concat(at, ".nodeId")) != 1) revert Mismatch("vector 0 is node 1's", 0);
        uint32 period = uint32(VM.parseJsonUint(json, string.concat(at, ".period")));
        _warpTo(period - 1);
        BlobId[] memory ids = _buildSet(json, at);
        _warpTo(period);
        _seed(period, VM.parseJsonBytes32(json, string.concat(at, ".blockHash")));
        if (proofs.seedOf(period) != VM.parseJsonBytes32(json, string.concat(at, ".seed"))) revert Mismatch("seed", 0);
        IProofSystem.Challenge[] memory drawn = proofs.challenges(NodeId.wrap(1));
        uint256 found = 0;
        for (uint256 j = 0; j < VM.parseJsonUint(json, string.concat(at, ".samplesPerProof")); ++j) {
            string memory sample = string.concat(at, ".samples[", VM.toString(j), "]");
            uint256 entry;
            try VM.parseJsonUint(json, string.concat(sample, ".entry")) returns (uint256 value) {
                entry = value;
            } catch {
                continue;
            }
            IProofSystem.Challenge memory challenge = drawn[found++];
            if (BlobId.unwrap(challenge.blobId) != BlobId.unwrap(ids[entry])) revert Mismatch("entry", j);
            if (challenge.leafIndex != VM.parseJsonUint(json, string.concat(sample, ".leafIndex"))) {
                revert Mismatch("leaf", j);
            }
        }
        if (found != drawn.length) revert Mismatch("sample count", found);
    }

    function _buildSet(string memory json, string memory at) private returns (BlobId[] memory ids) {
        uint256 count = 0;
        while (true) {
            try VM.parseJsonUint(json, string.concat(at, ".entries[", VM.toString(count), "].size")) returns (uint256) {
                ++count;
            } catch {
                break;
            }
        }
        ids = new BlobId[](count);
        uint256[] memory nodes = new uint256[](1);
        nodes[0] = 1;
        for (uint256 i = 0; i < count; ++i) {
            string memory entry = string.concat(at, ".entries[", VM.toString(i), "]");
            uint64 size = uint64(VM.parseJsonUint(json, string.concat(entry, ".size")));
            ids[i] = _register(nodes, Tier.Hot, size, 0, 0, 1, keccak256(abi.encode(i)));
            _enroll(ids[i], nodes);
            bool live = VM.parseJsonBool(json, string.concat(entry, ".live"));
            // dead entries: an even one is left uncertified, an odd one certified and deleted
            if (live || i % 2 == 1) _certify(ids[i], nodes, new bytes32[](0));
            if (!live && i % 2 == 1) market.deleteBlob(ids[i]);
        }
    }

    /// @notice Prune vectors on chain, each on a node of its own: the set keeps its order until the
    /// next period, then each pruned entry has been replaced by the last one, in pruning order.
    function testPruneOrderOnChain() public {
        string memory json = VM.readFile(VECTORS);
        _warpTo(2);
        BlobId[][] memory all = new BlobId[][](4);
        uint256 v = 0;
        for (; v < all.length; ++v) {
            string memory at = string.concat(".prunes[", VM.toString(v), "]");
            uint256[] memory set = VM.parseJsonUintArray(json, string.concat(at, ".set"));
            uint256[] memory nodes = new uint256[](1);
            nodes[0] = v + 1;
            all[v] = new BlobId[](set.length);
            for (uint256 i = 0; i < set.length; ++i) {
                if (set[i] != i) revert Mismatch("sets list their entries in order", v);
                all[v][i] = _register(nodes, Tier.Hot, 100, 0, 0, 1, keccak256(abi.encode(v, i)));
                _enroll(all[v][i], nodes);
                _certify(all[v][i], nodes, new bytes32[](0));
            }
            uint256[] memory pruned = VM.parseJsonUintArray(json, string.concat(at, ".pruned"));
            BlobId[] memory gone = new BlobId[](pruned.length);
            for (uint256 i = 0; i < pruned.length; ++i) {
                gone[i] = all[v][pruned[i]];
                market.deleteBlob(gone[i]);
            }
            proofs.prune(NodeId.wrap(uint32(v + 1)), gone);
            if (proofs.proofSet(NodeId.wrap(uint32(v + 1))).length != set.length) revert Mismatch("pruned early", v);
        }
        _warpTo(3);
        for (uint256 i = 0; i < v; ++i) {
            NodeId nodeId = NodeId.wrap(uint32(i + 1));
            proofs.prune(nodeId, new BlobId[](0)); // any touch in a later period applies the queued prunes
            uint256[] memory result =
                VM.parseJsonUintArray(json, string.concat(".prunes[", VM.toString(i), "].result"));
            BlobId[] memory stored = proofs.proofSet(nodeId);
            if (stored.length != result.length) revert Mismatch("set length", i);
            for (uint256 j = 0; j < result.length; ++j) {
                if (BlobId.unwrap(stored[j]) != BlobId.unwrap(all[i][result[j]])) revert Mismatch("order", i);
            }
        }
    }

    // ---------------------------------------------------------------------------- money

    function testMoney0() public {
        _replay(0);
    }

    function testMoney1() public {
        _replay(1);
    }

    function testMoney2() public {
        _replay(2);
    }

    function testMoney3() public {
        _replay(3);
    }

    function testMoney4() public {
        _replay(4);
    }

    /// @dev What one replay needs at hand.
    struct Life {
        BlobId blobId;
        uint256[] nodes;
        bool cold;
        bytes[] data; // hot: the blob once; cold: each holder's shard
        bytes32[] roots;
        uint32 c;
    }

    /// @dev Registers money vector `v`'s blob at period c = 2, enrolls its holders and plays its steps.
    function _replay(uint256 v) private {
        string memory json = VM.readFile(VECTORS);
        string memory at = string.concat(".money[", VM.toString(v), "]");
        Life memory life = _registerLife(json, at);
        for (uint256 s = 0; ; ++s) {
            string memory step = string.concat(at, ".steps[", VM.toString(s), "]");
            string memory action;
            try VM.parseJsonString(json, string.concat(step, ".action")) returns (string memory value) {
                action = value;
            } catch {
                break;
            }
            _warpTo(life.c + uint32(VM.parseJsonUint(json, string.concat(step, ".offset"))));
            _play(json, step, keccak256(bytes(action)), life);
        }
    }

    function _registerLife(string memory json, string memory at) private returns (Life memory life) {
        life.c = 2;
        _warpTo(life.c);
        life.nodes = VM.parseJsonUintArray(json, string.concat(at, ".nodes"));
        life.cold = VM.parseJsonUint(json, string.concat(at, ".tier")) == 1;
        uint64 size = uint64(VM.parseJsonUint(json, string.concat(at, ".size")));
        uint64 shardSize = uint64(VM.parseJsonUint(json, string.concat(at, ".shardSize")));
        bytes32 commitment;
        if (life.cold) {
            life.data = new bytes[](life.nodes.length);
            life.roots = new bytes32[](life.nodes.length);
            for (uint256 h = 0; h < life.nodes.length; ++h) {
                life.data[h] = _bytes(shardSize, h + 1);
                life.roots[h] = sha256(abi.encodePacked(bytes1(0x00), life.data[h]));
            }
            commitment = this.shardsRootOf(life.roots);
        } else {
            life.data = new bytes[](1);
            life.data[0] = _bytes(size, 0);
            // one leaf (proven here): the root is the leaf's hash; larger blobs are never proven
            commitment = size <= 256 ? sha256(abi.encodePacked(bytes1(0x00), life.data[0])) : keccak256(life.data[0]);
        }
        uint256 before = token.balanceOf(address(this));
        life.blobId = _register(
            life.nodes,
            life.cold ? Tier.Cold : Tier.Hot,
            size,
            shardSize,
            uint8(VM.parseJsonUint(json, string.concat(at, ".recovery"))),
            uint32(VM.parseJsonUint(json, string.concat(at, ".epochs"))),
            commitment
        );
        uint256 paid = before - token.balanceOf(address(this));
        uint256 cost = VM.parseJsonUint(json, string.concat(at, ".cost"));
        if (paid != cost + VM.parseJsonUint(json, string.concat(at, ".fee"))) revert Mismatch("price and fee", 0);
        IStorageMarket.BlobInfo memory info = market.getBlob(life.blobId);
        if (info.quorum != VM.parseJsonUint(json, string.concat(at, ".quorum"))) revert Mismatch("quorum", 0);
        if (info.escrow != cost) revert Mismatch("escrow", 0);
        _enroll(life.blobId, life.nodes);
    }

    function _play(string memory json, string memory step, bytes32 action, Life memory life) private {
        uint256 before = token.balanceOf(address(this));
        if (action == keccak256("certify") || action == keccak256("attest")) {
            _attest(life, VM.parseJsonUintArray(json, string.concat(step, ".holders")));
        } else if (action == keccak256("prove")) {
            _prove(life, VM.parseJsonUintArray(json, string.concat(step, ".holders")));
        } else if (action == keccak256("claim")) {
            uint256 holder = VM.parseJsonUint(json, string.concat(step, ".holder"));
            BlobId[] memory ids = new BlobId[](1);
            ids[0] = life.blobId;
            uint8[] memory places = new uint8[](1);
            places[0] = uint8(holder);
            market.claim(NodeId.wrap(uint32(life.nodes[holder])), ids, places);
            _expectGain(json, step, ".amount", before);
        } else if (action == keccak256("extend")) {
            market.extend(life.blobId, uint32(VM.parseJsonUint(json, string.concat(step, ".epochs"))));
            if (before - token.balanceOf(address(this)) != VM.parseJsonUint(json, string.concat(step, ".amount"))) {
                revert Mismatch("extend", 0);
            }
        } else if (action == keccak256("delete")) {
            market.deleteBlob(life.blobId);
            _expectGain(json, step, ".amount", before);
        } else if (action == keccak256("reclaim")) {
            market.reclaim(life.blobId);
            _expectGain(json, step, ".amount", before);
        } else if (action == keccak256("settle")) {
            _settle(json, step, life);
        } else {
            revert Mismatch("unknown action", 0);
        }
    }

    function _settle(string memory json, string memory step, Life memory life) private {
        uint256 before = token.balanceOf(address(this));
        uint256 fees = market.feesAccrued();
        uint256[] memory credits = new uint256[](life.nodes.length);
        for (uint256 h = 0; h < life.nodes.length; ++h) {
            credits[h] = market.creditOf(NodeId.wrap(uint32(life.nodes[h])));
        }
        VM.prank(STRANGER); // anyone may settle; the refund goes to the owner
        market.settle(life.blobId);
        _expectGain(json, step, ".refund", before);
        uint256[] memory expected = VM.parseJsonUintArray(json, string.concat(step, ".credits"));
        for (uint256 h = 0; h < life.nodes.length; ++h) {
            if (market.creditOf(NodeId.wrap(uint32(life.nodes[h]))) - credits[h] != expected[h]) {
                revert Mismatch("credit", h);
            }
        }
        if (market.feesAccrued() - fees != VM.parseJsonUint(json, string.concat(step, ".fee"))) {
            revert Mismatch("fee", 0);
        }
        market.collectFees();
        if (token.balanceOf(TREASURY) != market.feesAccrued() + VM.parseJsonUint(json, string.concat(step, ".fee"))) {
            revert Mismatch("treasury", 0);
        }
    }

    function _expectGain(string memory json, string memory step, string memory field, uint256 before) private view {
        if (token.balanceOf(address(this)) - before != VM.parseJsonUint(json, string.concat(step, field))) {
            revert Mismatch(string.concat("amount of ", step), 0);
        }
    }

    /// @dev Counts the holders' attestations: `certify` (hot) or `certifyShards` (cold).
    function _attest(Life memory life, uint256[] memory holders) private {
        uint64 expiry = uint64(block.timestamp + 3600);
        IStorageMarket.Attestation[] memory list = new IStorageMarket.Attestation[](holders.length);
        for (uint256 i = 0; i < holders.length; ++i) {
            uint256 nodeId = life.nodes[holders[i]];
            bytes32 digest = market.attestationDigest(life.blobId, NodeId.wrap(uint32(nodeId)), expiry);
            (bytes32 r, bytes32 vs) = VM.signCompact(_key(nodeId), digest);
            list[i] = IStorageMarket.Attestation(uint8(holders[i]), expiry, r, vs);
        }
        if (life.cold) market.certifyShards(life.blobId, list, life.roots);
        else market.certify(life.blobId, list);
    }

    /// @dev Proves the current period for each holder's node, sent by a stranger: each node holds
    /// this one-leaf blob (or shard) alone, so every drawn sample is its leaf 0; with every sample
    /// void the proof is empty.
    function _prove(Life memory life, uint256[] memory holders) private {
        uint32 period = proofs.currentPeriod();
        if (proofs.seedOf(period) == 0) _seed(period, keccak256(abi.encode("a block", period)));
        for (uint256 i = 0; i < holders.length; ++i) {
            NodeId nodeId = NodeId.wrap(uint32(life.nodes[holders[i]]));
            uint256 samples = proofs.challenges(nodeId).length;
            bytes memory leaf = life.data[life.cold ? holders[i] : 0];
            bytes memory proof;
            for (uint256 j = 0; j < samples; ++j) {
                proof = bytes.concat(proof, leaf);
            }
            VM.prank(STRANGER);
            proofs.submitProof(nodeId, proof);
            if (!proofs.isProven(nodeId, period)) revert Mismatch("proven", i);
        }
    }

    // ---------------------------------------------------------------------------- helpers

    function _register(
        uint256[] memory nodes,
        Tier tier,
        uint64 size,
        uint64 shardSize,
        uint8 recovery,
        uint32 epochs,
        bytes32 commitment
    ) private returns (BlobId) {
        NodeId[] memory ids = new NodeId[](nodes.length);
        for (uint256 i = 0; i < nodes.length; ++i) {
            ids[i] = NodeId.wrap(uint32(nodes[i]));
        }
        return market.registerBlob(
            IStorageMarket.BlobParams({
                salt: bytes32(++salts),
                cid: hex"01551220",
                commitment: commitment,
                size: size,
                tier: tier,
                nodes: ids,
                epochs: epochs,
                shardSize: shardSize,
                recovery: recovery,
                name: "",
                mimeType: "",
                tags: new string[](0)
            })
        );
    }

    function _enroll(BlobId blobId, uint256[] memory nodes) private {
        BlobId[] memory ids = new BlobId[](1);
        ids[0] = blobId;
        for (uint256 h = 0; h < nodes.length; ++h) {
            uint8[] memory holders = new uint8[](1);
            holders[0] = uint8(h);
            proofs.enroll(NodeId.wrap(uint32(nodes[h])), ids, holders);
        }
    }

    function _certify(BlobId blobId, uint256[] memory nodes, bytes32[] memory roots) private {
        Life memory life;
        life.blobId = blobId;
        life.nodes = nodes;
        life.roots = roots;
        uint256[] memory holders = new uint256[](nodes.length);
        for (uint256 h = 0; h < nodes.length; ++h) {
            holders[h] = h;
        }
        _attest(life, holders);
    }

    /// @dev Commits the seed of `period` (the current one) and makes `blockHash` its block's hash.
    function _seed(uint32 period, bytes32 blockHash) private {
        proofs.commitSeed();
        uint64 seedBlock = ProofSystemViews(address(proofs)).seedBlockOf(period);
        VM.roll(seedBlock + 1);
        VM.setBlockhash(seedBlock, blockHash);
    }

    /// @dev Moves chain time into `period` (a second past its start) unless it is there already.
    function _warpTo(uint32 period) private {
        if (proofs.currentPeriod() >= period) return;
        VM.warp(uint256(genesis) + uint256(period) * periodSeconds + 1);
        VM.roll(block.number + 1);
    }

    function _key(uint256 node) private pure returns (uint256) {
        return uint256(keccak256(abi.encode("strata test node", node)));
    }

    function _bytes(uint256 length, uint256 seed) private pure returns (bytes memory data) {
        data = new bytes(length);
        for (uint256 i = 0; i < length; ++i) {
            data[i] = bytes1(uint8(uint256(keccak256(abi.encode(seed, i))) & 0xff));
        }
    }

    /// @dev The market's own cold commitment of `roots` (its library takes calldata: called through `this`).
    function shardsRootOf(bytes32[] calldata roots) external pure returns (bytes32) {
        return MerkleCommitment.shardsRoot(roots);
    }
}

/// @dev Getters of the proof system beyond IProofSystem.
interface ProofSystemViews {
    function samplesPerProof() external view returns (uint8);
    function missesToDrop() external view returns (uint16);
    function seedBlockOf(uint32 period) external view returns (uint64);
    function genesis() external view returns (uint64);
    function periodSeconds() external view returns (uint32);
}
