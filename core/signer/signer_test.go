package signer_test

import (
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/core/signer"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/testkeys"
)

// account returns the private and public account keys m/84'/1'/0' of seed.
func account(t *testing.T, seed string) (xprv, xpub string) {
	t.Helper()
	xprv, xpub, err := testkeys.Account(seed, 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	return xprv, xpub
}

func TestSigningKeysLiveInTheOSKeyringOnlyWhenTheyMatchTheAccount(t *testing.T) {
	keyringtest.Start(t)
	xprv, xpub := account(t, "deposit desk signer test seed one")
	other, _ := account(t, "deposit desk signer test seed two")
	a := &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", AccountXPub: xpub}
	keys := signer.Keyring{}

	require.Equal(t, core.ENOTFOUND, core.ErrorCode(keys.Check(a)), "nothing stored yet")
	for name, bad := range map[string]string{"AnotherAccount": other, "ThePublicKey": xpub, "Garbage": "tprv-not-a-key"} {
		err := keys.Put(a, bad)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), name)
		require.NotContains(t, err.Error(), bad, "%s: an error never repeats the key", name)
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(keys.Check(a)), "%s stored nothing", name)
	}
	require.Equal(t, core.EINVALID, core.ErrorCode(keys.Put(&core.Asset{Symbol: "BTC", Network: "regtest"}, xprv)),
		"an asset without an account public key takes no signing key")

	require.NoError(t, keys.Put(a, "  "+xprv+"\n"))
	require.NoError(t, keys.Check(a))
	stored, err := keyring.Get(signer.Service, "account:BTC@regtest")
	require.NoError(t, err, "in the real Secret Service, under the desk's service name")
	require.Equal(t, xprv, stored)

	_, otherPub := account(t, "deposit desk signer test seed two")
	moved := *a
	moved.AccountXPub = otherPub
	require.Equal(t, core.ECONFLICT, core.ErrorCode(keys.Check(&moved)), "the asset's account key changed since the import")
}

func TestAnOperatorsApprovalKeyIsMadeOnceAndSignsOnlyAsThem(t *testing.T) {
	keyringtest.Start(t)
	keys, ctx := signer.Keyring{}, context.Background()
	_, _, err := keys.SignApproval(ctx, "sam", []byte("m"))
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "no key before the first login")
	pub, err := keys.OperatorKey(ctx, "sam")
	require.NoError(t, err)
	again, err := keys.OperatorKey(ctx, "sam")
	require.NoError(t, err)
	require.Equal(t, pub, again, "made once, then read")
	other, err := keys.OperatorKey(ctx, "rita")
	require.NoError(t, err)
	require.NotEqual(t, pub, other)
	signedBy, sig, err := keys.SignApproval(ctx, "sam", []byte("refund facts"))
	require.NoError(t, err)
	require.Equal(t, pub, signedBy)
	require.True(t, ed25519.Verify(pub, []byte("refund facts"), sig))
	_, err = keyring.Get(signer.Service, "operator:sam")
	require.NoError(t, err, "in the real Secret Service, under the desk's service name")

	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "")
	start := time.Now()
	_, err = keys.OperatorKey(ctx, "sam")
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "no session bus: no keyring, and none autolaunched")
	require.Less(t, time.Since(start), 100*time.Millisecond)
}
