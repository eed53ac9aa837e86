package watcher_test

import (
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/internal/btcdtest"
)

// The "Satoshi test" end to end on btcd: the desk names an odd amount, the
// customer's wallet sends it to their deposit address, the node shows it
// mined, and only then is the address Verified.
func TestMicroDepositProvesAnAddressOnARealNode(t *testing.T) {
	t.Parallel()
	node := btcdtest.Start(t)
	node.Mature(t)
	chain, err := bitcoin.New(bitcoin.Config{Host: node.RPCHost, User: node.User, Pass: node.Pass, Params: node.Params})
	require.NoError(t, err)
	asset := &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: sats(10_000),
		ConfirmationsRequired: 3, Enabled: true, AccountXPub: accountXPub(t, 84, 1, &chaincfg.RegressionNetParams)}
	d := newLiveDesk(t, chain, asset, node.Address().EncodeAddress(), nil)
	d.svc.Nodes = core.NodeMap{regtest: chain}

	md, err := d.svc.StartMicroDeposit(d.admin, d.sourceID)
	require.NoError(t, err)
	require.Equal(t, d.deposit, md.DepositAddress)
	require.Equal(t, uint(1), md.Amount.Bit(0), "odd")
	to, err := btcutil.DecodeAddress(md.DepositAddress, node.Params)
	require.NoError(t, err)

	wrong := node.Send(t, to, md.Amount.Int64()+1)
	txid := node.Send(t, to, md.Amount.Int64())
	_, err = d.svc.ProveMicroDeposit(d.admin, md.ID, txid)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "unmined: %v", err)
	node.Generate(t, 1)
	_, err = d.svc.ProveMicroDeposit(d.admin, md.ID, wrong)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "does not pay exactly")

	w, err := d.svc.ProveMicroDeposit(d.admin, md.ID, txid)
	require.NoError(t, err)
	require.Equal(t, core.AddressVerified, w.Status)
	require.Equal(t, core.ProofMicroDeposit, w.VerificationMethod)
	require.Contains(t, w.Evidence, txid)

	_, err = d.svc.ProveMicroDeposit(d.admin, md.ID, txid)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a challenge proves once")
}
