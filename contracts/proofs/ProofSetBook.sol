// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IProofSystem} from "../interfaces/IProofSystem.sol";
import {BlobId, NodeId} from "../interfaces/StrataTypes.sol";
import {PeriodBits} from "./PeriodBits.sol";
import {Periods} from "./Periods.sol";

/// @title ProofSetBook
/// @notice Each node's proof set (the blobs it enrolled, as holder of which place), the set's
/// length at the start of the current and the previous period, the prunes queued for the next
/// period, and the periods the node proved. The state is private; the other pieces of the proof
/// system reach it through the internal functions here.
abstract contract ProofSetBook is IProofSystem, Periods {
    using PeriodBits for mapping(uint256 => uint256);

    uint256 private constant POSITION_MASK = 0xffffffff;
    /// @dev Flag of a set entry whose prune is queued.
    uint256 internal constant PRUNING = 1 << 40;

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

    mapping(NodeId => NodeBook) private _books;
    // proof set: blob id (248 bits) | holder index << 248
    mapping(NodeId => uint256[]) private _sets;
    // position + 1 (bits 0-31) | holder index (bits 32-39) | PRUNING
    mapping(NodeId => mapping(BlobId => uint256)) private _entries;
    mapping(NodeId => BlobId[]) private _pruneQueue;
    mapping(NodeId => mapping(uint256 => uint256)) private _proven;

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

    /// @dev The node's book, as last written (see {_roll}).
    function _book(NodeId nodeId) internal view returns (NodeBook storage) {
        return _books[nodeId];
    }

    /// @dev The node's proof set: packed entries, see {_unpack}.
    function _setOf(NodeId nodeId) internal view returns (uint256[] storage) {
        return _sets[nodeId];
    }

    /// @dev Where each blob sits in the node's set: position + 1, holder index and `PRUNING`.
    function _entriesOf(NodeId nodeId) internal view returns (mapping(BlobId => uint256) storage) {
        return _entries[nodeId];
    }

    /// @dev The blobs whose prune is queued for the node's next roll.
    function _pruneQueueOf(NodeId nodeId) internal view returns (BlobId[] storage) {
        return _pruneQueue[nodeId];
    }

    /// @dev Brings the node's snapshot to the current period: applies prunes queued in earlier
    /// periods, then records the set length at the start of this period and of the previous one.
    function _roll(NodeId nodeId) internal returns (NodeBook storage book) {
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

    function _isProven(NodeId nodeId, NodeBook storage book, uint32 period) internal view returns (bool) {
        uint32 base = book.windowBase;
        if (period >= base && period < base + 64) return book.window & (uint64(1) << (period - base)) != 0;
        return _proven[nodeId].isSet(period);
    }

    /// @dev Marks `period` proven in the book's window (the slot the proof writes anyway); a
    /// period past the window first moves the window's bits to the `_proven` bitmap.
    function _setProven(NodeId nodeId, NodeBook storage book, uint32 period) internal {
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
        internal
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

    function _unpack(uint256 entry) internal pure returns (BlobId blobId, uint8 holder) {
        return (_idOf(entry), uint8(entry >> 248));
    }

    function _idOf(uint256 entry) internal pure returns (BlobId) {
        return BlobId.wrap(bytes32(entry & (type(uint256).max >> 8)));
    }
}
