package core_test

import (
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func bigInt(t *testing.T, s string) *big.Int {
	t.Helper()
	v, ok := new(big.Int).SetString(s, 10)
	require.True(t, ok, s)
	return v
}

func TestParseAmount(t *testing.T) {
	t.Parallel()
	maxUint256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1))
	valid := []struct {
		name     string
		in       string
		decimals int
		want     string // base units
		text     string // FormatAmount of the result
	}{
		{"WholeNumber", "1", 8, "100000000", "1"},
		{"Fraction", "0.5", 8, "50000000", "0.5"},
		{"OneSatoshi", "0.00000001", 8, "1", "0.00000001"},
		{"TrailingZerosBeyondDecimalsAreExact", "12.34500000000", 8, "1234500000", "12.345"},
		{"LeadingZeros", "007.10", 2, "710", "7.1"},
		{"Zero", "0", 8, "0", "0"},
		{"ZeroPointZero", "0.0", 8, "0", "0"},
		{"ZeroDecimals", "42", 0, "42", "42"},
		{"ZeroDecimalsTrailingZeroFraction", "42.000", 0, "42", "42"},
		{"EighteenDecimalsOneWei", "0.000000000000000001", 18, "1", "0.000000000000000001"},
		{"EighteenDecimalsWhole", "1.5", 18, "1500000000000000000", "1.5"},
		{"MaxUint256", maxUint256.String(), 0, maxUint256.String(), maxUint256.String()},
		{"MaxUint256With18Decimals", core.FormatAmount(maxUint256, 18), 18, maxUint256.String(), core.FormatAmount(maxUint256, 18)},
		{"MaxDecimals", "1", core.MaxDecimals, "1" + strings.Repeat("0", core.MaxDecimals), "1"},
	}
	for _, tc := range valid {
		t.Run("Accepts"+tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := core.ParseAmount(tc.in, tc.decimals)
			require.NoError(t, err)
			require.Equal(t, tc.want, v.String())
			require.Equal(t, tc.text, core.FormatAmount(v, tc.decimals))
			back, err := core.ParseAmount(core.FormatAmount(v, tc.decimals), tc.decimals)
			require.NoError(t, err)
			require.Zero(t, v.Cmp(back), "round trip")
		})
	}

	invalid := []struct {
		name     string
		in       string
		decimals int
	}{
		{"Empty", "", 8},
		{"Negative", "-1", 8},
		{"ExplicitPlus", "+1", 8},
		{"Exponent", "1e5", 8},
		{"UpperExponent", "1E5", 8},
		{"NaN", "NaN", 8},
		{"Inf", "Inf", 8},
		{"LeadingSpace", " 1", 8},
		{"TrailingSpace", "1 ", 8},
		{"InnerSpace", "1 000", 8},
		{"ThousandsSeparator", "1,000", 8},
		{"CommaDecimal", "1,5", 8},
		{"NoWholePart", ".5", 8},
		{"NoFraction", "5.", 8},
		{"PointOnly", ".", 8},
		{"TwoPoints", "1.2.3", 8},
		{"Hex", "0x10", 8},
		{"UnicodeDigit", "١", 8},
		{"ExcessPrecision", "0.000000001", 8},
		{"FractionWithZeroDecimals", "1.5", 0},
		{"MoreThan78Digits", strings.Repeat("9", core.MaxAmountDigits+1), 0},
		{"LeadingZerosPastDigitLimit", strings.Repeat("0", core.MaxAmountDigits) + "1", 0},
		{"AboveUint256", new(big.Int).Add(maxUint256, big.NewInt(1)).String(), 0},
		{"AboveUint256ByOneWei", core.FormatAmount(new(big.Int).Add(maxUint256, big.NewInt(1)), 18), 18},
		{"AboveUint256ByDecimals", "1" + strings.Repeat("0", 70), 18},
		{"NegativeDecimals", "1", -1},
		{"DecimalsAboveMax", "1", core.MaxDecimals + 1},
	}
	for _, tc := range invalid {
		t.Run("Rejects"+tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := core.ParseAmount(tc.in, tc.decimals)
			require.Nil(t, v)
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v", err)
			require.NotEmpty(t, core.ErrorMessage(err))
		})
	}
}

func TestFormatAmount(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		v        *big.Int
		decimals int
		want     string
	}{
		{"Nil", nil, 8, ""},
		{"Zero", big.NewInt(0), 8, "0"},
		{"ZeroDecimals", big.NewInt(12345), 0, "12345"},
		{"PadsSmallValues", big.NewInt(5), 8, "0.00000005"},
		{"TrimsTrailingZeros", big.NewInt(150000000), 8, "1.5"},
		{"WholeWithoutPoint", big.NewInt(300000000), 8, "3"},
		{"ExactlyDecimalsDigits", big.NewInt(12345678), 8, "0.12345678"},
		{"Negative", big.NewInt(-150), 2, "-1.5"},
		{"EighteenDecimals", bigInt(t, "1000000000000000001"), 18, "1.000000000000000001"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, core.FormatAmount(tc.v, tc.decimals))
		})
	}
}

func TestValidateBaseUnits(t *testing.T) {
	t.Parallel()
	require.NoError(t, core.ValidateBaseUnits(big.NewInt(1)))
	for name, v := range map[string]*big.Int{
		"Nil":          nil,
		"Zero":         big.NewInt(0),
		"Negative":     big.NewInt(-1),
		"AboveUint256": new(big.Int).Lsh(big.NewInt(1), 256),
	} {
		require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateBaseUnits(v)), name)
	}
}
