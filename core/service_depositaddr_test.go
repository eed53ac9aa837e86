package core_test

import (
	"context"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/internal/testkeys"
)

// regtestAccount returns the private and public BIP84 account keys
// (m/84'/1'/0') of a fixed test seed.
func regtestAccount(t *testing.T) (priv, pub string) {
	t.Helper()
	k, err := hdkeychain.NewMaster(make([]byte, 32), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	for _, i := range []uint32{84, 1, 0} {
		k, err = k.Derive(hdkeychain.HardenedKeyStart + i)
		require.NoError(t, err)
	}
	n, err := k.Neuter()
	require.NoError(t, err)
	return k.String(), n.String()
}

func TestDepositAddressesAreDerivedPerCustomer(t *testing.T) {
	b := setupStore(t)
	b.svc.Deriver = hdaddr.Deriver{}
	priv, pub := regtestAccount(t)
	assets, err := b.svc.ListAssets(b.admin, core.AssetFilter{})
	require.NoError(t, err)
	btc := assets[0]

	before := b.snapshot(t)
	_, err = b.svc.UpdateAsset(b.admin, btc.ID, core.AssetUpdate{AccountXPub: &priv})
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a private key must be refused: %v", err)
	require.Equal(t, before, b.snapshot(t))

	_, err = b.svc.UpdateAsset(b.admin, btc.ID, core.AssetUpdate{AccountXPub: &pub})
	require.NoError(t, err)
	_, descriptor, err := testkeys.Descriptor(string(make([]byte, 32)), 84, 1, &chaincfg.RegressionNetParams) // regtestAccount's seed
	require.NoError(t, err)
	_, err = b.svc.UpdateAsset(b.admin, btc.ID, core.AssetUpdate{AccountXPub: &descriptor})
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "the same account written as a descriptor would lose its addresses: %v", err)
	require.Contains(t, core.ErrorMessage(err), "written otherwise")
	require.NoError(t, b.svc.CreateCustomer(b.admin, &core.Customer{CustomerNo: "C10002", SecuritiesAccount: "SA-20002", Name: "Li Na"}))

	first, err := b.svc.DepositAddress(b.clerk, "C10001", "BTC", "regtest")
	require.NoError(t, err)
	second, err := b.svc.DepositAddress(b.clerk, "C10002", "btc", "regtest")
	require.NoError(t, err)
	want0, _ := hdaddr.Deriver{}.DeriveAddress(core.ChainBitcoin, "regtest", pub, 0)
	want1, _ := hdaddr.Deriver{}.DeriveAddress(core.ChainBitcoin, "regtest", pub, 1)
	require.Equal(t, want0, first.Address)
	require.Equal(t, want1, second.Address)
	again, err := b.svc.DepositAddress(b.clerk, "C10001", "BTC", "regtest")
	require.NoError(t, err)
	require.Equal(t, first.Address, again.Address)

	// An application without a destination gets the customer's address.
	app := b.app()
	app.ClientRequestKey, app.TxID, app.DestinationAddress = "req-derived", "", ""
	rec, created, err := b.svc.SubmitApplication(b.clerk, app)
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, first.Address, rec.DestinationAddress)

	// One naming another address is refused and leaves no trace.
	before = b.snapshot(t)
	app.ClientRequestKey, app.DestinationAddress = "req-elsewhere", second.Address
	_, _, err = b.svc.SubmitApplication(b.clerk, app)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v", err)
	require.Equal(t, before, b.snapshot(t))

	// Reading addresses needs Deposit Application.
	_, err = b.svc.DepositAddress(context.Background(), "C10001", "BTC", "regtest")
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
}
