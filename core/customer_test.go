package core_test

import (
	"fmt"
	"math/big"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestCustomerValidate(t *testing.T) {
	t.Parallel()
	valid := func() *core.Customer {
		return &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Kim Min-jun", IdentityRef: "KYC-1"}
	}
	require.NoError(t, valid().Validate())
	for name, edit := range map[string]func(c *core.Customer){
		"LowerCaseCustomerNo": func(c *core.Customer) { c.CustomerNo = "c10001" },
		"ShortCustomerNo":     func(c *core.Customer) { c.CustomerNo = "C1" },
		"LongCustomerNo":      func(c *core.Customer) { c.CustomerNo = "C" + strings.Repeat("1", 32) },
		"DashFirstCustomerNo": func(c *core.Customer) { c.CustomerNo = "-C1001" },
		"SpaceInAccount":      func(c *core.Customer) { c.SecuritiesAccount = "SA 20001" },
		"EmptyAccount":        func(c *core.Customer) { c.SecuritiesAccount = "" },
		"EmptyName":           func(c *core.Customer) { c.Name = "" },
		"LongName":            func(c *core.Customer) { c.Name = strings.Repeat("가", 129) },
		"LongIdentityRef":     func(c *core.Customer) { c.IdentityRef = strings.Repeat("x", 129) },
		"NewlineInCustomerNo": func(c *core.Customer) { c.CustomerNo = "C10001\n" },
	} {
		t.Run("Rejects"+name, func(t *testing.T) {
			t.Parallel()
			c := valid()
			edit(c)
			require.Equal(t, core.EINVALID, core.ErrorCode(c.Validate()))
		})
	}
	t.Run("AcceptsMultibyteNameUpTo128Characters", func(t *testing.T) {
		t.Parallel()
		c := valid()
		c.Name = strings.Repeat("가", 128)
		require.NoError(t, c.Validate())
	})
}

func TestAddressStatusTransitions(t *testing.T) {
	t.Parallel()
	all := []core.AddressStatus{core.AddressPending, core.AddressVerified, core.AddressRejected, core.AddressRevoked}
	allowed := map[[2]core.AddressStatus]bool{
		{core.AddressPending, core.AddressVerified}: true,
		{core.AddressPending, core.AddressRejected}: true,
		{core.AddressVerified, core.AddressRevoked}: true,
	}
	for _, from := range all {
		require.NotEqual(t, string(from), from.Display())
		for _, to := range all {
			require.Equal(t, allowed[[2]core.AddressStatus{from, to}], core.CanTransitionAddress(from, to), "%s → %s", from, to)
		}
	}
}

func TestAssetValidate(t *testing.T) {
	t.Parallel()
	btc := func() *core.Asset {
		return &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Name: "Bitcoin", Decimals: 8,
			MinDeposit: big.NewInt(1000), ConfirmationsRequired: 3, Enabled: true}
	}
	usdt := func() *core.Asset {
		return &core.Asset{Chain: core.ChainEthereum, Network: "sepolia", Symbol: "USDT", Decimals: 6,
			ContractAddress: "0x" + strings.Repeat("ab", 20), MinDeposit: big.NewInt(0), ConfirmationsRequired: 12}
	}
	require.NoError(t, btc().Validate())
	require.NoError(t, usdt().Validate())
	require.Equal(t, "BTC@regtest", btc().Key())
	for name, tc := range map[string]struct {
		base func() *core.Asset
		edit func(a *core.Asset)
	}{
		"UnknownChain":         {btc, func(a *core.Asset) { a.Chain = "dogecoin" }},
		"NetworkOfOtherChain":  {btc, func(a *core.Asset) { a.Network = "sepolia" }},
		"EmptySymbol":          {btc, func(a *core.Asset) { a.Symbol = "" }},
		"LowerCaseSymbol":      {btc, func(a *core.Asset) { a.Symbol = "btc" }},
		"SymbolWithAt":         {btc, func(a *core.Asset) { a.Symbol = "BTC@X" }},
		"LongSymbol":           {btc, func(a *core.Asset) { a.Symbol = strings.Repeat("B", 13) }},
		"LongName":             {btc, func(a *core.Asset) { a.Name = strings.Repeat("n", 65) }},
		"NegativeDecimals":     {btc, func(a *core.Asset) { a.Decimals = -1 }},
		"TooManyDecimals":      {btc, func(a *core.Asset) { a.Decimals = core.MaxDecimals + 1 }},
		"BitcoinWithContract":  {btc, func(a *core.Asset) { a.ContractAddress = "0x" + strings.Repeat("ab", 20) }},
		"ShortContract":        {usdt, func(a *core.Asset) { a.ContractAddress = "0xabc" }},
		"NilMinimum":           {btc, func(a *core.Asset) { a.MinDeposit = nil }},
		"NegativeMinimum":      {btc, func(a *core.Asset) { a.MinDeposit = big.NewInt(-1) }},
		"ZeroConfirmations":    {btc, func(a *core.Asset) { a.ConfirmationsRequired = 0 }},
		"TooManyConfirmations": {usdt, func(a *core.Asset) { a.ConfirmationsRequired = 1001 }},
	} {
		t.Run("Rejects"+name, func(t *testing.T) {
			t.Parallel()
			a := tc.base()
			tc.edit(a)
			require.Equal(t, core.EINVALID, core.ErrorCode(a.Validate()))
		})
	}
	t.Run("EveryListedNetworkValidates", func(t *testing.T) {
		t.Parallel()
		for _, chain := range []string{core.ChainBitcoin, core.ChainEthereum} {
			require.NotEmpty(t, core.ChainNetworks(chain))
			for _, n := range core.ChainNetworks(chain) {
				a := btc()
				a.Chain, a.Network = chain, n
				require.NoError(t, a.Validate(), "%s/%s", chain, n)
			}
		}
	})
}

func TestErrorHelpers(t *testing.T) {
	t.Parallel()
	require.Equal(t, "", core.ErrorCode(nil))
	require.Equal(t, "", core.ErrorMessage(nil))
	err := core.Errorf(core.ENOTFOUND, "Record %s not found.", "D1")
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
	require.Equal(t, "Record D1 not found.", core.ErrorMessage(err))
	wrapped := wrapError(err)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(wrapped), "found through wrapping")
	plain := strings.NewReader("").UnreadByte() // any non-core error
	require.Equal(t, core.EINTERNAL, core.ErrorCode(plain))
	require.Equal(t, "Internal error.", core.ErrorMessage(plain), "internals never leak")
}

func wrapError(err error) error { return fmt.Errorf("store: find: %w", err) }
