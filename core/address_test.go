package core_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// EIP-55 test vectors from the EIP itself.
var eip55Vectors = []string{
	"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
	"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
	"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
	"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	"0x52908400098527886E0F7030069857D2E4169EE7",
	"0x8617E340B3D01FA5F11F306F4090FD50E238070D",
	"0xde709f2102306220921060314715629080e2fb77",
	"0x27b1fdb04752bbc536007a920d24acb045561c26",
}

func TestNormalizeEthereumAddress(t *testing.T) {
	t.Parallel()
	v := core.BasicAddressValidator{}
	for _, want := range eip55Vectors {
		t.Run("AcceptsChecksummed"+want, func(t *testing.T) {
			t.Parallel()
			got, err := v.NormalizeAddress(core.ChainEthereum, "mainnet", want)
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
		t.Run("NormalisesAllLower"+want, func(t *testing.T) {
			t.Parallel()
			got, err := v.NormalizeAddress(core.ChainEthereum, "sepolia", "0x"+strings.ToLower(want[2:]))
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
		t.Run("NormalisesAllUpper"+want, func(t *testing.T) {
			t.Parallel()
			got, err := v.NormalizeAddress(core.ChainEthereum, "dev", "0x"+strings.ToUpper(want[2:]))
			require.NoError(t, err)
			require.Equal(t, want, got)
		})
	}
	t.Run("TrimsSpace", func(t *testing.T) {
		t.Parallel()
		got, err := v.NormalizeAddress(core.ChainEthereum, "dev", " "+eip55Vectors[0]+"\n")
		require.NoError(t, err)
		require.Equal(t, eip55Vectors[0], got)
	})
	flipped := []byte(eip55Vectors[0])
	flipped[3] = 'A' // 0x5aA… → 0x5AA…: one letter's case wrong
	for name, in := range map[string]string{
		"BadMixedChecksum": string(flipped),
		"NoPrefix":         eip55Vectors[0][2:],
		"Short":            eip55Vectors[0][:41],
		"Long":             eip55Vectors[0] + "0",
		"NotHex":           "0x" + strings.Repeat("g", 40),
		"Empty":            "",
	} {
		t.Run("Refuses"+name, func(t *testing.T) {
			t.Parallel()
			_, err := v.NormalizeAddress(core.ChainEthereum, "mainnet", in)
			require.Equal(t, core.EINVALID, core.ErrorCode(err), in)
		})
	}
}

func TestNormalizeBitcoinAddress(t *testing.T) {
	t.Parallel()
	v := core.BasicAddressValidator{}
	const (
		p2pkhMain  = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2"
		p2shMain   = "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy"
		bech32Main = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
		p2pkhTest  = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
		p2pkhTestN = "n3GNqMveyvaPvUbH469vDRadqpJMPc84JA"
		p2shTest   = "2MzQwSSnBHWHqSAqtTVQ6v47XtaisrJa1Vc"
		bech32Test = "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"
		bech32Reg  = "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw"
	)
	accept := []struct{ network, in, want string }{
		{"mainnet", p2pkhMain, p2pkhMain},
		{"mainnet", p2shMain, p2shMain},
		{"mainnet", bech32Main, bech32Main},
		{"mainnet", strings.ToUpper(bech32Main), bech32Main},
		{"testnet3", p2pkhTest, p2pkhTest},
		{"testnet4", p2pkhTestN, p2pkhTestN},
		{"signet", p2shTest, p2shTest},
		{"testnet3", bech32Test, bech32Test},
		{"regtest", bech32Reg, bech32Reg},
		{"regtest", p2pkhTest, p2pkhTest},
	}
	for _, tc := range accept {
		t.Run("Accepts"+tc.network+tc.in, func(t *testing.T) {
			t.Parallel()
			got, err := v.NormalizeAddress(core.ChainBitcoin, tc.network, tc.in)
			require.NoError(t, err)
			require.Equal(t, tc.want, got)
		})
	}
	refuse := []struct{ name, network, in string }{
		{"MainnetAddressOnTestnet", "testnet3", p2pkhMain},
		{"MainnetBech32OnRegtest", "regtest", bech32Main},
		{"TestnetAddressOnMainnet", "mainnet", p2pkhTest},
		{"TestnetBech32OnMainnet", "mainnet", bech32Test},
		{"RegtestBech32OnTestnet", "testnet3", bech32Reg},
		{"MixedCaseBech32", "mainnet", "bc1qW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{"Bech32OutsideCharset", "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3tb"},
		{"Bech32WithPunctuation", "mainnet", "bc1q;drop-table-deposits;--0000000000"},
		{"Base58WithZero", "mainnet", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNV0O"},
		{"TooShort", "mainnet", "1BvBMSEY"},
		{"TooLong", "mainnet", "bc1q" + strings.Repeat("q", 90)},
		{"UnknownNetwork", "moonnet", p2pkhMain},
		{"EthereumOnBitcoin", "mainnet", eip55Vectors[0]},
		{"Empty", "mainnet", ""},
	}
	for _, tc := range refuse {
		t.Run("Refuses"+tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := v.NormalizeAddress(core.ChainBitcoin, tc.network, tc.in)
			require.Equal(t, core.EINVALID, core.ErrorCode(err), tc.in)
		})
	}
	t.Run("RefusesUnknownChain", func(t *testing.T) {
		t.Parallel()
		_, err := v.NormalizeAddress("dogecoin", "mainnet", p2pkhMain)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
}
