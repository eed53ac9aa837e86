package core_test

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestDepositCursor(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]core.DepositCursor{
		"Ordinary":      {Order: core.OrderCreated, At: time.Date(2026, 11, 25, 9, 30, 0, 123456000, time.UTC), ID: 42},
		"ZeroID":        {Order: core.OrderCreated, At: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), ID: 0},
		"BeforeEpoch":   {Order: core.OrderCreated, At: time.Date(1960, 1, 1, 0, 0, 0, 1000, time.UTC), ID: 1},
		"LargestID":     {Order: core.OrderCreated, At: time.Unix(0, 0).UTC(), ID: 1<<63 - 1},
		"OtherTimeZone": {Order: core.OrderCreated, At: time.Date(2026, 11, 25, 18, 30, 0, 0, time.FixedZone("KST", 9*3600)), ID: 7},
		"ByRequest":     {Order: core.OrderRequested, At: time.Date(2026, 11, 25, 9, 30, 0, 1000, time.UTC), ID: 42},
		"ByRequestZero": {Order: core.OrderRequested, At: time.Unix(0, 0).UTC(), ID: 0},
	} {
		t.Run("RoundTrips"+name, func(t *testing.T) {
			t.Parallel()
			got, err := core.ParseDepositCursor(c.String())
			require.NoError(t, err)
			require.True(t, c.At.Equal(got.At), "%v != %v", c.At, got.At)
			require.Equal(t, time.UTC, got.At.Location())
			require.Equal(t, c.ID, got.ID)
			require.Equal(t, c.Order, got.Order)
		})
	}
	t.Run("ReadsCursorsMadeBeforeThereWasAnOrder", func(t *testing.T) {
		t.Parallel()
		// base64("1764063000000000:42"), as a cursor of creation order was
		// written before request-time order existed.
		got, err := core.ParseDepositCursor("MTc2NDA2MzAwMDAwMDAwMDo0Mg")
		require.NoError(t, err)
		require.Equal(t, core.DepositCursor{Order: core.OrderCreated, At: time.UnixMicro(1764063000000000).UTC(), ID: 42}, *got)
		require.Equal(t, "MTc2NDA2MzAwMDAwMDAwMDo0Mg", got.String(), "creation order keeps that form")
	})
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, s := range map[string]string{
		"Empty":         "",
		"NotBase64":     "!!!",
		"PaddedBase64":  base64.URLEncoding.EncodeToString([]byte("1:23")),
		"NoSeparator":   enc("12345"),
		"NoTime":        enc(":5"),
		"NoID":          enc("5:"),
		"NegativeID":    enc("5:-1"),
		"TextTime":      enc("yesterday:5"),
		"IDOverflow":    enc("5:9223372036854775808"),
		"ThreeParts":    enc("1:2:3"),
		"OtherOrder":    enc("x:1:2"),
		"RequestNoID":   enc("r:5"),
		"SpaceInNumber": enc("1: 2"),
	} {
		t.Run("Rejects"+name, func(t *testing.T) {
			t.Parallel()
			c, err := core.ParseDepositCursor(s)
			require.Nil(t, c)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
		})
	}
}

func TestValidateRecordNo(t *testing.T) {
	t.Parallel()
	day := time.Date(2026, 11, 25, 23, 59, 0, 0, time.FixedZone("X", -3600))
	require.Equal(t, "D20261126-000123", core.FormatRecordNo(day, 123), "the UTC day")
	require.Equal(t, "D20261126-", core.RecordNoDay(day))
	require.Equal(t, "D20261126-1234567", core.FormatRecordNo(day, 1234567), "more digits past 999999")
	for _, ok := range []string{"D20261125-000123", "D20261125-1234567", core.FormatRecordNo(day, 1)} {
		require.NoError(t, core.ValidateRecordNo(ok), ok)
	}
	for _, bad := range []string{
		"", "D20261125-12345", "d20261125-000123", "D2026112-000123", "D20261125000123",
		"D20261125-000123 ", " D20261125-000123", "D20261125-00012a", "X20261125-000123",
		"D20261125-" + strings.Repeat("1", 30), "D20261125-000123\n",
	} {
		require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateRecordNo(bad)), "%q", bad)
	}
}

func TestNormalizeTxID(t *testing.T) {
	t.Parallel()
	hex := "AbCdEf0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789"
	lower := strings.ToLower(hex)
	for _, tc := range []struct {
		name, chain, in, want string
	}{
		{"BitcoinLowersCase", core.ChainBitcoin, hex, lower},
		{"BitcoinDropsPrefix", core.ChainBitcoin, "0x" + hex, lower},
		{"EthereumAddsPrefix", core.ChainEthereum, hex, "0x" + lower},
		{"EthereumKeepsPrefix", core.ChainEthereum, "0x" + hex, "0x" + lower},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := core.NormalizeTxID(tc.chain, tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	for name, in := range map[string]string{
		"Empty":      "",
		"Short":      hex[:63],
		"Long":       hex + "0",
		"NotHex":     "g" + hex[1:],
		"Spaces":     " " + hex,
		"DoublePfx":  "0x0x" + hex[4:],
		"PrefixOnly": "0x",
	} {
		t.Run("Rejects"+name, func(t *testing.T) {
			t.Parallel()
			_, err := core.NormalizeTxID(core.ChainEthereum, in)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
		})
	}
}

func TestValidateRemarks(t *testing.T) {
	t.Parallel()
	require.NoError(t, core.ValidateRemarks("customer called"))
	require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateRemarks("")))
	require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateRemarks(" \t\n")))
	require.NoError(t, core.ValidateRemarks(strings.Repeat("é", 500)))
	require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateRemarks(strings.Repeat("é", 501))))
}

func TestDepositFilterValidate(t *testing.T) {
	t.Parallel()
	t.Run("DefaultsPageSize", func(t *testing.T) {
		t.Parallel()
		var f core.DepositFilter
		require.NoError(t, f.Validate())
		require.Equal(t, core.DefaultPageSize, f.Limit)
	})
	t.Run("NormalisesTxIDAndCustomer", func(t *testing.T) {
		t.Parallel()
		tx, cust := "0x"+strings.Repeat("AB", 32), " c10001 "
		f := core.DepositFilter{TxID: &tx, CustomerNo: &cust}
		require.NoError(t, f.Validate())
		require.Equal(t, strings.Repeat("ab", 32), *f.TxID)
		require.Equal(t, "C10001", *f.CustomerNo)
	})
	bad := "bogus"
	from, to := time.Now(), time.Now().Add(-time.Hour)
	st := core.DepositStatus("bogus")
	for name, f := range map[string]core.DepositFilter{
		"NegativeLimit": {Limit: -1},
		"HugeLimit":     {Limit: core.MaxPageSize + 1},
		"UnknownStatus": {Status: &st},
		"InvertedRange": {CreatedFrom: &from, CreatedTo: &to},
		"BadRecordNo":   {RecordNo: &bad},
		"BadCustomerNo": {CustomerNo: ptr("x")},
		"BadAccount":    {SecuritiesAccount: ptr("a b")},
		"BadTxID":       {TxID: &bad},
	} {
		t.Run("Rejects"+name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, core.EINVALID, core.ErrorCode(f.Validate()))
		})
	}
}

func ptr[T any](v T) *T { return &v }
