// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleCommitment} from "../../contracts/libraries/MerkleCommitment.sol";

/// @dev The cheatcodes these tests use (Hardhat's Solidity test runner implements them).
interface Vm {
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function toString(uint256 value) external pure returns (string memory);
}

/// @dev Exposes the library (which reads calldata) to tests holding proofs in memory.
contract MerkleCommitmentHarness {
    function rootAt(bytes calldata proof, uint256 size, uint256 index) external view returns (bytes32, uint256) {
        return MerkleCommitment.rootAt(proof, 0, size, index);
    }

    function proofLength(uint256 size, uint256 index) external pure returns (uint256) {
        return MerkleCommitment.proofLength(size, index);
    }
}

/// @notice The contracts' verifier against docs/commitment-vectors.json, the file the TypeScript
/// tests check too; and an independent Solidity tree builder against the same roots.
contract CommitmentVectorsTest {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    MerkleCommitmentHarness private immutable harness = new MerkleCommitmentHarness();

    error Mismatch(string what, uint256 vector, uint256 proof);

    function testVectorsProveEveryListedLeaf() public view {
        string memory json = VM.readFile("./docs/commitment-vectors.json");
        uint256 count = VM.parseJsonUint(json, ".count");
        require(count > 10, "vectors file has too few vectors");
        for (uint256 v = 0; v < count; ++v) {
            string memory key = string.concat(".vectors[", VM.toString(v), "]");
            uint256 size = VM.parseJsonUint(json, string.concat(key, ".size"));
            bytes32 root = VM.parseJsonBytes32(json, string.concat(key, ".root"));
            bytes memory input = VM.parseJsonBytes(json, string.concat(key, ".input"));
            if (input.length != size) revert Mismatch("input size", v, 0);
            if (_root(input) != root) revert Mismatch("root from input", v, 0);
            for (uint256 p = 0; ; ++p) {
                string memory proofKey = string.concat(key, ".proofs[", VM.toString(p), "]");
                bytes memory proof;
                try VM.parseJsonBytes(json, string.concat(proofKey, ".proof")) returns (bytes memory value) {
                    proof = value;
                } catch {
                    break;
                }
                uint256 index = VM.parseJsonUint(json, string.concat(proofKey, ".index"));
                (bytes32 computed, uint256 next) = harness.rootAt(proof, size, index);
                if (computed != root) revert Mismatch("root from proof", v, p);
                if (next != proof.length || harness.proofLength(size, index) != proof.length) {
                    revert Mismatch("proof length", v, p);
                }
                // any flipped byte, in the leaf or in a sibling, breaks the proof
                for (uint256 i = 0; i < proof.length; i += 97) {
                    proof[i] ^= 0x01;
                    (computed,) = harness.rootAt(proof, size, index);
                    if (computed == root) revert Mismatch("tampered proof accepted", v, p);
                    proof[i] ^= 0x01;
                }
            }
        }
    }

    /// @dev The tree built level by level, as docs/protocol.md words it.
    function _root(bytes memory data) private pure returns (bytes32) {
        uint256 width = (data.length + 255) / 256;
        bytes32[] memory level = new bytes32[](width);
        for (uint256 i = 0; i < width; ++i) {
            uint256 end = (i + 1) * 256 < data.length ? (i + 1) * 256 : data.length;
            bytes memory leaf = new bytes(end - i * 256);
            for (uint256 j = 0; j < leaf.length; ++j) {
                leaf[j] = data[i * 256 + j];
            }
            level[i] = sha256(abi.encodePacked(bytes1(0x00), leaf));
        }
        while (width > 1) {
            uint256 next = (width + 1) / 2;
            for (uint256 i = 0; i < width / 2; ++i) {
                level[i] = sha256(abi.encodePacked(bytes1(0x01), level[2 * i], level[2 * i + 1]));
            }
            if (width % 2 == 1) level[next - 1] = level[width - 1];
            width = next;
        }
        return level[0];
    }
}
