package core

import (
	"math/big"
	"strings"
)

// MaxAmountDigits bounds amounts to what fits a uint256 (78 decimal digits),
// the largest quantity either chain can express.
const MaxAmountDigits = 78

// MaxDecimals is the largest number of decimals an asset may declare.
const MaxDecimals = 36

var maxUint256 = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))

// ParseAmount parses a plain decimal string ("1", "0.5", "12.34500000") into
// base units of an asset with the given decimals. It accepts only digits with
// at most one point: no sign, exponent, spaces, separators, NaN or Inf, and
// no more fractional digits than decimals allows (excess precision is an
// error, never rounded away).
func ParseAmount(s string, decimals int) (*big.Int, error) {
	if decimals < 0 || decimals > MaxDecimals {
		return nil, Errorf(EINVALID, "Asset decimals %d out of range 0-%d.", decimals, MaxDecimals)
	}
	if s == "" {
		return nil, Errorf(EINVALID, "Amount is required.")
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if hasPoint && (frac == "" || whole == "") {
		return nil, Errorf(EINVALID, "Amount %q is not a decimal number.", truncate(s, 40))
	}
	if !allDigits(whole) || !allDigits(frac) {
		return nil, Errorf(EINVALID, "Amount %q is not a plain positive decimal number.", truncate(s, 40))
	}
	if len(whole) > MaxAmountDigits {
		return nil, Errorf(EINVALID, "Amount has more than %d digits.", MaxAmountDigits)
	}
	if trimmed := strings.TrimRight(frac, "0"); len(trimmed) > decimals {
		return nil, Errorf(EINVALID, "Amount %q has more than %d decimal places.", truncate(s, 40), decimals)
	} else {
		frac = trimmed
	}
	digits := whole + frac + strings.Repeat("0", decimals-len(frac))
	v, ok := new(big.Int).SetString(digits, 10)
	if !ok {
		return nil, Errorf(EINVALID, "Amount %q is not a decimal number.", truncate(s, 40))
	}
	if v.Cmp(maxUint256) > 0 {
		return nil, Errorf(EINVALID, "Amount is too large.")
	}
	return v, nil
}

// FormatAmount renders base units with the asset's decimals, trimming
// trailing fractional zeros ("1.5", "0.00000001", "12").
func FormatAmount(v *big.Int, decimals int) string {
	if v == nil {
		return ""
	}
	neg := v.Sign() < 0
	s := new(big.Int).Abs(v).String()
	if decimals > 0 {
		if len(s) <= decimals {
			s = strings.Repeat("0", decimals-len(s)+1) + s
		}
		whole, frac := s[:len(s)-decimals], strings.TrimRight(s[len(s)-decimals:], "0")
		s = whole
		if frac != "" {
			s += "." + frac
		}
	}
	if neg {
		s = "-" + s
	}
	return s
}

// ValidateBaseUnits checks a base-unit amount read from outside (a database
// column, a chain) is a positive integer within uint256.
func ValidateBaseUnits(v *big.Int) error {
	if v == nil || v.Sign() <= 0 {
		return Errorf(EINVALID, "Amount must be greater than zero.")
	}
	if v.Cmp(maxUint256) > 0 {
		return Errorf(EINVALID, "Amount is too large.")
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
