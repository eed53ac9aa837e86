package hdaddr_test

import (
	"encoding/hex"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/internal/testkeys"
)

func TestDescriptorChecksumVectors(t *testing.T) {
	t.Parallel()
	for desc, want := range map[string]string{
		// BIP-380's example.
		"raw(deadbeef)": "89f8spxm",
		// Bitcoin Core's descriptor_tests.cpp.
		"sh(multi(2,[00000000/111'/222]xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL,xpub68NZiKmJWnxxS6aaHmn81bvJeTESw724CRDs6HbuccFQN9Ku14VQrADWgqbhhTHBaohPX4CjNLf9fq9MYo6oDaPPLPxSb7gwQN3ih19Zm4Y/0))": "tjg09x5t",
		"wpkh([d34db33f/84h/0h/0h]0279be667ef9dcbbac55a06295Ce870b07029Bfcdb2dce28d959f2815b16f81798)": "qwlqgth7",
	} {
		got, err := hdaddr.DescriptorChecksum(desc)
		require.NoError(t, err)
		require.Equal(t, want, got, desc)
	}
	_, err := hdaddr.DescriptorChecksum("wpkh(é)")
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

// abandonDescriptor is the BIP84 account of the abandon mnemonic as a
// wallet exports it, without checksum; its master fingerprint is the
// well-known 73c5da0a.
func abandonDescriptor(t *testing.T, hardened, tail string) string {
	t.Helper()
	xpub, err := accountKey(t, 84, 0, &chaincfg.MainNetParams).Neuter()
	require.NoError(t, err)
	h := hardened
	return "wpkh([73c5da0a/84" + h + "/0" + h + "/0" + h + "]" + xpub.String() + tail + ")"
}

func TestDescriptorAccountDerivesAsItsPlainKey(t *testing.T) {
	t.Parallel()
	seed, _ := hex.DecodeString(abandonSeed)
	master, err := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	require.NoError(t, err)
	pub, err := master.ECPubKey()
	require.NoError(t, err)
	require.Equal(t, "73c5da0a", hex.EncodeToString(btcutil.Hash160(pub.SerializeCompressed())[:4]), "the abandon mnemonic's master fingerprint")

	h := uint32(hdkeychain.HardenedKeyStart)
	plain, err := accountKey(t, 84, 0, &chaincfg.MainNetParams).Neuter()
	require.NoError(t, err)
	for _, desc := range []string{
		abandonDescriptor(t, "'", "/0/*"),
		abandonDescriptor(t, "h", "/0/*"),
		abandonDescriptor(t, "'", "/<0;1>/*"),
		withChecksum(t, abandonDescriptor(t, "h", "/<0;1>/*")),
		withChecksum(t, abandonDescriptor(t, "'", "/0/*")),
	} {
		acct, err := hdaddr.ParseAccount(core.ChainBitcoin, "mainnet", desc)
		require.NoError(t, err, desc)
		require.Equal(t, [4]byte{0x73, 0xc5, 0xda, 0x0a}, acct.Fingerprint)
		require.Equal(t, []uint32{h + 84, h + 0, h + 0}, acct.Path)
		require.Equal(t, plain.String(), acct.Key.String())
		// BIP84's first receive address of the abandon mnemonic.
		got, err := hdaddr.Deriver{}.DeriveAddress(core.ChainBitcoin, "mainnet", desc, 0)
		require.NoError(t, err)
		require.Equal(t, "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", got)
	}

	acct, err := hdaddr.ParseAccount(core.ChainBitcoin, "mainnet", plain.String())
	require.NoError(t, err)
	require.Equal(t, [4]byte{}, acct.Fingerprint, "a plain key carries no origin")
	require.Empty(t, acct.Path)

	// The test helper's regtest descriptor derives every deposit and change
	// address its plain key does.
	_, desc, err := testkeys.Descriptor("descriptor test seed, not real!!", 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	xpub, err := testkeys.AccountXPub("descriptor test seed, not real!!", 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	require.NoError(t, hdaddr.Deriver{}.CheckAccountKey(core.ChainBitcoin, "regtest", desc))
	for _, branch := range []uint32{hdaddr.External, hdaddr.Internal} {
		for i := range uint32(5) {
			want, err := hdaddr.Derive(core.ChainBitcoin, "regtest", xpub, branch, i)
			require.NoError(t, err)
			got, err := hdaddr.Derive(core.ChainBitcoin, "regtest", desc, branch, i)
			require.NoError(t, err)
			require.Equal(t, want, got, "%d/%d", branch, i)
		}
	}
}

func TestRefusedDescriptors(t *testing.T) {
	t.Parallel()
	good := abandonDescriptor(t, "'", "/0/*")
	xpub := good[strings.Index(good, "]")+1 : strings.Index(good, "/0/*")]
	main := accountKey(t, 84, 0, &chaincfg.MainNetParams)
	depth4, err := main.Derive(0)
	require.NoError(t, err)
	depth4Pub, err := depth4.Neuter()
	require.NoError(t, err)
	sum := withChecksum(t, good)
	flipped := sum[:len(sum)-1] + map[bool]string{true: "q", false: "p"}[sum[len(sum)-1] != 'q']
	regtestDesc := func(origin string) string {
		tpub, err := accountKey(t, 84, 1, &chaincfg.RegressionNetParams).Neuter()
		require.NoError(t, err)
		return "wpkh([73c5da0a/" + origin + "]" + tpub.String() + "/0/*)"
	}
	cases := []struct {
		name, chain, network, desc, says string
	}{
		{"WrongChecksum", core.ChainBitcoin, "mainnet", flipped, "checksum"},
		{"ChecksumOfAnotherDescriptor", core.ChainBitcoin, "mainnet", good + "#89f8spxm", "checksum"},
		{"EmptyChecksum", core.ChainBitcoin, "mainnet", good + "#", "checksum"},
		{"ChecksumOverAChangedBody", core.ChainBitcoin, "mainnet", strings.Replace(sum, "/0/*", "/1/*", 1), "checksum"},
		{"WrongPurpose", core.ChainBitcoin, "mainnet", strings.Replace(good, "/84'", "/44'", 1), "m/84'/0'/account'"},
		{"TestnetCoinOnMainnet", core.ChainBitcoin, "mainnet", strings.Replace(good, "/0'/0'", "/1'/0'", 1), "m/84'/0'/account'"},
		{"MainnetCoinOnRegtest", core.ChainBitcoin, "regtest", regtestDesc("84'/0'/0'"), "m/84'/1'/account'"},
		{"UnhardenedStep", core.ChainBitcoin, "regtest", regtestDesc("84'/1'/0"), "m/84'/1'/account'"},
		{"OriginTooShort", core.ChainBitcoin, "regtest", regtestDesc("84'/1'"), "2 steps but its key is at depth 3"},
		{"OriginTooLong", core.ChainBitcoin, "regtest", regtestDesc("84'/1'/0'/0"), "4 steps but its key is at depth 3"},
		{"AnotherAccountThanTheKey", core.ChainBitcoin, "regtest", regtestDesc("84'/1'/1'"), "not the key at its path's last step"},
		{"KeyNotAtAccountLevel", core.ChainBitcoin, "mainnet", strings.Replace(good, xpub, depth4Pub.String(), 1), "depth"},
		{"NoOrigin", core.ChainBitcoin, "mainnet", "wpkh(" + xpub + "/0/*)", "no key origin"},
		{"ShortFingerprint", core.ChainBitcoin, "mainnet", strings.Replace(good, "73c5da0a", "73c5da0", 1), "fingerprint"},
		{"BadStep", core.ChainBitcoin, "mainnet", strings.Replace(good, "/84'", "/x84'", 1), "derivation path"},
		{"StepTooLarge", core.ChainBitcoin, "mainnet", strings.Replace(good, "/84'", "/2147483732'", 1), "derivation path"},
		{"Legacy", core.ChainBitcoin, "mainnet", "pkh" + strings.TrimPrefix(good, "wpkh"), "Only wpkh"},
		{"NestedSegwit", core.ChainBitcoin, "mainnet", "sh(" + good + ")", "Only wpkh"},
		{"Unclosed", core.ChainBitcoin, "mainnet", strings.TrimSuffix(good, ")"), "Only wpkh"},
		{"ChangeChainOnly", core.ChainBitcoin, "mainnet", strings.Replace(good, "/0/*", "/1/*", 1), "/0/* or /<0;1>/*"},
		{"HardenedWildcard", core.ChainBitcoin, "mainnet", strings.Replace(good, "/0/*", "/0/*'", 1), "/0/* or /<0;1>/*"},
		{"SingleKey", core.ChainBitcoin, "mainnet", strings.Replace(good, "/0/*", "", 1), "/0/* or /<0;1>/*"},
		{"PrivateKey", core.ChainBitcoin, "mainnet", strings.Replace(good, xpub, main.String(), 1), "private key"},
		{"MainnetKeyOnRegtest", core.ChainBitcoin, "regtest", strings.Replace(good, "/0'/0'", "/1'/0'", 1), "another Bitcoin network"},
		{"EthereumTakesPlainKeys", core.ChainEthereum, "mainnet", good, "not a descriptor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := hdaddr.ParseAccount(c.chain, c.network, c.desc)
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v", err)
			require.Contains(t, core.ErrorMessage(err), c.says)
			require.NotContains(t, core.ErrorMessage(err), xpub, "a refusal does not repeat the key")
			_, err = hdaddr.Deriver{}.DeriveAddress(c.chain, c.network, c.desc, 0)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
		})
	}
}

func withChecksum(t *testing.T, desc string) string {
	t.Helper()
	sum, err := hdaddr.DescriptorChecksum(desc)
	require.NoError(t, err)
	return desc + "#" + sum
}
