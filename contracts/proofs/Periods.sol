// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title Periods
/// @notice The market's clock: proving periods of `periodSeconds` counted from `genesis`, and
/// epochs (the unit of price) of `periodsPerEpoch` periods.
abstract contract Periods {
    uint64 private immutable _genesis;
    uint32 private immutable _periodSeconds;
    uint32 private immutable _periodsPerEpoch;

    /// @dev Periods must be positive and divide the epoch.
    error PeriodsInvalidLengths(uint32 epochSeconds, uint32 periodSeconds);

    constructor(uint64 genesis_, uint32 epochSeconds_, uint32 periodSeconds_) {
        if (periodSeconds_ == 0 || epochSeconds_ == 0 || epochSeconds_ % periodSeconds_ != 0) {
            revert PeriodsInvalidLengths(epochSeconds_, periodSeconds_);
        }
        _genesis = genesis_;
        _periodSeconds = periodSeconds_;
        _periodsPerEpoch = epochSeconds_ / periodSeconds_;
    }

    /// @notice Timestamp at which period 0 started.
    function genesis() public view returns (uint64) {
        return _genesis;
    }

    /// @notice Seconds per proving period.
    function periodSeconds() public view returns (uint32) {
        return _periodSeconds;
    }

    /// @notice Seconds per epoch.
    function epochSeconds() public view returns (uint32) {
        return _periodSeconds * _periodsPerEpoch;
    }

    /// @notice Proving periods per epoch.
    function periodsPerEpoch() public view returns (uint32) {
        return _periodsPerEpoch;
    }

    function _currentPeriod() internal view returns (uint32) {
        return uint32((block.timestamp - _genesis) / _periodSeconds);
    }
}
