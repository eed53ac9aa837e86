package addrproof

import (
	"encoding/hex"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestEIP191(t *testing.T) {
	t.Parallel()
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	addr := crypto.PubkeyToAddress(key.PublicKey).Hex()
	const msg = "Deposit Desk: I control this address. Nonce 9f2c"
	sig, err := crypto.Sign(accounts.TextHash([]byte(msg)), key)
	require.NoError(t, err)
	wallet := append([]byte{}, sig...)
	wallet[64] += 27 // what personal_sign returns

	t.Run("AcceptsPersonalSignWithV27Or28", func(t *testing.T) {
		require.NoError(t, VerifyEIP191(addr, msg, "0x"+hex.EncodeToString(wallet)))
	})
	t.Run("AcceptsV0Or1", func(t *testing.T) {
		require.NoError(t, VerifyEIP191(strings.ToLower(addr), msg, hex.EncodeToString(sig)))
	})
	t.Run("RefusesAnotherMessage", func(t *testing.T) {
		require.Equal(t, core.EINVALID, core.ErrorCode(VerifyEIP191(addr, msg+".", hex.EncodeToString(wallet))))
	})
	t.Run("RefusesAnotherAddress", func(t *testing.T) {
		other, _ := crypto.GenerateKey()
		require.Equal(t, core.EINVALID, core.ErrorCode(VerifyEIP191(crypto.PubkeyToAddress(other.PublicKey).Hex(), msg, hex.EncodeToString(wallet))))
	})
	t.Run("RefusesHighSMalleation", func(t *testing.T) {
		mal := append([]byte{}, wallet...)
		s := new(big.Int).SetBytes(mal[32:64])
		s.Sub(crypto.S256().Params().N, s)
		s.FillBytes(mal[32:64])
		mal[64] ^= 1 // 27 <-> 28
		require.Equal(t, core.EINVALID, core.ErrorCode(VerifyEIP191(addr, msg, hex.EncodeToString(mal))))
	})
	t.Run("RefusesTruncatedAndGarbage", func(t *testing.T) {
		for _, s := range []string{"", "0x", "zz", hex.EncodeToString(wallet[:64]), hex.EncodeToString(append(wallet[:64:64], 29))} {
			require.Equal(t, core.EINVALID, core.ErrorCode(VerifyEIP191(addr, msg, s)), s)
		}
	})
}

func TestNormalizeAddress(t *testing.T) {
	t.Parallel()
	v := Validator{}
	ok := []struct{ chain, network, in, want string }{
		// EIP-55 examples from the EIP text.
		{"ethereum", "mainnet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},
		{"ethereum", "mainnet", "0xfb6916095ca1df60bb79ce92ce3ea74c37c5d359", "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359"},
		{"ethereum", "sepolia", "0xDBF03B407C01E7CD3CBEA99509D93F8DDDC8C6FB", "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB"},
		{"ethereum", "dev", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb"},
		{"bitcoin", "mainnet", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs"},
		{"bitcoin", "mainnet", "3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN", "3JvL6Ymt8MVWiCNHC7oWU6nLeHNJKLZGLN"},
		{"bitcoin", "mainnet", "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"},
		{"bitcoin", "mainnet", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"},
		{"bitcoin", "mainnet", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"},
		{"bitcoin", "testnet3", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
		{"bitcoin", "regtest", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"},
	}
	for _, c := range ok {
		got, err := v.NormalizeAddress(c.chain, c.network, c.in)
		require.NoError(t, err, c.in)
		require.Equal(t, c.want, got)
	}
	bad := []struct{ chain, network, in string }{
		{"ethereum", "mainnet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"}, // bad checksum
		{"ethereum", "mainnet", "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"},   // no 0x
		{"ethereum", "mainnet", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeA"},
		{"bitcoin", "regtest", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, // mainnet address on regtest
		{"bitcoin", "mainnet", "tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsx"},
		{"bitcoin", "mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5"}, // bad checksum
		{"bitcoin", "mainnet", "bc1QW508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"}, // mixed case
		{"bitcoin", "mainnet", ""},
		{"dogecoin", "mainnet", "D6"},
	}
	for _, c := range bad {
		_, err := v.NormalizeAddress(c.chain, c.network, c.in)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), c.in)
	}
}
