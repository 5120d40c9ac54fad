// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {IMarketHooks} from "../interfaces/IMarketHooks.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IProofSystem} from "../interfaces/IProofSystem.sol";
import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {Periods} from "../proofs/Periods.sol";
import {ProofSystem} from "../proofs/ProofSystem.sol";
import {BlobId, BlobStatus, NodeId, Tier, blobIdFor} from "../types/StrataTypes.sol";
import {MerkleCommitment} from "../libraries/MerkleCommitment.sol";
import {BlobTerms} from "./BlobTerms.sol";

/// @title StorageMarket
/// @notice Blob registry, escrow, availability certificates and per-period pay: the entry
/// contract of the market. It creates the {ProofSystem} that challenges its holders; pay flows
/// only for the periods a holder proved. See {IStorageMarket}.
///
/// A blob's escrow is not stored: the price of its epochs follows from its holders' prices, its
/// size and its epochs, and `released` counts what left it (pay and refunds). The fee is
/// `feeOn(price)`; it is refunded with an uncertified blob and earned by the treasury once a
/// certified blob settles.
contract StorageMarket is IStorageMarket, IMarketHooks, Periods, EIP712, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice EIP-712 type of a node's attestation that it holds a blob.
    bytes32 public constant ATTESTATION_TYPEHASH =
        keccak256("Attestation(bytes32 blobId,bytes32 commitment,uint64 size,uint32 nodeId,uint64 expiry)");

    /// @notice Deployment parameters.
    /// @param epochSeconds Length of an epoch, the unit of price and term.
    /// @param periodSeconds Length of a proving period; divides `epochSeconds`.
    /// @param feeBps Protocol fee on top of the storage price, in basis points.
    /// @param certifyWindow Seconds after registration within which a blob must be certified.
    /// @param coldMargin Attestations beyond `recovery` a cold blob needs to be certified.
    /// @param samplesPerProof Leaves sampled per node per period.
    /// @param missesToDrop Reported misses in a row after which a node is dropped.
    /// @param slashAmount Stake taken per reported miss.
    /// @param reporterBps Share of the slash paid to the reporter, in basis points.
    struct Config {
        IERC20 token;
        INodeRegistry registry;
        address treasury;
        uint32 epochSeconds;
        uint32 periodSeconds;
        uint16 feeBps;
        uint32 certifyWindow;
        uint8 coldMargin;
        uint8 samplesPerProof;
        uint16 missesToDrop;
        uint256 slashAmount;
        uint16 reporterBps;
    }

    /// @dev Laid out so a proof's challenge reads two slots (2 and 1) and a certification writes one (2).
    struct Blob {
        // slot 0: what registration fixes
        address owner;
        uint8 quorum;
        uint8 holderCount;
        uint8 recovery;
        uint16 enrolled;
        uint40 shardSize;
        // slot 1
        bytes32 commitment;
        // slot 2: what certification, proofs and the term change
        uint64 size;
        uint32 epochs;
        uint32 startPeriod;
        uint32 endPeriod;
        uint40 certifyDeadline;
        BlobStatus status;
        Tier tier;
        uint16 attested;
        uint16 dropped;
        bool degraded; // a holder was dropped and its place is not attested again yet
        // slot 3, written only once money leaves the escrow: what left it, and the period up to
        // which holders 0-3 were paid (holders 4+ in `_paidTo`)
        uint128 released;
        uint128 paidTo;
    }

    IERC20 private immutable _token;
    INodeRegistry private immutable _registry;
    IProofSystem private immutable _proofs;
    address private immutable _treasury;
    uint16 private immutable _feeBps;
    uint32 private immutable _certifyWindow;
    uint8 private immutable _coldMargin;

    mapping(BlobId => Blob) private _blobs;
    // three holders per word, 80 bits each: nodeId in the low 24 bits, price in the next 56
    mapping(BlobId => mapping(uint256 => uint256)) private _holders;
    // holders 4+: eight 32-bit "paid up to" periods per word
    mapping(BlobId => mapping(uint256 => uint256)) private _paidTo;
    // the signing key each holder had when it enrolled the blob: its attestation must carry it
    mapping(BlobId => mapping(uint256 => address)) private _enrolledSigners;
    // cold: the shard commitment each counted holder is challenged on
    mapping(BlobId => mapping(uint256 => bytes32)) private _shardRoots;
    mapping(NodeId => uint256) private _credits;
    uint256 private _feesAccrued;

    /// @notice Deploys the market and its proof system. The registry's admin must then grant the
    /// proof system `SLASHER_ROLE` and make it the registry's stake guard (devnet/deploy-strata.ts).
    constructor(Config memory config)
        Periods(uint64(block.timestamp), config.epochSeconds, config.periodSeconds)
        EIP712("Strata StorageMarket", "1")
    {
        if (
            address(config.token) == address(0) || address(config.registry) == address(0)
                || config.treasury == address(0) || config.feeBps > BlobTerms.BPS || config.certifyWindow == 0
        ) revert StorageMarketInvalidConfig();
        _token = config.token;
        _registry = config.registry;
        _treasury = config.treasury;
        _feeBps = config.feeBps;
        _certifyWindow = config.certifyWindow;
        _coldMargin = config.coldMargin;
        _proofs = new ProofSystem(
            ProofSystem.Params({
                registry: config.registry,
                treasury: config.treasury,
                genesis: uint64(block.timestamp),
                epochSeconds: config.epochSeconds,
                periodSeconds: config.periodSeconds,
                samples: config.samplesPerProof,
                missesToDrop: config.missesToDrop,
                slashAmount: config.slashAmount,
                reporterBps: config.reporterBps
            })
        );
    }

    // ----------------------------------------------------------------------------- blobs

    /// @inheritdoc IStorageMarket
    function registerBlob(BlobParams calldata params) external nonReentrant returns (BlobId blobId) {
        BlobTerms.validate(params);
        if (uint256(params.epochs) * periodsPerEpoch() > type(uint32).max / 2) {
            revert StorageMarketInvalidEpochs(params.epochs);
        }
        blobId = blobIdOf(msg.sender, params.salt);
        Blob storage blob = _blobs[blobId];
        if (blob.status != BlobStatus.None) revert StorageMarketBlobExists(blobId);
        uint64[] memory prices = _registry.nodeTerms(params.nodes, params.tier);
        (uint256 cost, uint256 fee) = BlobTerms.price(
            prices, params.tier == Tier.Hot ? params.size : params.shardSize, params.epochs, _feeBps
        );
        if (cost + fee > type(uint128).max) revert StorageMarketAmountOverflow();
        uint40 deadline = uint40(block.timestamp + _certifyWindow);
        blob.owner = msg.sender;
        blob.tier = params.tier;
        blob.status = BlobStatus.Registered;
        blob.quorum = BlobTerms.quorum(params.tier, params.nodes.length, params.recovery, _coldMargin);
        blob.holderCount = uint8(params.nodes.length);
        blob.recovery = params.recovery;
        blob.commitment = params.commitment;
        blob.size = params.size;
        blob.shardSize = uint40(params.shardSize);
        blob.epochs = params.epochs;
        blob.certifyDeadline = deadline;
        _storeHolders(blobId, params.nodes, prices);
        emit BlobRegistered(blobId, msg.sender, params, cost, fee, deadline);
        _token.safeTransferFrom(msg.sender, address(this), cost + fee);
    }

    /// @inheritdoc IStorageMarket
    function certify(BlobId blobId, Attestation[] calldata attestations) external {
        if (_blobs[blobId].tier == Tier.Cold) revert StorageMarketShardRootsRequired(blobId);
        _certify(blobId, attestations);
    }

    /// @inheritdoc IStorageMarket
    function certifyShards(BlobId blobId, Attestation[] calldata attestations, bytes32[] calldata shardRoots)
        external
    {
        Blob storage blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        if (blob.tier != Tier.Cold) revert StorageMarketNotCold(blobId);
        if (shardRoots.length != blob.holderCount || MerkleCommitment.shardsRoot(shardRoots) != blob.commitment) {
            revert StorageMarketInvalidShardRoots(blobId);
        }
        uint16 counted = _certify(blobId, attestations);
        mapping(uint256 => bytes32) storage roots = _shardRoots[blobId];
        for (uint256 h = 0; h < shardRoots.length; ++h) {
            if (counted & _bit(h) != 0) roots[h] = shardRoots[h];
        }
    }

    /// @inheritdoc IStorageMarket
    function reassignHolder(BlobId blobId, uint8 holder, NodeId nodeId) external nonReentrant {
        (address operator, address signer) = _registry.nodeAccounts(nodeId);
        if (msg.sender != operator && msg.sender != signer) revert StorageMarketNotNodeAccount(nodeId, msg.sender);
        Blob storage blob = _blobs[blobId];
        if (blob.status != BlobStatus.Certified) _revertStatus(blobId, blob.status);
        uint32 period = _currentPeriod();
        if (period >= blob.endPeriod) revert StorageMarketTermEnded(blobId, blob.endPeriod);
        if (holder >= blob.holderCount) revert StorageMarketUnknownHolder(blobId, holder);
        uint16 bit = _bit(holder);
        if (blob.dropped & bit == 0) revert StorageMarketHolderNotDropped(blobId, holder);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (NodeId holderId,) = _holder(blobId, h);
            if (holderId == nodeId) revert StorageMarketAlreadyHolder(blobId, nodeId);
        }
        NodeId[] memory candidate = new NodeId[](1);
        candidate[0] = nodeId;
        _registry.nodeTerms(candidate, blob.tier); // reverts unless active and serving the tier
        (NodeId previous, uint64 price) = _holder(blobId, holder);
        _credits[previous] += _collect(blobId, holder, period);
        _setHolder(blobId, holder, nodeId, price);
        blob.dropped &= ~bit;
        blob.attested &= ~bit;
        blob.enrolled &= ~bit;
        delete _enrolledSigners[blobId][holder];
        delete _shardRoots[blobId][holder];
        emit HolderReassigned(blobId, holder, previous, nodeId);
    }

    /// @inheritdoc IStorageMarket
    function reclaim(BlobId blobId) external nonReentrant {
        Blob storage blob = _ownedBlob(blobId);
        if (blob.status != BlobStatus.Registered) _revertStatus(blobId, blob.status);
        if (block.timestamp <= blob.certifyDeadline) {
            revert StorageMarketCertifyDeadlinePending(blobId, blob.certifyDeadline);
        }
        uint256 cost = _cost(blobId, blob, blob.epochs);
        uint256 refund = cost + BlobTerms.feeOn(cost, _feeBps);
        blob.released = uint128(cost);
        blob.status = BlobStatus.Reclaimed;
        emit BlobReclaimed(blobId, refund);
        _token.safeTransfer(msg.sender, refund);
    }

    /// @inheritdoc IStorageMarket
    function extend(BlobId blobId, uint32 epochs) external nonReentrant {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        if (epochs == 0) revert StorageMarketInvalidEpochs(epochs);
        if (status == BlobStatus.Certified) {
            if (_currentPeriod() >= blob.endPeriod) revert StorageMarketTermEnded(blobId, blob.endPeriod);
        } else if (status != BlobStatus.Registered) {
            _revertStatus(blobId, status);
        }
        uint256 total = uint256(blob.epochs) + epochs;
        if (total * periodsPerEpoch() + blob.endPeriod > type(uint32).max) revert StorageMarketInvalidEpochs(epochs);
        uint256 oldCost = _cost(blobId, blob, blob.epochs);
        uint256 newCost = _cost(blobId, blob, uint32(total));
        uint256 fee = BlobTerms.feeOn(newCost, _feeBps) - BlobTerms.feeOn(oldCost, _feeBps);
        if (newCost + fee > type(uint128).max) revert StorageMarketAmountOverflow();
        blob.epochs = uint32(total);
        if (status == BlobStatus.Certified) blob.endPeriod += epochs * periodsPerEpoch();
        uint256 paid = newCost - oldCost + fee;
        emit BlobExtended(blobId, msg.sender, epochs, blob.endPeriod, paid);
        _token.safeTransferFrom(msg.sender, address(this), paid);
    }

    /// @inheritdoc IStorageMarket
    function deleteBlob(BlobId blobId) external nonReentrant {
        Blob storage blob = _ownedBlob(blobId);
        BlobStatus status = blob.status;
        uint256 refund;
        if (status == BlobStatus.Registered) {
            uint256 cost = _cost(blobId, blob, blob.epochs);
            refund = cost + BlobTerms.feeOn(cost, _feeBps);
            blob.released = uint128(cost);
        } else if (status == BlobStatus.Certified) {
            uint32 end = blob.endPeriod;
            uint32 newEnd = _currentPeriod() + 1;
            if (newEnd > end) revert StorageMarketTermEnded(blobId, end);
            uint64 stored = _storedBytes(blob);
            for (uint256 h = 0; h < blob.holderCount; ++h) {
                (, uint64 price) = _holder(blobId, h);
                refund += BlobTerms.pay(price, stored, end - newEnd, periodsPerEpoch());
            }
            blob.released += uint128(refund);
            blob.endPeriod = newEnd;
        } else {
            _revertStatus(blobId, status);
        }
        blob.status = BlobStatus.Deleted;
        emit BlobDeleted(blobId, blob.endPeriod, refund);
        if (refund != 0) _token.safeTransfer(msg.sender, refund);
    }

    // -------------------------------------------------------------------------- payments

    /// @inheritdoc IStorageMarket
    function claim(NodeId nodeId, BlobId[] calldata blobIds, uint8[] calldata holders)
        external
        nonReentrant
        returns (uint256 amount)
    {
        if (blobIds.length != holders.length) revert StorageMarketLengthMismatch();
        (address operator, address signer) = _registry.nodeAccounts(nodeId);
        if (msg.sender != operator && msg.sender != signer) revert StorageMarketNotNodeAccount(nodeId, msg.sender);
        uint32 period = _currentPeriod();
        for (uint256 i = 0; i < blobIds.length; ++i) {
            BlobId blobId = blobIds[i];
            uint256 h = holders[i];
            (NodeId holderId,) = _holder(blobId, h);
            if (h >= _blobs[blobId].holderCount || holderId != nodeId) revert StorageMarketUnknownHolder(blobId, h);
            amount += _collect(blobId, h, period);
        }
        amount += _credits[nodeId];
        if (amount == 0) revert StorageMarketNothingToClaim(nodeId);
        _credits[nodeId] = 0;
        emit PaymentClaimed(nodeId, operator, amount);
        _token.safeTransfer(operator, amount);
    }

    /// @inheritdoc IStorageMarket
    function settle(BlobId blobId) external nonReentrant {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        // a blob deleted before certification was refunded in full: nothing is left to settle
        bool wasCertified = status == BlobStatus.Certified || (status == BlobStatus.Deleted && blob.startPeriod != 0);
        if (!wasCertified) _revertStatus(blobId, status);
        uint32 end = blob.endPeriod;
        if (_currentPeriod() < end) revert StorageMarketTermNotEnded(blobId, end);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (NodeId nodeId,) = _holder(blobId, h);
            _credits[nodeId] += _collect(blobId, h, end);
        }
        uint256 cost = _cost(blobId, blob, blob.epochs);
        uint256 refund = cost - blob.released;
        blob.released = uint128(cost);
        blob.status = BlobStatus.Settled;
        _feesAccrued += BlobTerms.feeOn(cost, _feeBps);
        emit BlobSettled(blobId, refund);
        if (refund != 0) _token.safeTransfer(blob.owner, refund);
    }

    /// @inheritdoc IStorageMarket
    function collectFees() external nonReentrant {
        uint256 amount = _feesAccrued;
        if (amount == 0) return;
        _feesAccrued = 0;
        emit FeesCollected(_treasury, amount);
        _token.safeTransfer(_treasury, amount);
    }

    // ----------------------------------------------------------------------------- views

    /// @inheritdoc IStorageMarket
    function quote(NodeId[] calldata nodeIds, Tier tier, uint64 storedBytes, uint32 epochs)
        external
        view
        returns (uint256 cost, uint256 fee)
    {
        return BlobTerms.price(_registry.nodeTerms(nodeIds, tier), storedBytes, epochs, _feeBps);
    }

    /// @inheritdoc IStorageMarket
    function getBlob(BlobId blobId) external view returns (BlobInfo memory info) {
        Blob storage blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        uint256 cost = _cost(blobId, blob, blob.epochs);
        info.owner = blob.owner;
        info.tier = blob.tier;
        info.status = blob.status;
        info.quorum = blob.quorum;
        info.recovery = blob.recovery;
        info.enrolled = blob.enrolled;
        info.attested = blob.attested;
        info.dropped = blob.dropped;
        info.commitment = blob.commitment;
        info.size = blob.size;
        info.shardSize = blob.shardSize;
        info.epochs = blob.epochs;
        info.startPeriod = blob.startPeriod;
        info.endPeriod = blob.endPeriod;
        info.certifyDeadline = blob.certifyDeadline;
        info.escrow = cost - blob.released;
        // the fee is held until an uncertified blob is refunded or a certified one settles
        BlobStatus status = blob.status;
        bool feeHeld = status == BlobStatus.Registered || status == BlobStatus.Certified
            || (status == BlobStatus.Deleted && blob.startPeriod != 0);
        info.fee = feeHeld ? BlobTerms.feeOn(cost, _feeBps) : 0;
        info.holders = new Holder[](blob.holderCount);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (NodeId nodeId, uint64 price) = _holder(blobId, h);
            info.holders[h] = Holder(nodeId, price);
        }
    }

    /// @inheritdoc IStorageMarket
    function blobIdOf(address owner, bytes32 salt) public view returns (BlobId) {
        return blobIdFor(block.chainid, address(this), owner, salt);
    }

    /// @inheritdoc IStorageMarket
    function attestationDigest(BlobId blobId, NodeId nodeId, uint64 expiry) public view returns (bytes32) {
        Blob storage blob = _blobs[blobId];
        return _hashTypedDataV4(
            keccak256(abi.encode(ATTESTATION_TYPEHASH, blobId, blob.commitment, blob.size, nodeId, expiry))
        );
    }

    /// @inheritdoc IStorageMarket
    function shardRootOf(BlobId blobId, uint8 holder) external view returns (bytes32) {
        return _shardRoots[blobId][holder];
    }

    /// @inheritdoc IStorageMarket
    function creditOf(NodeId nodeId) external view returns (uint256) {
        return _credits[nodeId];
    }

    /// @inheritdoc IStorageMarket
    function feesAccrued() external view returns (uint256) {
        return _feesAccrued;
    }

    /// @notice The proof system that challenges this market's holders.
    function proofSystem() external view returns (IProofSystem) {
        return _proofs;
    }

    /// @notice The payment token, the node registry, the fee's treasury, the fee in basis points,
    /// the certification window in seconds and the cold quorum margin.
    function terms()
        external
        view
        returns (IERC20 token, INodeRegistry registry, address treasury, uint16 feeBps, uint32 window, uint8 margin)
    {
        return (_token, _registry, _treasury, _feeBps, _certifyWindow, _coldMargin);
    }

    // ------------------------------------------------------------------------ proof hooks

    /// @inheritdoc IMarketHooks
    function enrollHolder(BlobId blobId, NodeId nodeId, uint8 holder) external returns (bool) {
        _onlyProofSystem();
        Blob storage blob = _blobs[blobId];
        (NodeId holderId,) = _holder(blobId, holder);
        if (holder >= blob.holderCount || holderId != nodeId || blob.dropped & _bit(holder) != 0) return false;
        BlobStatus status = blob.status;
        bool open = status == BlobStatus.Registered
            ? block.timestamp <= blob.certifyDeadline
            : status == BlobStatus.Certified && _currentPeriod() < blob.endPeriod;
        if (open) {
            blob.enrolled |= _bit(holder);
            (, _enrolledSigners[blobId][holder]) = _registry.nodeAccounts(nodeId);
        }
        return open;
    }

    /// @inheritdoc IMarketHooks
    function isDeadFor(BlobId blobId, uint8 holder, uint32 period) external view returns (bool) {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        if (status == BlobStatus.Registered) return block.timestamp > blob.certifyDeadline;
        if (status != BlobStatus.Certified) return true;
        uint16 bit = _bit(holder);
        return period >= blob.endPeriod || blob.attested & bit == 0 || blob.dropped & bit != 0;
    }

    /// @inheritdoc IMarketHooks
    function challengeTarget(BlobId blobId, uint8 holder, uint32 period)
        external
        view
        returns (bool live, bytes32 root, uint64 size)
    {
        return _challengeTarget(blobId, holder, period);
    }

    /// @inheritdoc IMarketHooks
    function dropHolder(BlobId blobId, uint8 holder) external {
        _onlyProofSystem();
        Blob storage blob = _blobs[blobId];
        uint16 dropped = blob.dropped | _bit(holder);
        blob.dropped = dropped;
        if (blob.status != BlobStatus.Certified) return;
        blob.degraded = true;
        emit BlobDegraded(blobId, uint8(BlobTerms.holdersIn(blob.attested & ~dropped)), blob.holderCount);
    }

    // ------------------------------------------------------------------------- internals

    /// @dev Counts `attestations`, certifies once the quorum attested; returns the holders it counted.
    function _certify(BlobId blobId, Attestation[] calldata attestations) private returns (uint16 counted) {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        uint32 period = _currentPeriod();
        if (status == BlobStatus.Registered) {
            if (block.timestamp > blob.certifyDeadline) {
                revert StorageMarketCertifyDeadlinePassed(blobId, blob.certifyDeadline);
            }
        } else if (status == BlobStatus.Certified) {
            if (period >= blob.endPeriod) revert StorageMarketTermEnded(blobId, blob.endPeriod);
        } else {
            _revertStatus(blobId, status);
        }
        uint16 before = blob.attested;
        uint16 attested = _countAttestations(blobId, blob, attestations);
        counted = attested & ~before;
        blob.attested = attested;
        if (status == BlobStatus.Registered && BlobTerms.holdersIn(attested) >= blob.quorum) {
            uint32 start = period + 1;
            uint32 end = start + blob.epochs * periodsPerEpoch();
            blob.status = BlobStatus.Certified;
            blob.startPeriod = start;
            blob.endPeriod = end;
            emit BlobCertified(blobId, attested, start, end);
            return counted;
        }
        if (status == BlobStatus.Certified) {
            // late and replacement holders of a certified blob earn from the next period on
            for (uint256 h = 0; h < blob.holderCount; ++h) {
                if (counted & _bit(h) != 0) _setPaidTo(blobId, h, period + 1);
            }
        }
        emit BlobAttested(blobId, attested);
        uint8 live = uint8(BlobTerms.holdersIn(attested & ~blob.dropped));
        if (blob.degraded && live == blob.holderCount) {
            blob.degraded = false;
            emit BlobRestored(blobId, live);
        }
    }

    function _challengeTarget(BlobId blobId, uint8 holder, uint32 period)
        private
        view
        returns (bool live, bytes32 root, uint64 size)
    {
        Blob storage blob = _blobs[blobId];
        uint16 bit = _bit(holder);
        live = blob.status == BlobStatus.Certified && blob.attested & bit != 0 && blob.dropped & bit == 0
            && period >= blob.startPeriod && period < blob.endPeriod;
        if (!live) return (false, 0, 0);
        if (blob.tier == Tier.Hot) return (true, blob.commitment, blob.size);
        // a cold holder is challenged on its shard, from the period after it was counted
        root = _shardRoots[blobId][holder];
        live = root != 0 && period >= _getPaidTo(blobId, holder);
        size = blob.shardSize;
    }

    /// @dev Checks each attestation and returns the blob's attested mask with them added.
    function _countAttestations(BlobId blobId, Blob storage blob, Attestation[] calldata list)
        private
        view
        returns (uint16 attested)
    {
        attested = blob.attested;
        uint16 taken = attested | blob.dropped;
        bytes32 commitment = blob.commitment;
        uint64 size = blob.size;
        for (uint256 i = 0; i < list.length; ++i) {
            Attestation calldata attestation = list[i];
            uint256 h = attestation.holder;
            if (h >= blob.holderCount) revert StorageMarketUnknownHolder(blobId, h);
            if (blob.dropped & _bit(h) != 0) revert StorageMarketHolderDropped(blobId, h);
            if (taken & _bit(h) != 0) revert StorageMarketDuplicateAttestation(blobId, h);
            if (blob.enrolled & _bit(h) == 0) revert StorageMarketHolderNotEnrolled(blobId, h);
            if (attestation.expiry < block.timestamp) {
                revert StorageMarketAttestationExpired(blobId, h, attestation.expiry);
            }
            taken |= _bit(h);
            (NodeId nodeId,) = _holder(blobId, h);
            bytes32 digest = _hashTypedDataV4(
                keccak256(abi.encode(ATTESTATION_TYPEHASH, blobId, commitment, size, nodeId, attestation.expiry))
            );
            address signer = ECDSA.recover(digest, attestation.r, attestation.vs);
            if (signer != _enrolledSigners[blobId][h]) revert StorageMarketInvalidAttestation(blobId, h);
        }
        attested |= taken & ~blob.dropped;
    }

    /// @dev Pays holder `h` of `blobId` for the proven periods before `upTo` not paid yet.
    function _collect(BlobId blobId, uint256 h, uint32 upTo) private returns (uint256 amount) {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        if (status != BlobStatus.Certified && status != BlobStatus.Deleted) return 0;
        if (blob.attested & _bit(h) == 0) return 0;
        uint32 end = blob.endPeriod < upTo ? blob.endPeriod : upTo;
        uint32 paidTo = _getPaidTo(blobId, h);
        uint32 from = paidTo > blob.startPeriod ? paidTo : blob.startPeriod;
        if (from >= end) return 0;
        (NodeId nodeId, uint64 price) = _holder(blobId, h);
        uint256 proven = _proofs.provenCount(nodeId, from, end);
        _setPaidTo(blobId, h, end);
        amount = BlobTerms.pay(price, _storedBytes(blob), proven, periodsPerEpoch());
        blob.released += uint128(amount);
    }

    /// @dev Price of `epochs` epochs of the blob at its holders' prices.
    function _cost(BlobId blobId, Blob storage blob, uint32 epochs) private view returns (uint256 cost) {
        uint64 stored = _storedBytes(blob);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (, uint64 price) = _holder(blobId, h);
            cost += uint256(price) * stored;
        }
        cost *= epochs;
    }

    /// @dev Node ids fit 24 bits and prices 56 bits (the registry enforces both).
    function _storeHolders(BlobId blobId, NodeId[] calldata nodes, uint64[] memory prices) private {
        mapping(uint256 => uint256) storage words = _holders[blobId];
        uint256 word = 0;
        for (uint256 i = 0; i < nodes.length; ++i) {
            word |= (uint256(NodeId.unwrap(nodes[i])) | (uint256(prices[i]) << 24)) << ((i % 3) * 80);
            if (i % 3 == 2 || i + 1 == nodes.length) {
                words[i / 3] = word;
                word = 0;
            }
        }
    }

    function _setHolder(BlobId blobId, uint256 h, NodeId nodeId, uint64 price) private {
        uint256 shift = (h % 3) * 80;
        uint256 word = _holders[blobId][h / 3] & ~(((uint256(1) << 80) - 1) << shift);
        _holders[blobId][h / 3] = word | ((uint256(NodeId.unwrap(nodeId)) | (uint256(price) << 24)) << shift);
    }

    function _holder(BlobId blobId, uint256 h) private view returns (NodeId nodeId, uint64 price) {
        uint256 entry = _holders[blobId][h / 3] >> ((h % 3) * 80);
        return (NodeId.wrap(uint32(entry & 0xffffff)), uint64((entry >> 24) & 0xffffffffffffff));
    }

    function _getPaidTo(BlobId blobId, uint256 h) private view returns (uint32) {
        if (h < 4) return uint32(_blobs[blobId].paidTo >> (h * 32));
        return uint32(_paidTo[blobId][h >> 3] >> ((h & 7) * 32));
    }

    function _setPaidTo(BlobId blobId, uint256 h, uint32 period) private {
        if (h < 4) {
            Blob storage blob = _blobs[blobId];
            uint128 mask = ~(uint128(0xffffffff) << uint128(h * 32));
            blob.paidTo = (blob.paidTo & mask) | (uint128(period) << uint128(h * 32));
            return;
        }
        uint256 shift = (h & 7) * 32;
        uint256 word = _paidTo[blobId][h >> 3];
        _paidTo[blobId][h >> 3] = (word & ~(uint256(0xffffffff) << shift)) | (uint256(period) << shift);
    }

    function _storedBytes(Blob storage blob) private view returns (uint64) {
        return blob.tier == Tier.Hot ? blob.size : blob.shardSize;
    }

    function _ownedBlob(BlobId blobId) private view returns (Blob storage blob) {
        blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        if (blob.owner != msg.sender) revert StorageMarketNotOwner(blobId, msg.sender);
    }

    function _onlyProofSystem() private view {
        if (msg.sender != address(_proofs)) revert StorageMarketOnlyProofSystem(msg.sender);
    }

    function _bit(uint256 holder) private pure returns (uint16) {
        return uint16(1 << holder);
    }

    function _revertStatus(BlobId blobId, BlobStatus status) private pure {
        if (status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        revert StorageMarketWrongStatus(blobId, status);
    }
}
