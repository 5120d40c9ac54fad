// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {INodeRegistry} from "../interfaces/INodeRegistry.sol";
import {IProofSystem} from "../interfaces/IProofSystem.sol";
import {IStorageMarket} from "../interfaces/IStorageMarket.sol";
import {Periods} from "../proofs/Periods.sol";
import {ProofSystem} from "../proofs/ProofSystem.sol";
import {BlobId, BlobStatus, NodeId, Tier, blobIdFor} from "../interfaces/StrataTypes.sol";
import {BlobCertification} from "./BlobCertification.sol";
import {BlobTerms} from "./BlobTerms.sol";
import {MarketPay} from "./MarketPay.sol";

/// @title StorageMarket
/// @notice Blob registry, escrow, availability certificates and per-period pay: the entry
/// contract of the market. It creates the {ProofSystem} that challenges its holders; pay flows
/// only for the periods a holder proved. See {IStorageMarket}.
///
/// A blob's escrow is not stored: the price of its epochs follows from its holders' prices, its
/// size and its epochs, and `released` counts what left it (pay and refunds). The fee is
/// `feeOn(price)`; it is refunded with an uncertified blob and earned by the treasury once a
/// certified blob settles.
///
/// The market is split the way codex splits its marketplace: {BlobTerms} (pure rules),
/// {BlobBook} (the blob records behind internal accessors), {BlobCertification} (attestations,
/// certificates and the proof system's hooks), {MarketPay} (pay, credits and fees) and this
/// contract, which holds the deployment parameters and every function that moves tokens.
contract StorageMarket is BlobCertification, MarketPay, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

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

    IERC20 private immutable _token;
    INodeRegistry private immutable _registry;
    IProofSystem private immutable _proofs;
    address private immutable _treasury;
    uint16 private immutable _feeBps;
    uint32 private immutable _certifyWindow;
    uint8 private immutable _coldMargin;

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
        Blob storage blob = _blob(blobId);
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
    function reassignHolder(BlobId blobId, uint8 holder, NodeId nodeId) external nonReentrant {
        (address operator, address signer) = _registry.nodeAccounts(nodeId);
        if (msg.sender != operator && msg.sender != signer) revert StorageMarketNotNodeAccount(nodeId, msg.sender);
        Blob storage blob = _blob(blobId);
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
        _credit(previous, _collect(blobId, holder, period));
        _setHolder(blobId, holder, nodeId, price);
        blob.dropped &= ~bit;
        blob.attested &= ~bit;
        blob.enrolled &= ~bit;
        _clearHolderKeys(blobId, holder);
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
        Blob storage blob = _blob(blobId);
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
            if (h >= _blob(blobId).holderCount || holderId != nodeId) revert StorageMarketUnknownHolder(blobId, h);
            amount += _collect(blobId, h, period);
        }
        amount += _takeCredit(nodeId);
        if (amount == 0) revert StorageMarketNothingToClaim(nodeId);
        emit PaymentClaimed(nodeId, operator, amount);
        _token.safeTransfer(operator, amount);
    }

    /// @inheritdoc IStorageMarket
    function settle(BlobId blobId) external nonReentrant {
        Blob storage blob = _blob(blobId);
        BlobStatus status = blob.status;
        // a blob deleted before certification was refunded in full: nothing is left to settle
        bool wasCertified = status == BlobStatus.Certified || (status == BlobStatus.Deleted && blob.startPeriod != 0);
        if (!wasCertified) _revertStatus(blobId, status);
        uint32 end = blob.endPeriod;
        if (_currentPeriod() < end) revert StorageMarketTermNotEnded(blobId, end);
        for (uint256 h = 0; h < blob.holderCount; ++h) {
            (NodeId nodeId,) = _holder(blobId, h);
            _credit(nodeId, _collect(blobId, h, end));
        }
        uint256 cost = _cost(blobId, blob, blob.epochs);
        uint256 refund = cost - blob.released;
        blob.released = uint128(cost);
        blob.status = BlobStatus.Settled;
        _accrueFee(BlobTerms.feeOn(cost, _feeBps));
        emit BlobSettled(blobId, refund);
        if (refund != 0) _token.safeTransfer(blob.owner, refund);
    }

    /// @inheritdoc IStorageMarket
    function collectFees() external nonReentrant {
        uint256 amount = _takeFees();
        if (amount == 0) return;
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
    function blobIdOf(address owner, bytes32 salt) public view returns (BlobId) {
        return blobIdFor(block.chainid, address(this), owner, salt);
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

    // ------------------------------------------------------------------------- internals

    function _nodeRegistry() internal view override returns (INodeRegistry) {
        return _registry;
    }

    function _proofSystem() internal view override returns (IProofSystem) {
        return _proofs;
    }

    function _feeOn(uint256 cost) internal view override returns (uint256) {
        return BlobTerms.feeOn(cost, _feeBps);
    }
}
