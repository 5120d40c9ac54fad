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
import {BlobId, BlobStatus, NodeId, Tier} from "../types/StrataTypes.sol";
import {BlobTerms} from "./BlobTerms.sol";

/// @title StorageMarket
/// @notice Blob registry, escrow, availability certificates and per-period pay: the entry
/// contract of the market. It creates the {ProofSystem} that challenges its holders; pay flows
/// only for the periods a holder proved. See {IStorageMarket}.
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

    struct Blob {
        // slot 0
        address owner;
        Tier tier;
        BlobStatus status;
        uint8 quorum;
        uint8 recovery;
        uint32 attested;
        uint32 dropped;
        // slot 1
        bytes32 commitment;
        // slot 2
        uint64 size;
        uint40 shardSize;
        uint32 epochs;
        uint32 startPeriod;
        uint32 endPeriod;
        uint40 certifyDeadline;
        uint8 holderCount;
        // slot 3
        uint128 escrow;
        uint128 fee;
    }

    IERC20 private immutable _token;
    INodeRegistry private immutable _registry;
    IProofSystem private immutable _proofs;
    address private immutable _treasury;
    uint16 private immutable _feeBps;
    uint32 private immutable _certifyWindow;
    uint8 private immutable _coldMargin;

    mapping(BlobId => Blob) private _blobs;
    mapping(BlobId => mapping(uint256 => Holder)) private _holders;
    // eight 32-bit "paid up to" periods per word, one per holder
    mapping(BlobId => mapping(uint256 => uint256)) private _paidTo;
    mapping(address => uint256) private _nonces;
    mapping(NodeId => uint256) private _credits;
    uint256 private _feesAccrued;

    /// @notice Deploys the market and its proof system. The registry's admin must then grant the
    /// proof system `SLASHER_ROLE` and make it the registry's stake guard (scripts/deploy.ts).
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
        (address[] memory signers, uint64[] memory prices) = _registry.nodeTerms(params.nodes, params.tier);
        (uint256 cost, uint256 fee) =
            BlobTerms.price(prices, _storedBytes(params.tier, params.size, params.shardSize), params.epochs, _feeBps);
        if (cost + fee > type(uint128).max) revert StorageMarketAmountOverflow();
        blobId = BlobId.wrap(keccak256(abi.encode(block.chainid, address(this), msg.sender, _nonces[msg.sender]++)));
        uint40 deadline = uint40(block.timestamp + _certifyWindow);
        _blobs[blobId] = Blob({
            owner: msg.sender,
            tier: params.tier,
            status: BlobStatus.Registered,
            quorum: BlobTerms.quorum(params.tier, params.nodes.length, params.recovery, _coldMargin),
            recovery: params.recovery,
            attested: 0,
            dropped: 0,
            commitment: params.commitment,
            size: params.size,
            shardSize: uint40(params.shardSize),
            epochs: params.epochs,
            startPeriod: 0,
            endPeriod: 0,
            certifyDeadline: deadline,
            holderCount: uint8(params.nodes.length),
            escrow: uint128(cost),
            fee: uint128(fee)
        });
        mapping(uint256 => Holder) storage holders = _holders[blobId];
        for (uint256 i = 0; i < signers.length; ++i) {
            holders[i] = Holder(params.nodes[i], signers[i], prices[i]);
        }
        emit BlobRegistered(blobId, msg.sender, params, cost, fee, deadline);
        _token.safeTransferFrom(msg.sender, address(this), cost + fee);
    }

    /// @inheritdoc IStorageMarket
    function certify(BlobId blobId, Attestation[] calldata attestations) external {
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
        uint32 before = blob.attested;
        uint32 attested = _countAttestations(blobId, blob, before, attestations);
        blob.attested = attested;
        if (status == BlobStatus.Registered) {
            if (BlobTerms.holdersIn(attested) >= blob.quorum) {
                _certify(blobId, blob, attested, period);
                return;
            }
        } else {
            // late holders of a certified (cold) blob earn from the next period on
            for (uint256 h = 0; h < blob.holderCount; ++h) {
                if ((attested & ~before) & _bit(h) != 0) _setPaidTo(blobId, h, period + 1);
            }
        }
        emit BlobAttested(blobId, attested);
    }

    /// @inheritdoc IStorageMarket
    function reclaim(BlobId blobId) external nonReentrant {
        Blob storage blob = _ownedBlob(blobId);
        if (blob.status != BlobStatus.Registered) _revertStatus(blobId, blob.status);
        if (block.timestamp <= blob.certifyDeadline) {
            revert StorageMarketCertifyDeadlinePending(blobId, blob.certifyDeadline);
        }
        uint256 refund = uint256(blob.escrow) + blob.fee;
        blob.escrow = 0;
        blob.fee = 0;
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
        uint256 periods = uint256(epochs) * periodsPerEpoch();
        if (uint256(blob.epochs) + epochs > type(uint32).max || uint256(blob.endPeriod) + periods > type(uint32).max) {
            revert StorageMarketInvalidEpochs(epochs);
        }
        (uint256 cost, uint256 fee) =
            BlobTerms.price(_prices(blobId, blob.holderCount), _storedBytes(blob), epochs, _feeBps);
        if (uint256(blob.escrow) + cost + blob.fee + fee > type(uint128).max) revert StorageMarketAmountOverflow();
        blob.epochs += epochs;
        blob.escrow += uint128(cost);
        if (status == BlobStatus.Certified) {
            blob.endPeriod += uint32(periods);
            _feesAccrued += fee;
        } else {
            blob.fee += uint128(fee);
        }
        emit BlobExtended(blobId, msg.sender, epochs, blob.endPeriod, cost + fee);
        _token.safeTransferFrom(msg.sender, address(this), cost + fee);
    }

    /// @inheritdoc IStorageMarket
    function deleteBlob(BlobId blobId) external nonReentrant {
        Blob storage blob = _ownedBlob(blobId);
        BlobStatus status = blob.status;
        uint256 refund;
        if (status == BlobStatus.Registered) {
            refund = uint256(blob.escrow) + blob.fee;
            blob.escrow = 0;
            blob.fee = 0;
        } else if (status == BlobStatus.Certified) {
            uint32 period = _currentPeriod();
            uint32 end = blob.endPeriod;
            if (period >= end) revert StorageMarketTermEnded(blobId, end);
            uint32 newEnd = period + 1;
            uint64 stored = _storedBytes(blob);
            uint32 perEpoch = periodsPerEpoch();
            for (uint256 h = 0; h < blob.holderCount; ++h) {
                refund += BlobTerms.pay(_holders[blobId][h].pricePerByteEpoch, stored, end - newEnd, perEpoch);
            }
            blob.escrow -= uint128(refund);
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
            if (_holders[blobId][holders[i]].nodeId != nodeId) revert StorageMarketUnknownHolder(blobId, holders[i]);
            amount += _collect(blobId, holders[i], period);
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
        if (status != BlobStatus.Certified && status != BlobStatus.Deleted) _revertStatus(blobId, status);
        uint32 end = blob.endPeriod;
        if (_currentPeriod() < end) revert StorageMarketTermNotEnded(blobId, end);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            _credits[_holders[blobId][h].nodeId] += _collect(blobId, h, end);
        }
        uint256 refund = blob.escrow;
        blob.escrow = 0;
        blob.status = BlobStatus.Settled;
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
        (, uint64[] memory prices) = _registry.nodeTerms(nodeIds, tier);
        return BlobTerms.price(prices, storedBytes, epochs, _feeBps);
    }

    /// @inheritdoc IStorageMarket
    function getBlob(BlobId blobId) external view returns (BlobInfo memory info) {
        Blob storage blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        info.owner = blob.owner;
        info.tier = blob.tier;
        info.status = blob.status;
        info.quorum = blob.quorum;
        info.recovery = blob.recovery;
        info.attested = blob.attested;
        info.dropped = blob.dropped;
        info.commitment = blob.commitment;
        info.size = blob.size;
        info.shardSize = blob.shardSize;
        info.epochs = blob.epochs;
        info.startPeriod = blob.startPeriod;
        info.endPeriod = blob.endPeriod;
        info.certifyDeadline = blob.certifyDeadline;
        info.escrow = blob.escrow;
        info.fee = blob.fee;
        info.holders = new Holder[](blob.holderCount);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            info.holders[h] = _holders[blobId][h];
        }
    }

    /// @inheritdoc IStorageMarket
    function attestationDigest(BlobId blobId, NodeId nodeId, uint64 expiry) public view returns (bytes32) {
        Blob storage blob = _blobs[blobId];
        return _hashTypedDataV4(
            keccak256(abi.encode(ATTESTATION_TYPEHASH, blobId, blob.commitment, blob.size, nodeId, expiry))
        );
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

    /// @notice The payment token.
    function token() external view returns (IERC20) {
        return _token;
    }

    /// @notice The node registry.
    function registry() external view returns (INodeRegistry) {
        return _registry;
    }

    /// @notice Where protocol fees go.
    function treasury() external view returns (address) {
        return _treasury;
    }

    /// @notice Protocol fee, in basis points of the storage price.
    function feeBps() external view returns (uint16) {
        return _feeBps;
    }

    /// @notice Seconds after registration within which a blob must be certified.
    function certifyWindow() external view returns (uint32) {
        return _certifyWindow;
    }

    /// @notice Attestations beyond `recovery` a cold blob needs to be certified.
    function coldMargin() external view returns (uint8) {
        return _coldMargin;
    }

    // ------------------------------------------------------------------------ proof hooks

    /// @inheritdoc IMarketHooks
    function canEnroll(BlobId blobId, NodeId nodeId, uint8 holder) external view returns (bool) {
        Blob storage blob = _blobs[blobId];
        if (holder >= blob.holderCount || _holders[blobId][holder].nodeId != nodeId) return false;
        if (blob.dropped & _bit(holder) != 0) return false;
        if (blob.status == BlobStatus.Registered) return block.timestamp <= blob.certifyDeadline;
        return blob.status == BlobStatus.Certified && _currentPeriod() < blob.endPeriod;
    }

    /// @inheritdoc IMarketHooks
    function isDeadFor(BlobId blobId, uint8 holder, uint32 period) external view returns (bool) {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        if (status == BlobStatus.Registered) return block.timestamp > blob.certifyDeadline;
        if (status != BlobStatus.Certified) return true;
        uint32 bit = _bit(holder);
        return period >= blob.endPeriod || blob.attested & bit == 0 || blob.dropped & bit != 0;
    }

    /// @inheritdoc IMarketHooks
    function challengeTarget(BlobId blobId, uint8 holder, uint32 period)
        external
        view
        returns (bool live, bytes32 root, uint64 size)
    {
        Blob storage blob = _blobs[blobId];
        uint32 bit = _bit(holder);
        live = blob.status == BlobStatus.Certified && blob.tier == Tier.Hot && blob.attested & bit != 0
            && blob.dropped & bit == 0 && period >= blob.startPeriod && period < blob.endPeriod;
        if (live) (root, size) = (blob.commitment, blob.size);
    }

    /// @inheritdoc IMarketHooks
    function dropHolder(BlobId blobId, uint8 holder) external {
        if (msg.sender != address(_proofs)) revert StorageMarketOnlyProofSystem(msg.sender);
        _blobs[blobId].dropped |= _bit(holder);
    }

    // ------------------------------------------------------------------------- internals

    function _countAttestations(BlobId blobId, Blob storage blob, uint32 attested, Attestation[] calldata list)
        private
        view
        returns (uint32)
    {
        uint32 dropped = blob.dropped;
        for (uint256 i = 0; i < list.length; ++i) {
            uint32 bit = _checkAttestation(blobId, blob, list[i]);
            if ((attested | dropped) & bit != 0) revert StorageMarketDuplicateAttestation(blobId, list[i].holder);
            attested |= bit;
        }
        return attested;
    }

    /// @dev Reverts unless `attestation` is a live signature of an enrolled holder; returns its bit.
    function _checkAttestation(BlobId blobId, Blob storage blob, Attestation calldata attestation)
        private
        view
        returns (uint32 bit)
    {
        uint256 h = attestation.holder;
        if (h >= blob.holderCount) revert StorageMarketUnknownHolder(blobId, h);
        if (attestation.expiry < block.timestamp) revert StorageMarketAttestationExpired(blobId, h, attestation.expiry);
        Holder storage holder = _holders[blobId][h];
        NodeId nodeId = holder.nodeId;
        if (!_proofs.isEnrolled(nodeId, blobId)) revert StorageMarketHolderNotEnrolled(blobId, h);
        bytes32 digest = _hashTypedDataV4(
            keccak256(abi.encode(ATTESTATION_TYPEHASH, blobId, blob.commitment, blob.size, nodeId, attestation.expiry))
        );
        (address signer, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, attestation.r, attestation.vs);
        if (error != ECDSA.RecoverError.NoError || signer != holder.signer) {
            revert StorageMarketInvalidAttestation(blobId, h);
        }
        return _bit(h);
    }

    function _certify(BlobId blobId, Blob storage blob, uint32 attested, uint32 period) private {
        uint32 start = period + 1;
        uint32 end = start + blob.epochs * periodsPerEpoch();
        blob.status = BlobStatus.Certified;
        blob.startPeriod = start;
        blob.endPeriod = end;
        _feesAccrued += blob.fee;
        blob.fee = 0;
        emit BlobCertified(blobId, attested, start, end);
    }

    /// @dev Pays holder `h` of `blobId` for the proven periods before `upTo` not paid yet,
    /// taking the amount from the blob's escrow.
    function _collect(BlobId blobId, uint256 h, uint32 upTo) private returns (uint256 amount) {
        Blob storage blob = _blobs[blobId];
        BlobStatus status = blob.status;
        if (status != BlobStatus.Certified && status != BlobStatus.Deleted) return 0;
        if (blob.attested & _bit(h) == 0) return 0;
        uint32 end = blob.endPeriod < upTo ? blob.endPeriod : upTo;
        uint32 paidTo = _getPaidTo(blobId, h);
        uint32 from = paidTo > blob.startPeriod ? paidTo : blob.startPeriod;
        if (from >= end) return 0;
        Holder storage holder = _holders[blobId][h];
        uint256 proven = _proofs.provenCount(holder.nodeId, from, end);
        _setPaidTo(blobId, h, end);
        amount = BlobTerms.pay(holder.pricePerByteEpoch, _storedBytes(blob), proven, periodsPerEpoch());
        blob.escrow -= uint128(amount);
    }

    function _getPaidTo(BlobId blobId, uint256 h) private view returns (uint32) {
        return uint32(_paidTo[blobId][h >> 3] >> ((h & 7) * 32));
    }

    function _setPaidTo(BlobId blobId, uint256 h, uint32 period) private {
        uint256 shift = (h & 7) * 32;
        uint256 word = _paidTo[blobId][h >> 3];
        _paidTo[blobId][h >> 3] = (word & ~(uint256(0xffffffff) << shift)) | (uint256(period) << shift);
    }

    function _prices(BlobId blobId, uint256 count) private view returns (uint64[] memory prices) {
        prices = new uint64[](count);
        for (uint256 h = 0; h < count; ++h) {
            prices[h] = _holders[blobId][h].pricePerByteEpoch;
        }
    }

    function _storedBytes(Blob storage blob) private view returns (uint64) {
        return _storedBytes(blob.tier, blob.size, blob.shardSize);
    }

    function _storedBytes(Tier tier, uint64 size, uint64 shardSize) private pure returns (uint64) {
        return tier == Tier.Hot ? size : shardSize;
    }

    function _ownedBlob(BlobId blobId) private view returns (Blob storage blob) {
        blob = _blobs[blobId];
        if (blob.status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        if (blob.owner != msg.sender) revert StorageMarketNotOwner(blobId, msg.sender);
    }

    function _bit(uint256 holder) private pure returns (uint32) {
        return uint32(1 << holder);
    }

    function _revertStatus(BlobId blobId, BlobStatus status) private pure {
        if (status == BlobStatus.None) revert StorageMarketUnknownBlob(blobId);
        revert StorageMarketWrongStatus(blobId, status);
    }
}
