// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMarketHooks} from "../interfaces/IMarketHooks.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IProofSystem} from "../interfaces/IProofSystem.sol";
import {IStakeGuard} from "../interfaces/IStakeGuard.sol";
import {BlobId, NodeId} from "../interfaces/StrataTypes.sol";
import {PeriodBits} from "./PeriodBits.sol";
import {Periods} from "./Periods.sol";
import {ProofSampling} from "./ProofSampling.sol";

/// @title ProofSystem
/// @notice Proof sets, seeds, sampling, verification, miss reports and slashing, created by and
/// serving one StorageMarket. See {IProofSystem}.
///
/// Each node keeps a proof set: the blobs it enrolled. The set sampled in period `p` is the set
/// as it stood when `p` started: enrollments during `p` are appended past the snapshot length,
/// and prunes during `p` are queued and applied when the node is first touched in a later
/// period. Nothing a node does after learning a period's seed changes that period's samples.
///
/// Split like the market: {ProofSetBook} (the sets and proven periods behind internal
/// accessors), {ProofSampling} (drawing and verifying samples) and this entry contract, which
/// holds the deployment parameters, the seeds, enrollment, proofs, miss reports and slashing.
contract ProofSystem is ProofSampling, IStakeGuard, ReentrancyGuardTransient {
    using PeriodBits for mapping(uint256 => uint256);

    /// @notice Deployment parameters of the proof system.
    /// @param samples Leaves sampled per node per period.
    /// @param missesToDrop Reported misses in a row after which a node is dropped.
    /// @param slashAmount Stake taken per reported miss.
    /// @param reporterBps Share of the slash paid to the reporter, in basis points.
    struct Params {
        INodeRegistry registry;
        address treasury;
        uint64 genesis;
        uint32 epochSeconds;
        uint32 periodSeconds;
        uint8 samples;
        uint16 missesToDrop;
        uint256 slashAmount;
        uint16 reporterBps;
    }

    uint256 private constant BPS = 10_000;

    IMarketHooks private immutable _market;
    INodeRegistry private immutable _registry;
    address private immutable _treasury;
    uint8 private immutable _samples;
    uint16 private immutable _missesToDrop;
    uint256 private immutable _slashAmount;
    uint16 private immutable _reporterBps;

    mapping(NodeId => mapping(uint256 => uint256)) private _reported;
    mapping(uint32 period => uint64) private _seedBlocks;

    /// @dev A deployment parameter is out of range.
    error ProofsInvalidParameters();

    /// @notice Created by the StorageMarket (the caller), which it serves.
    constructor(Params memory params) Periods(params.genesis, params.epochSeconds, params.periodSeconds) {
        if (
            params.samples == 0 || params.missesToDrop == 0 || params.reporterBps > BPS
                || address(params.registry) == address(0) || params.treasury == address(0)
        ) revert ProofsInvalidParameters();
        _market = IMarketHooks(msg.sender);
        _registry = params.registry;
        _treasury = params.treasury;
        _samples = params.samples;
        _missesToDrop = params.missesToDrop;
        _slashAmount = params.slashAmount;
        _reporterBps = params.reporterBps;
    }

    /// @inheritdoc IProofSystem
    function commitSeed() external {
        uint32 period = _currentPeriod();
        if (_seedBlocks[period] != 0) return;
        uint64 seedBlock = uint64(block.number + 1);
        _seedBlocks[period] = seedBlock;
        emit SeedCommitted(period, seedBlock);
    }

    /// @inheritdoc IProofSystem
    function enroll(NodeId nodeId, BlobId[] calldata blobIds, uint8[] calldata holders) external {
        if (blobIds.length != holders.length) revert ProofsLengthMismatch();
        _checkNodeAccount(nodeId);
        NodeBook storage book = _roll(nodeId);
        if (book.dropped) revert ProofsNodeDropped(nodeId);
        uint256[] storage set = _setOf(nodeId);
        mapping(BlobId => uint256) storage entries = _entriesOf(nodeId);
        for (uint256 i = 0; i < blobIds.length; ++i) {
            BlobId blobId = blobIds[i];
            uint8 holder = holders[i];
            if (entries[blobId] != 0) revert ProofsAlreadyEnrolled(nodeId, blobId);
            if (!_market.enrollHolder(blobId, nodeId, holder)) revert ProofsCannotEnroll(nodeId, blobId);
            set.push(uint256(BlobId.unwrap(blobId)) | (uint256(holder) << 248));
            entries[blobId] = set.length | (uint256(holder) << 32);
            emit BlobEnrolled(nodeId, blobId, holder);
        }
    }

    /// @inheritdoc IProofSystem
    function prune(NodeId nodeId, BlobId[] calldata blobIds) external {
        _checkNodeAccount(nodeId);
        NodeBook storage book = _roll(nodeId);
        uint32 period = _currentPeriod();
        mapping(BlobId => uint256) storage entries = _entriesOf(nodeId);
        BlobId[] storage queue = _pruneQueueOf(nodeId);
        for (uint256 i = 0; i < blobIds.length; ++i) {
            BlobId blobId = blobIds[i];
            uint256 entry = entries[blobId];
            if (entry == 0 || entry & PRUNING != 0) revert ProofsNotEnrolled(nodeId, blobId);
            if (!_market.isDeadFor(blobId, uint8(entry >> 32), period)) revert ProofsBlobLive(nodeId, blobId);
            entries[blobId] = entry | PRUNING;
            queue.push(blobId);
            emit BlobPruned(nodeId, blobId);
        }
        book.queued = uint16(queue.length);
    }

    /// @inheritdoc IProofSystem
    function submitProof(NodeId nodeId, bytes calldata proof) external {
        NodeBook storage book = _roll(nodeId);
        uint32 period = _currentPeriod();
        if (book.dropped) revert ProofsNodeDropped(nodeId);
        uint256 length = book.lenAtStart;
        if (length == 0) revert ProofsNotChallenged(nodeId, period);
        if (_isProven(nodeId, book, period)) revert ProofsAlreadyProven(nodeId, period);
        bytes32 seed = _seedFrom(_seedBlocks[period], period);
        if (seed == 0) revert ProofsSeedUnavailable(period);
        uint256 verified = _verify(nodeId, period, seed, length, proof);
        _setProven(nodeId, book, period);
        book.missesInRow = 0;
        emit ProofSubmitted(nodeId, period, verified);
    }

    /// @inheritdoc IProofSystem
    function reportMissedProof(NodeId nodeId, uint32 period) external nonReentrant {
        bool dropped = _recordMiss(nodeId, period);
        uint256 reporterShare = (_slashAmount * _reporterBps) / BPS;
        _registry.slash(nodeId, reporterShare, msg.sender);
        _registry.slash(nodeId, _slashAmount - reporterShare, _treasury);
        if (dropped) _registry.jail(nodeId);
    }

    /// @inheritdoc IProofSystem
    function challenges(NodeId nodeId) external view returns (Challenge[] memory list) {
        uint32 period = _currentPeriod();
        NodeBook storage book = _book(nodeId);
        bytes32 seed = _seedFrom(_seedBlocks[period], period);
        if (seed == 0 || book.dropped) return list;
        uint256[] memory set = _snapshot(nodeId, book, period);
        if (set.length != 0) list = _sampleSet(nodeId, period, seed, set);
    }

    /// @inheritdoc IProofSystem
    function seedOf(uint32 period) external view returns (bytes32) {
        return _seedFrom(_seedBlocks[period], period);
    }

    /// @notice The block whose hash seeds `period` (zero while not committed).
    function seedBlockOf(uint32 period) external view returns (uint64) {
        return _seedBlocks[period];
    }

    /// @inheritdoc IProofSystem
    function isProven(NodeId nodeId, uint32 period) external view returns (bool) {
        return _isProven(nodeId, _book(nodeId), period);
    }

    /// @inheritdoc IProofSystem
    function currentPeriod() external view returns (uint32) {
        return _currentPeriod();
    }

    /// @notice Proving-period samples per node.
    function samplesPerProof() public view returns (uint8) {
        return _samples;
    }

    /// @notice Misses in a row after which a node is dropped from its blobs.
    function missesToDrop() public view returns (uint16) {
        return _missesToDrop;
    }

    /// @notice What a reported miss costs: `amount` of stake, `reporterBps` of it to the reporter
    /// and the rest to `treasury`.
    function slashTerms() external view returns (uint256 amount, uint16 reporterBps, address treasury) {
        return (_slashAmount, _reporterBps, _treasury);
    }

    /// @dev Records a miss of `period` (the period before the current one) and drops the node
    /// at the threshold. Returns whether the node was dropped. Callers slash after this.
    function _recordMiss(NodeId nodeId, uint32 period) private returns (bool dropped) {
        NodeBook storage book = _roll(nodeId);
        uint32 current = _currentPeriod();
        if (uint256(period) + 1 != current) revert ProofsReportWindowClosed(period, current);
        if (book.dropped) revert ProofsNodeDropped(nodeId);
        if (book.prevLenAtStart == 0) revert ProofsNotChallenged(nodeId, period);
        if (_isProven(nodeId, book, period)) revert ProofsPeriodProven(nodeId, period);
        if (_reported[nodeId].isSet(period)) revert ProofsAlreadyReported(nodeId, period);
        _reported[nodeId].set(period);
        uint8 misses = book.missesInRow != 0 && book.lastMissed + 1 == period ? book.missesInRow + 1 : 1;
        book.missesInRow = misses;
        book.lastMissed = period;
        emit ProofMissed(nodeId, period, misses, msg.sender);
        if (misses >= _missesToDrop) {
            _drop(nodeId, book, current);
            return true;
        }
        return false;
    }

    /// @notice The node still has blobs to keep: its stake stays bonded.
    /// @inheritdoc IStakeGuard
    function isStakeLocked(NodeId nodeId) external view returns (bool) {
        return !_book(nodeId).dropped && _setOf(nodeId).length > _pruneQueueOf(nodeId).length;
    }

    /// @notice The market this proof system serves.
    function market() external view returns (IMarketHooks) {
        return _market;
    }

    function _checkNodeAccount(NodeId nodeId) private view {
        (address operator, address signer) = _registry.nodeAccounts(nodeId);
        if (operator == address(0) || (msg.sender != operator && msg.sender != signer)) {
            revert ProofsNotNodeAccount(nodeId, msg.sender);
        }
    }

    function _drop(NodeId nodeId, NodeBook storage book, uint32 period) private {
        book.dropped = true;
        uint256[] storage set = _setOf(nodeId);
        for (uint256 i = 0; i < set.length; ++i) {
            (BlobId blobId, uint8 holder) = _unpack(set[i]);
            _market.dropHolder(blobId, holder);
            emit HolderDropped(blobId, nodeId, holder);
        }
        emit NodeDropped(nodeId, period);
    }

    function _marketHooks() internal view override returns (IMarketHooks) {
        return _market;
    }

    function _sampleCount() internal view override returns (uint8) {
        return _samples;
    }
}
