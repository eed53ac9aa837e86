package watcher_test

import (
	"context"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

// liveDesk is a desk on a real SQLite store following a real node: its
// customer proved the source address with a signature, its asset derives
// deposit addresses from an account xpub.
type liveDesk struct {
	svc      *core.Service
	store    core.Store
	path     string // the SQLite file
	admin    context.Context
	w        *watcher.Watcher
	deposit  string // the customer's derived deposit address
	source   string
	sourceID int64
	asset    *core.Asset
	requests int
}

// accountXPub is the public account key m/purpose'/coin'/0' of a fixed seed.
func accountXPub(t testing.TB, purpose, coin uint32, params *chaincfg.Params) string {
	t.Helper()
	k, err := testkeys.AccountXPub("deposit desk watcher test seed!!", purpose, coin, params)
	require.NoError(t, err)
	return k
}

// newLiveDesk configures asset, registers source for customer C10001 and
// proves it: sign gets the challenge text and returns method and signature
// (nil leaves the address Pending).
func newLiveDesk(t testing.TB, chain core.Chain, asset *core.Asset, source string, sign func(msg string) (string, string)) *liveDesk {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := sqlite.Open(ctx, path) // unmapped, as the desk that runs the watcher
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc := wire.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	op, err := svc.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(t, err)
	d := &liveDesk{svc: svc, store: st, path: path, admin: core.NewContextWithOperator(ctx, op), source: source, asset: asset}
	require.NoError(t, svc.SetFirmName(d.admin, "Example Securities"))
	require.NoError(t, svc.CreateAsset(d.admin, asset))
	require.NoError(t, svc.CreateCustomer(d.admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Wei Chan"}))
	w, err := svc.AddWalletAddress(d.admin, "C10001", asset.Chain, asset.Network, source, "own wallet")
	require.NoError(t, err)
	d.sourceID = w.ID
	if sign != nil {
		ch, err := svc.IssueAddressChallenge(d.admin, w.ID)
		require.NoError(t, err)
		method, sig := sign(ch.Message)
		w, err = svc.ProveAddress(d.admin, ch.ID, method, sig)
		require.NoError(t, err)
		require.Equal(t, core.AddressVerified, w.Status)
	}
	da, err := svc.DepositAddress(d.admin, "C10001", asset.Symbol, asset.Network)
	require.NoError(t, err)
	d.deposit = da.Address
	d.w = &watcher.Watcher{Network: asset.Net(), Chain: chain, Store: st}
	_, err = d.w.Step(ctx) // start at the tip
	require.NoError(t, err)
	return d
}

// submit records the application for a transaction the customer sent.
func (d *liveDesk) submit(t testing.TB, amount, txid string, index int) *core.DepositRecord {
	t.Helper()
	d.requests++
	rec, created, err := d.svc.SubmitApplication(d.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: fmt.Sprintf("req-%d", d.requests),
		CustomerNo: "C10001", SecuritiesAccount: "SA-20001", AssetSymbol: d.asset.Symbol, Network: d.asset.Network, Amount: amount,
		SourceAddress: d.source, TxID: txid, TxIndex: index})
	require.NoError(t, err)
	require.True(t, created)
	require.Equal(t, d.deposit, rec.DestinationAddress)
	return rec
}

// step makes one pass and returns the record as stored.
func (d *liveDesk) step(t *testing.T, rec *core.DepositRecord) *core.DepositRecord {
	t.Helper()
	_, err := d.w.Step(context.Background())
	require.NoError(t, err)
	det, err := d.svc.DepositDetail(d.admin, rec.RecordNo)
	require.NoError(t, err)
	return det.Record
}

// history is the record's status sequence from its audit trail.
func (d *liveDesk) history(t *testing.T, rec *core.DepositRecord) string {
	t.Helper()
	det, err := d.svc.DepositDetail(d.admin, rec.RecordNo)
	require.NoError(t, err)
	seq := []string{core.StatusVerifying.Display()}
	for _, e := range det.Trail {
		if e.After != "" && e.After != e.Before && core.DepositStatus(e.After).Valid() && e.Action != "deposit.create" {
			seq = append(seq, core.DepositStatus(e.After).Display())
		}
	}
	return strings.Join(seq, " → ")
}

func sats(n int64) *big.Int { return big.NewInt(n) }
