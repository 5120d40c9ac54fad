// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {MerkleCommitment} from "../../contracts/libraries/MerkleCommitment.sol";

/// @dev The cheatcodes these tests use (Hardhat's Solidity test runner implements them).
interface Vm {
    function readFile(string calldata path) external view returns (string memory);
    function parseJsonUint(string calldata json, string calldata key) external pure returns (uint256);
    function parseJsonBytes(string calldata json, string calldata key) external pure returns (bytes memory);
    function parseJsonBytes32(string calldata json, string calldata key) external pure returns (bytes32);
    function parseJsonBytes32Array(string calldata json, string calldata key) external pure returns (bytes32[] memory);
    function toString(uint256 value) external pure returns (string memory);
}

/// @dev Exposes the library (which reads calldata) to tests holding roots in memory.
contract ShardsRootHarness {
    function shardsRoot(bytes32[] calldata roots) external pure returns (bytes32) {
        return MerkleCommitment.shardsRoot(roots);
    }
}

/// @notice The cold commitment the market checks in certifyShards, against
/// docs/erasure-vectors.json, the file the TypeScript tests check too.
contract ErasureVectorsTest {
    Vm private constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    ShardsRootHarness private immutable harness = new ShardsRootHarness();

    error Mismatch(string what, uint256 vector);

    function testShardCommitmentsHashToTheColdCommitment() public view {
        string memory json = VM.readFile("./docs/erasure-vectors.json");
        uint256 count = VM.parseJsonUint(json, ".count");
        require(count >= 5, "vectors file has too few vectors");
        for (uint256 v = 0; v < count; ++v) {
            string memory key = string.concat(".vectors[", VM.toString(v), "]");
            bytes32[] memory roots = VM.parseJsonBytes32Array(json, string.concat(key, ".shardRoots"));
            bytes32 commitment = VM.parseJsonBytes32(json, string.concat(key, ".commitment"));
            if (roots.length != VM.parseJsonUint(json, string.concat(key, ".nodes"))) revert Mismatch("holders", v);
            if (harness.shardsRoot(roots) != commitment) revert Mismatch("cold commitment", v);
            // any other order, or any changed root, gives another commitment
            if (roots.length > 1) {
                (roots[0], roots[1]) = (roots[1], roots[0]);
                if (harness.shardsRoot(roots) == commitment) revert Mismatch("order", v);
                (roots[0], roots[1]) = (roots[1], roots[0]);
            }
            roots[roots.length - 1] ^= bytes32(uint256(1));
            if (harness.shardsRoot(roots) == commitment) revert Mismatch("changed root", v);
        }
    }
}
