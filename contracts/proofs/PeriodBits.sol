// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

/// @title PeriodBits
/// @notice A bit per period, 256 periods to a storage word, with range counts.
library PeriodBits {
    function isSet(mapping(uint256 => uint256) storage bits, uint32 period) internal view returns (bool) {
        return bits[period >> 8] & (uint256(1) << (period & 0xff)) != 0;
    }

    function set(mapping(uint256 => uint256) storage bits, uint32 period) internal {
        bits[period >> 8] |= uint256(1) << (period & 0xff);
    }

    /// @notice Number of set bits in `[from, to)`.
    function count(mapping(uint256 => uint256) storage bits, uint32 from, uint32 to)
        internal
        view
        returns (uint256 total)
    {
        if (from >= to) return 0;
        uint256 firstWord = from >> 8;
        uint256 lastWord = (uint256(to) - 1) >> 8;
        for (uint256 word = firstWord; word <= lastWord; ++word) {
            uint256 value = bits[word];
            if (value == 0) continue;
            if (word == firstWord) value &= type(uint256).max << (from & 0xff);
            if (word == lastWord) {
                uint256 top = ((uint256(to) - 1) & 0xff) + 1;
                if (top < 256) value &= (uint256(1) << top) - 1;
            }
            total += popcount(value);
        }
    }

    /// @notice Number of set bits of `x`.
    function popcount(uint256 x) internal pure returns (uint256) {
        unchecked {
            x = x - ((x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555);
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            // bytes hold at most 8; fold them into 16-bit lanes so the total (up to 256) cannot wrap
            x = (x & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff)
                + ((x >> 8) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff);
            return (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }
}
