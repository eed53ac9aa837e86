package watcher_test

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

const (
	src  = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	dst  = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"
	evil = "bcrt1q9vza2e8x573nczrlzms0wvx3gsqjx7vaxwd45v"
)

var regtest = core.Network{Chain: core.ChainBitcoin, Name: "regtest"}

// desk is a real SQLite store and Service with one customer whose source
// address is verified, a BTC regtest asset needing 3 confirmations, and a
// watcher over a fake chain.
type desk struct {
	t     testing.TB
	svc   *core.Service
	store core.Store
	admin context.Context
	chain *fakeChain
	w     *watcher.Watcher
	n     int
}

func newDesk(t testing.TB) *desk {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc := wire.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	op, err := svc.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(t, err)
	d := &desk{t: t, svc: svc, store: st, admin: core.NewContextWithOperator(ctx, op), chain: newFakeChain(100)}
	require.NoError(t, svc.CreateAsset(d.admin, &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8,
		MinDeposit: big.NewInt(1000), ConfirmationsRequired: 3, Enabled: true}))
	require.NoError(t, svc.CreateCustomer(d.admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Wei Chan"}))
	w, err := svc.AddWalletAddress(d.admin, "C10001", core.ChainBitcoin, "regtest", src, "own wallet")
	require.NoError(t, err)
	_, err = svc.SubmitManualEvidence(d.admin, w.ID, "signed statement DOC-1")
	require.NoError(t, err)
	// vera's permissions come from a second administrator: an operator the
	// submitter empowered could not check the submitter's evidence.
	hr, err := svc.CreateOperator(d.admin, "hr", "hr-password-01", []core.Permission{core.PermOperatorAdmin})
	require.NoError(t, err)
	_, err = svc.CreateOperator(core.NewContextWithOperator(ctx, hr), "vera", "vera-password-1", []core.Permission{core.PermAddressVerification})
	require.NoError(t, err)
	vera, err := svc.Login(ctx, "vera", "vera-password-1")
	require.NoError(t, err)
	_, err = svc.ApproveManualEvidence(core.NewContextWithOperator(ctx, vera), w.ID)
	require.NoError(t, err)
	d.w = &watcher.Watcher{Network: regtest, Chain: d.chain, Store: st}
	return d
}

// submit records an application for 0.015 BTC with a fresh TXID.
func (d *desk) submit() *core.DepositRecord {
	d.t.Helper()
	d.n++
	rec, _, err := d.svc.SubmitApplication(d.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: fmt.Sprintf("req-%d", d.n), CustomerNo: "C10001",
		SecuritiesAccount: "SA-20001", AssetSymbol: "BTC", Network: "regtest", Amount: "0.015", SourceAddress: src,
		DestinationAddress: dst, TxID: txid(d.n)})
	require.NoError(d.t, err)
	return rec
}

func txid(n int) string { return fmt.Sprintf("%064x", n) }

// payment is the transaction an application announces.
func payment(rec *core.DepositRecord) *core.ChainTx {
	return &core.ChainTx{TxID: rec.TxID, Sources: []string{src}, Spends: []string{"f00d:" + rec.RecordNo},
		Transfers: []core.ChainTransfer{{Index: 0, To: dst, Amount: big.NewInt(1_500_000)}, {Index: 1, To: src, Amount: big.NewInt(42)}}}
}

func (d *desk) step() watcher.Report {
	d.t.Helper()
	rep, err := d.w.Step(context.Background())
	require.NoError(d.t, err)
	return rep
}

func (d *desk) record(rec *core.DepositRecord) *core.DepositRecord {
	d.t.Helper()
	det, err := d.svc.DepositDetail(d.admin, rec.RecordNo)
	require.NoError(d.t, err)
	return det.Record
}

// trail is the record's audit actions with remarks.
func (d *desk) trail(rec *core.DepositRecord) []string {
	d.t.Helper()
	det, err := d.svc.DepositDetail(d.admin, rec.RecordNo)
	require.NoError(d.t, err)
	var out []string
	for _, e := range det.Trail {
		out = append(out, e.Action+": "+e.Remarks)
	}
	return out
}

func TestDepositConfirmsAndIsCredited(t *testing.T) {
	d := newDesk(t)
	d.step() // first pass: starts at the tip
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.step()
	require.Equal(t, core.StatusVerifying, d.record(rec).Status, "unconfirmed in the mempool: the chain has not begun confirming")

	d.chain.mine(1)
	d.step()
	got := d.record(rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	require.Equal(t, 1, got.Confirmations)
	require.Equal(t, int64(101), got.BlockHeight)

	d.chain.mine(1)
	d.step()
	require.Equal(t, 2, d.record(rec).Confirmations)
	d.chain.mine(1)
	d.step()
	got = d.record(rec)
	require.Equal(t, core.StatusCredited, got.Status)
	require.Equal(t, 3, got.Confirmations)
	trail := strings.Join(d.trail(rec), "\n")
	require.Contains(t, trail, "deposit.confirming: Transaction pays 0.015 BTC to the deposit address from verified address "+src)
	require.Contains(t, trail, "deposit.credit: 3 of 3 confirmations: block 101 (h101-f0)")

	// Nothing left to do: a quiet pass asks the node for its head only.
	before := d.chain.totalCalls()
	d.step()
	require.Equal(t, 1, d.chain.totalCalls()-before)
}

func TestMismatchesAreHeldWithTheReason(t *testing.T) {
	cases := []struct {
		name   string
		alter  func(tx *core.ChainTx)
		reason string
	}{
		{"amount", func(tx *core.ChainTx) { tx.Transfers[0].Amount = big.NewInt(1_400_000) }, "It pays 0.014 BTC, the application says 0.015."},
		{"destination", func(tx *core.ChainTx) { tx.Transfers[0].To = evil }, "not the customer's deposit address"},
		{"no such output", func(tx *core.ChainTx) { tx.Transfers = tx.Transfers[1:] }, "The transaction has no output 0."},
		{"source", func(tx *core.ChainTx) { tx.Sources = []string{evil} }, "It comes from " + evil},
		{"unverified co-source", func(tx *core.ChainTx) { tx.Sources = append(tx.Sources, evil) }, "Source address " + evil + " is not a verified address"},
		{"reverted", func(tx *core.ChainTx) { tx.Failed = true }, "reverted"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := newDesk(t)
			d.step()
			rec := d.submit()
			tx := payment(rec)
			c.alter(tx)
			d.chain.broadcast(tx)
			d.chain.mine(5)
			d.step()
			got := d.record(rec)
			require.Equal(t, core.StatusHeld, got.Status)
			require.Contains(t, got.Remarks, c.reason)
			require.Contains(t, got.Remarks, "Evidence: tx "+rec.TxID)
			d.chain.mine(5)
			d.step()
			require.Equal(t, core.StatusHeld, d.record(rec).Status, "a held record waits for a supervisor")
		})
	}
}

func TestReorgBeforeCreditGoesBackAndNeverCredits(t *testing.T) {
	d := newDesk(t)
	d.step()
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.chain.mine(2) // block 101 holds it; 2 confirmations
	d.step()
	require.Equal(t, core.StatusConfirming, d.record(rec).Status)

	// A competing chain replaces 101 and 102 with three empty blocks: the
	// transaction is back in the mempool, and a naive count would say 3.
	d.chain.reorg(100)
	d.chain.mempool = map[string]bool{}
	d.chain.txs[rec.TxID].BlockHash = ""
	d.chain.mine(3)
	d.chain.mempool[rec.TxID] = true
	rep := d.step()
	require.Equal(t, int64(100), rep.ForkHeight)
	got := d.record(rec)
	require.Equal(t, core.StatusVerifying, got.Status)
	require.Zero(t, got.Confirmations)
	require.Contains(t, got.Remarks, "reorganised away")

	d.chain.mine(3) // mined again in 104: credited at 106, on the new chain
	d.step()
	got = d.record(rec)
	require.Equal(t, core.StatusCredited, got.Status)
	require.Equal(t, int64(104), got.BlockHeight)
	require.Equal(t, "h104-f1", got.BlockHash)
}

func TestReorgIntoAnotherBlockIsAuditedBothWays(t *testing.T) {
	d := newDesk(t)
	d.step()
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.chain.mine(1)
	d.step()
	d.chain.reorg(100)
	d.chain.mine(2) // the same transaction lands in the competing block 101
	d.step()
	got := d.record(rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	require.Equal(t, "h101-f1", got.BlockHash)
	require.Equal(t, 2, got.Confirmations)
	trail := d.trail(rec)
	require.Len(t, trail, 4) // create, confirming, reorg, confirming
	require.Contains(t, trail[2], "deposit.reorg: Block 101 (h101-f0) was reorganised away")
}

func TestDoubleSpendIsHeld(t *testing.T) {
	d := newDesk(t)
	d.step()
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.step() // seen in the mempool: its inputs are remembered
	d.chain.reorg(100, rec.TxID)
	thief := &core.ChainTx{TxID: txid(999), Spends: payment(rec).Spends, Sources: []string{src},
		Transfers: []core.ChainTransfer{{To: evil, Amount: big.NewInt(1_499_000)}}}
	d.chain.broadcast(thief)
	d.chain.mine(1)
	d.step() // the block does not name the record's tx, which was waiting in the mempool: looked up
	got := d.record(rec)
	require.Equal(t, core.StatusHeld, got.Status)
	require.Contains(t, got.Remarks, "replaced: transaction "+txid(999)+" spent the same inputs")
}

func TestNodeFailuresChangeNothingAndTheLoopGoesOn(t *testing.T) {
	d := newDesk(t)
	d.step()
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.chain.mine(1)

	d.chain.failNext["Head"] = errors.New("connection refused")
	_, err := d.w.Step(context.Background())
	require.ErrorContains(t, err, "connection refused")
	require.Equal(t, core.StatusVerifying, d.record(rec).Status)

	d.chain.failNext["Block"] = errors.New("timeout")
	_, err = d.w.Step(context.Background())
	require.Error(t, err)
	require.Equal(t, core.StatusVerifying, d.record(rec).Status)

	d.chain.failNext["Transaction"] = errors.New("malformed reply")
	rep := d.step()
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, core.StatusVerifying, d.record(rec).Status)

	rep = d.step() // retried without a new block
	require.Zero(t, rep.Failed)
	require.Equal(t, core.StatusConfirming, d.record(rec).Status)

	// An absurd height is refused, not believed.
	d.chain.txs[rec.TxID].BlockHeight = 1 << 40
	d.w = &watcher.Watcher{Network: regtest, Chain: d.chain, Store: d.store}
	rep = d.step()
	require.Equal(t, 1, rep.Failed)
	require.Equal(t, 1, d.record(rec).Confirmations)
}

func TestRunBacksOffAndKeepsGoing(t *testing.T) {
	d := newDesk(t)
	d.chain.failNext["Head"] = errors.New("node down")
	var reports []error
	ctx, cancel := context.WithCancel(context.Background())
	d.w.Poll, d.w.MaxBackoff = time.Millisecond, 4*time.Millisecond
	d.w.OnPass = func(_ watcher.Report, err error) {
		reports = append(reports, err)
		if len(reports) == 3 {
			cancel()
		}
	}
	require.NoError(t, d.w.Run(ctx))
	require.Error(t, reports[0])
	require.NoError(t, reports[1])
	require.NoError(t, reports[2])
}

func TestNoOperatorCanSignAsTheWatcher(t *testing.T) {
	require.Contains(t, core.ReservedActors, watcher.Actor)
	require.Equal(t, core.EINVALID, core.ErrorCode(core.ValidateOperatorName(watcher.Actor)))
}

func TestAWatcherRunFromATerminalNamesItsOperator(t *testing.T) {
	d := newDesk(t)
	d.w.RunBy = "nina"
	d.step()
	rec := d.submit()
	d.chain.broadcast(payment(rec))
	d.chain.mine(1)
	d.step()
	require.Contains(t, strings.Join(d.trail(rec), "\n"), "(watcher run by nina)")
}
