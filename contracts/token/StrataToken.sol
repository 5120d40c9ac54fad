// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC20Permit} from "@openzeppelin/contracts/token/ERC20/extensions/ERC20Permit.sol";

/// @title StrataToken
/// @notice The devnet payment token: a plain ERC-20 with a rate-limited faucet (off when its
/// limit is zero) and an optional initial supply. Production deployments pass any ERC-20 to the
/// registry and market instead (`strata deploy --token`).
contract StrataToken is ERC20, ERC20Permit {
    /// @notice Most tokens one faucet call hands out; zero: the faucet is off.
    uint256 public immutable faucetLimit;
    /// @notice Seconds an account waits between faucet calls.
    uint64 public immutable faucetCooldown;

    mapping(address account => uint64) private _lastDrip;

    /// @dev The faucet is off (deployed with a zero limit): tokens come from the initial supply.
    error StrataTokenFaucetOff();
    /// @dev `requested` exceeds the faucet limit.
    error StrataTokenFaucetLimit(uint256 requested, uint256 limit);
    /// @dev `account` used the faucet too recently; it may again at `availableAt`.
    error StrataTokenFaucetCooldown(address account, uint64 availableAt);

    /// @notice `amount` was minted to `account` by the faucet.
    event FaucetDripped(address indexed account, uint256 amount);

    /// @param faucetLimit_ Most tokens one faucet call hands out; zero turns the faucet off.
    /// @param faucetCooldown_ Seconds an account waits between faucet calls.
    /// @param holder Receives the initial supply.
    /// @param supply Tokens minted to `holder` at deployment (may be zero).
    constructor(uint256 faucetLimit_, uint64 faucetCooldown_, address holder, uint256 supply)
        ERC20("Strata Devnet Token", "STRATA")
        ERC20Permit("Strata Devnet Token")
    {
        faucetLimit = faucetLimit_;
        faucetCooldown = faucetCooldown_;
        if (supply != 0) _mint(holder, supply);
    }

    /// @notice Mints `amount` to the caller.
    /// Requirements: the faucet is on; `amount` is at most `faucetLimit`; the caller's last call
    /// was at least `faucetCooldown` seconds ago.
    function faucet(uint256 amount) external {
        if (faucetLimit == 0) revert StrataTokenFaucetOff();
        if (amount > faucetLimit) revert StrataTokenFaucetLimit(amount, faucetLimit);
        uint64 last = _lastDrip[msg.sender];
        if (last != 0 && block.timestamp < last + faucetCooldown) {
            revert StrataTokenFaucetCooldown(msg.sender, last + faucetCooldown);
        }
        _lastDrip[msg.sender] = uint64(block.timestamp);
        emit FaucetDripped(msg.sender, amount);
        _mint(msg.sender, amount);
    }
}
