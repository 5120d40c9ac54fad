// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Blockhash} from "@openzeppelin/contracts/utils/Blockhash.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMarketHooks} from "../interfaces/IMarketHooks.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IProofSystem} from "../interfaces/IProofSystem.sol";
import {IStakeGuard} from "../interfaces/IStakeGuard.sol";
import {MerkleCommitment} from "../libraries/MerkleCommitment.sol";
import {BlobId, NodeId} from "../types/StrataTypes.sol";
import {PeriodBits} from "./PeriodBits.sol";
import {Periods} from "./Periods.sol";

/// @title ProofSystem
/// @notice Proof sets, seeds, sampling, verification, miss reports and slashing, created by and
/// serving one StorageMarket. See {IProofSystem}.
///
/// Each node keeps a proof set: the blobs it enrolled. The set sampled in period `p` is the set
/// as it stood when `p` started: enrollments during `p` are appended past the snapshot length,
/// and prunes during `p` are queued and applied when the node is first touched in a later
/// period. Nothing a node does after learning a period's seed changes that period's samples.
contract ProofSystem is IProofSystem, IStakeGuard, Periods, ReentrancyGuardTransient {
    using PeriodBits for mapping(uint256 => uint256);

    /// @dev Draws per sample before a sample that keeps landing on dead entries is void.
    uint256 private constant MAX_ATTEMPTS = 16;
    uint256 private constant POSITION_MASK = 0xffffffff;
    uint256 private constant PRUNING = 1 << 40;

    /// @dev Everything a period's proof reads and writes about a node, in one storage slot.
    struct NodeBook {
        uint32 rolledTo; // 1 + the period the snapshot below belongs to; 0 before the first touch
        uint32 lenAtStart; // set length at the start of that period
        uint32 prevLenAtStart; // set length at the start of the period before it
        uint32 lastMissed; // last reported missed period
        uint32 windowBase; // first period of `window` (a multiple of 64)
        uint64 window; // proven periods in [windowBase, windowBase + 64), not yet in `_proven`
        uint16 queued; // prunes queued for the next roll
        uint8 missesInRow;
        bool dropped;
    }

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

    mapping(NodeId => NodeBook) private _books;
    // proof set: blob id (248 bits) | holder index << 248
    mapping(NodeId => uint256[]) private _sets;
    // position + 1 (bits 0-31) | holder index (bits 32-39) | PRUNING
    mapping(NodeId => mapping(BlobId => uint256)) private _entries;
    mapping(NodeId => BlobId[]) private _pruneQueue;
    mapping(NodeId => mapping(uint256 => uint256)) private _proven;
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
        uint256[] storage set = _sets[nodeId];
        mapping(BlobId => uint256) storage entries = _entries[nodeId];
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
        mapping(BlobId => uint256) storage entries = _entries[nodeId];
        BlobId[] storage queue = _pruneQueue[nodeId];
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
        NodeBook storage book = _books[nodeId];
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
        return _isProven(nodeId, _books[nodeId], period);
    }

    /// @inheritdoc IProofSystem
    function proofSet(NodeId nodeId) external view returns (BlobId[] memory blobIds) {
        uint256[] storage set = _sets[nodeId];
        blobIds = new BlobId[](set.length);
        for (uint256 i = 0; i < set.length; ++i) {
            (blobIds[i],) = _unpack(set[i]);
        }
    }

    /// @inheritdoc IProofSystem
    function nodeStanding(NodeId nodeId) external view returns (uint8 missesInRow, bool dropped) {
        NodeBook storage book = _books[nodeId];
        return (book.missesInRow, book.dropped);
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

    /// @inheritdoc IProofSystem
    function provenCount(NodeId nodeId, uint32 from, uint32 to) external view returns (uint256 total) {
        if (from >= to) return 0;
        NodeBook storage book = _books[nodeId];
        total = _proven[nodeId].count(from, to);
        uint64 window = book.window;
        if (window == 0) return total;
        // the window's periods are [base, base + 64): keep the bits inside [from, to)
        uint256 base = book.windowBase;
        uint256 lo = from > base ? from - base : 0;
        uint256 hi = to < base + 64 ? (to > base ? to - base : 0) : 64;
        if (lo < hi) total += PeriodBits.popcount((uint256(window) >> lo) & ((uint256(1) << (hi - lo)) - 1));
    }

    /// @inheritdoc IProofSystem
    function isEnrolled(NodeId nodeId, BlobId blobId) external view returns (bool) {
        return _entries[nodeId][blobId] != 0;
    }

    /// @notice The node still has blobs to keep: its stake stays bonded.
    /// @inheritdoc IStakeGuard
    function isStakeLocked(NodeId nodeId) external view returns (bool) {
        return !_books[nodeId].dropped && _sets[nodeId].length > _pruneQueue[nodeId].length;
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
        uint256[] storage set = _sets[nodeId];
        for (uint256 i = 0; i < set.length; ++i) {
            (BlobId blobId, uint8 holder) = _unpack(set[i]);
            _market.dropHolder(blobId, holder);
            emit HolderDropped(blobId, nodeId, holder);
        }
        emit NodeDropped(nodeId, period);
    }

    /// @dev Brings the node's snapshot to the current period: applies prunes queued in earlier
    /// periods, then records the set length at the start of this period and of the previous one.
    function _roll(NodeId nodeId) private returns (NodeBook storage book) {
        book = _books[nodeId];
        uint32 period = _currentPeriod();
        uint32 rolledTo = book.rolledTo;
        if (rolledTo == period + 1) return book;
        if (book.queued != 0) {
            BlobId[] storage queue = _pruneQueue[nodeId];
            for (uint256 i = 0; i < queue.length; ++i) {
                _removeEntry(nodeId, queue[i]);
            }
            delete _pruneQueue[nodeId];
            book.queued = 0;
        }
        uint32 length = uint32(_sets[nodeId].length);
        book.prevLenAtStart = rolledTo == period ? book.lenAtStart : length;
        book.lenAtStart = length;
        book.rolledTo = period + 1;
    }

    function _isProven(NodeId nodeId, NodeBook storage book, uint32 period) private view returns (bool) {
        uint32 base = book.windowBase;
        if (period >= base && period < base + 64) return book.window & (uint64(1) << (period - base)) != 0;
        return _proven[nodeId].isSet(period);
    }

    /// @dev Marks `period` proven in the book's window (the slot the proof writes anyway); a
    /// period past the window first moves the window's bits to the `_proven` bitmap.
    function _setProven(NodeId nodeId, NodeBook storage book, uint32 period) private {
        uint32 base = book.windowBase;
        if (period >= base + 64 || period < base) {
            uint64 window = book.window;
            if (window != 0) _proven[nodeId][base >> 8] |= uint256(window) << (base & 0xff);
            base = period & ~uint32(63);
            book.windowBase = base;
            book.window = 0;
        }
        book.window |= uint64(1) << (period - base);
    }

    function _removeEntry(NodeId nodeId, BlobId blobId) private {
        uint256[] storage set = _sets[nodeId];
        mapping(BlobId => uint256) storage entries = _entries[nodeId];
        uint256 position = (entries[blobId] & POSITION_MASK) - 1;
        uint256 last = set.length - 1;
        if (position != last) {
            uint256 moved = set[last];
            set[position] = moved;
            (BlobId movedId,) = _unpack(moved);
            entries[movedId] = (entries[movedId] & ~POSITION_MASK) | (position + 1);
        }
        set.pop();
        delete entries[blobId];
    }

    /// @dev The set as the current period samples it, without writing: the stored set with the
    /// queued prunes applied if the node was not rolled this period, cut to the snapshot length.
    function _snapshot(NodeId nodeId, NodeBook storage book, uint32 period)
        private
        view
        returns (uint256[] memory set)
    {
        set = _sets[nodeId];
        uint256 length = set.length;
        if (book.rolledTo == period + 1) {
            length = book.lenAtStart;
        } else {
            BlobId[] storage queue = _pruneQueue[nodeId];
            for (uint256 i = 0; i < queue.length; ++i) {
                uint256 position = 0;
                while (_idOf(set[position]) != queue[i]) ++position;
                set[position] = set[--length];
            }
        }
        assembly ("memory-safe") {
            mstore(set, length)
        }
    }

    /// @dev What drawing a period's samples for a node depends on.
    struct Draw {
        NodeId nodeId;
        uint32 period;
        bytes32 seed;
        uint256 length;
    }

    function _verify(NodeId nodeId, uint32 period, bytes32 seed, uint256 length, bytes calldata proof)
        private
        view
        returns (uint256 verified)
    {
        Draw memory draw = Draw(nodeId, period, seed, length);
        uint256[] storage set = _sets[nodeId];
        uint256 offset = 0;
        for (uint256 i = 0; i < _samples; ++i) {
            bool counted;
            (offset, counted) = _verifySample(draw, set, i, proof, offset);
            if (counted) ++verified;
        }
        if (offset != proof.length) revert ProofsMalformedProof(nodeId, offset, proof.length);
    }

    /// @dev Draws sample `sample` and checks its proof at `offset`; a void sample consumes nothing.
    function _verifySample(
        Draw memory draw,
        uint256[] storage set,
        uint256 sample,
        bytes calldata proof,
        uint256 offset
    )
        private
        view
        returns (uint256 next, bool counted)
    {
        for (uint256 attempt = 0; attempt < MAX_ATTEMPTS; ++attempt) {
            uint256 value = _draw(draw.seed, draw.nodeId, sample, attempt);
            (bool live, Challenge memory target) = _resolve(set[value % draw.length], value, draw.period);
            if (live) return (_check(draw.nodeId, sample, target, proof, offset), true);
        }
        return (offset, false);
    }

    /// @dev The samples of the current period over `set` (the snapshot the period samples).
    function _sampleSet(NodeId nodeId, uint32 period, bytes32 seed, uint256[] memory set)
        private
        view
        returns (Challenge[] memory list)
    {
        list = new Challenge[](_samples);
        uint256 count = 0;
        for (uint256 i = 0; i < _samples; ++i) {
            for (uint256 attempt = 0; attempt < MAX_ATTEMPTS; ++attempt) {
                uint256 draw = _draw(seed, nodeId, i, attempt);
                (bool live, Challenge memory target) = _resolve(set[draw % set.length], draw, period);
                if (!live) continue;
                list[count++] = target;
                break;
            }
        }
        assembly ("memory-safe") {
            mstore(list, count)
        }
    }

    /// @dev Checks the proof of `target` at `offset`; returns the offset just past it.
    function _check(NodeId nodeId, uint256 sample, Challenge memory target, bytes calldata proof, uint256 offset)
        private
        view
        returns (uint256 next)
    {
        bytes32 computed;
        (computed, next) = MerkleCommitment.rootAt(proof, offset, target.size, target.leafIndex);
        if (next > proof.length) revert ProofsMalformedProof(nodeId, next, proof.length);
        if (computed != target.root) revert ProofsInvalidProof(nodeId, sample, target.blobId, target.leafIndex);
    }

    /// @dev The leaf `draw` picks in the entry's blob, if the node is to prove it in `period`.
    function _resolve(uint256 entry, uint256 draw, uint32 period)
        private
        view
        returns (bool live, Challenge memory target)
    {
        (BlobId blobId, uint8 holder) = _unpack(entry);
        bytes32 root;
        uint64 size;
        (live, root, size) = _market.challengeTarget(blobId, holder, period);
        if (live) {
            target = Challenge(blobId, uint64((draw >> 128) % MerkleCommitment.leafCount(size)), size, root);
        }
    }

    function _unpack(uint256 entry) private pure returns (BlobId blobId, uint8 holder) {
        return (_idOf(entry), uint8(entry >> 248));
    }

    function _idOf(uint256 entry) private pure returns (BlobId) {
        return BlobId.wrap(bytes32(entry & (type(uint256).max >> 8)));
    }

    /// @dev `uint256(keccak256(abi.encode(seed, nodeId, sample, attempt)))`, hashed in scratch memory.
    function _draw(bytes32 seed, NodeId nodeId, uint256 sample, uint256 attempt) private pure returns (uint256 draw) {
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, seed)
            mstore(add(ptr, 0x20), and(nodeId, 0xffffffff))
            mstore(add(ptr, 0x40), sample)
            mstore(add(ptr, 0x60), attempt)
            draw := keccak256(ptr, 0x80)
        }
    }

    function _seedFrom(uint64 blockNumber, uint32 period) private view returns (bytes32) {
        if (blockNumber == 0 || blockNumber >= block.number) return 0;
        bytes32 hash = Blockhash.blockHash(blockNumber);
        return hash == 0 ? bytes32(0) : keccak256(abi.encode(hash, period));
    }
}
