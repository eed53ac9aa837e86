package watcher_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/core/watcher"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

// asRefundDriver makes the test binary drive one refund to Confirmed
// (driveRefund) instead of running the tests.
const asRefundDriver = "DEPOSITDESK_TEST_REFUND_DRIVER"

// crashIterations is how many refunds the crash test drives, each through
// as many kills as its seeded delays make.
const crashIterations = 100

// TestRefundSurvivesSIGKILLAtAnyStep drives refunds from approval to
// Refunded in a process that is SIGKILLed after a seeded random delay, over
// and over, restarting it each time, as a station that loses power would
// be. Whatever step the kill lands in (building, storing the prepared
// transaction, signing, storing it, broadcasting, following
// confirmations), every refund converges to Refunded, with one signed
// transaction that never changes once stored, mined on the node.
func TestRefundSurvivesSIGKILLAtAnyStep(t *testing.T) {
	keyringtest.Start(t)
	d, node, to := btcDesk(t)
	rd := newRefunder(t, d, 84, 1, &chaincfg.RegressionNetParams, big.NewInt(5), big.NewInt(100_000))
	outs := []btcdtest.Output{{To: to, Sats: 100_000_000}} // the account's float for the fees
	for range crashIterations {
		outs = append(outs, btcdtest.Output{To: to, Sats: 100_000})
	}
	txid := node.SendMany(t, outs...)
	recs := make([]*core.DepositRecord, len(outs))
	for i := range outs {
		recs[i] = d.submit(t, core.FormatAmount(big.NewInt(outs[i].Sats), 8), txid, i)
	}
	node.Generate(t, 3)
	require.Equal(t, core.StatusCredited, d.step(t, recs[1]).Status)

	seed := uint64(time.Now().UnixNano())
	if s, err := strconv.ParseUint(os.Getenv("DEPOSITDESK_CRASH_SEED"), 10, 64); err == nil {
		seed = s // to replay a failure
	}
	t.Logf("seed %d (DEPOSITDESK_CRASH_SEED replays it)", seed)
	killedIn := map[core.RefundStatus]int{}
	rnd := rand.New(rand.NewPCG(seed, 0))
	kills, runs := 0, 0
	// Kills land within window after a driver starts. It doubles while
	// kills keep landing before the driver gets anything done (a slow
	// machine, or the race detector, starts it slowly) and shrinks back
	// when a driver finishes unkilled, so kills keep landing in every step.
	window, stuck := 120*time.Millisecond, 0
	start := time.Now()
	txids := map[string]int64{}
	for i := 1; i < len(recs); i++ {
		r, err := d.svc.RequestRefund(d.admin, recs[i].RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "crash test, case " + strconv.Itoa(i)})
		require.NoError(t, err)
		_, err = d.svc.ApproveRefund(rd.sam, r.ID)
		require.NoError(t, err)
		var signed []byte
		for r.Status != core.RefundConfirmed {
			require.Less(t, runs, 40*crashIterations, "refund %d never converged", r.ID)
			runs++
			before := r.Status
			killed := runDriver(t, d, node, r.ID, time.Duration(rnd.Int64N(int64(window))))
			r, err = d.svc.Refund(d.admin, r.ID)
			require.NoError(t, err)
			switch {
			case !killed:
				window = max(120*time.Millisecond, window*3/4)
			case r.Status == before:
				if stuck++; stuck == 3 {
					window, stuck = min(2*window, 10*time.Second), 0
				}
			default:
				stuck = 0
			}
			if killed {
				kills++
				killedIn[r.Status]++
			}
			if signed == nil && r.SignedTx != nil {
				signed = r.SignedTx
			}
			require.True(t, signed == nil || string(signed) == string(r.SignedTx), "refund %d: a second, different signed transaction", r.ID)
			if r.Status == core.RefundBroadcast && r.Confirmations == 0 {
				node.Generate(t, 3) // the asset's confirmations: the next run can confirm it
			}
		}
		require.Equal(t, core.StatusRefunded, rd.record(t, recs[i]).Status)
		require.NotContains(t, txids, r.TxID, "two refunds share a transaction")
		txids[r.TxID] = r.ID
		tx, err := d.w.Chain.Transaction(context.Background(), r.TxID)
		require.NoError(t, err)
		require.False(t, tx.InMempool(), "refund %d's transaction is mined", r.ID)
		entity := "refund"
		signs, err := d.svc.AuditTrail(d.admin, core.AuditFilter{Entity: &entity, EntityID: &r.RecordNo})
		require.NoError(t, err)
		n := 0
		for _, row := range signs {
			if row.Action == "refund.sign" {
				n++
			}
		}
		require.Equal(t, 1, n, "refund %d was signed once", r.ID)
	}
	t.Logf("%d refunds Refunded through %d driver runs, %d of them killed (left %v; kill window at the end %s), in %s", crashIterations,
		runs, kills, killedIn, window, time.Since(start).Round(time.Second))
	for _, st := range []core.RefundStatus{core.RefundApproved, core.RefundPrepared, core.RefundBroadcast} {
		require.Positive(t, killedIn[st], "kills landed while the refund was %s", st.Display())
	}
}

// runDriver starts a driver for refund id and SIGKILLs it after delay
// unless it finished; it reports whether it was killed.
func runDriver(t *testing.T, d *liveDesk, node *btcdtest.Node, id int64, delay time.Duration) bool {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), asRefundDriver+"=1", "DRIVER_DB="+d.path, "DRIVER_REFUND="+strconv.FormatInt(id, 10),
		"DRIVER_RPC="+node.RPCHost, "DRIVER_USER="+node.User, "DRIVER_PASS="+node.Pass)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		require.NoError(t, err, "driver: %s", out.String())
		return false
	case <-time.After(delay):
		if err := cmd.Process.Kill(); errors.Is(err, os.ErrProcessDone) { // SIGKILL: no deferred function, no flush
			return false
		}
		<-done
		return true
	}
}

// driveRefund takes the refund in DRIVER_REFUND one step at a time until
// it is Confirmed: prepare, execute, broadcast, then watcher passes.
func driveRefund() int {
	ctx := context.Background()
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "driver:", err); return 1 }
	id, _ := strconv.ParseInt(os.Getenv("DRIVER_REFUND"), 10, 64)
	st, err := sqlite.Open(ctx, os.Getenv("DRIVER_DB"))
	if err != nil {
		return fail(err)
	}
	chain, err := bitcoin.New(bitcoin.Config{Host: os.Getenv("DRIVER_RPC"), User: os.Getenv("DRIVER_USER"), Pass: os.Getenv("DRIVER_PASS"),
		Params: &chaincfg.RegressionNetParams})
	if err != nil {
		return fail(err)
	}
	svc := wire.NewService(st)
	svc.Nodes = oneNode{chain}
	// The operator is read, not logged in: a login claims its attempt
	// first, so a process killed in the middle of hundreds of them would
	// lock the operator out, as it should.
	name := "admin"
	ops, err := st.FindOperators(ctx, core.OperatorFilter{Name: &name})
	if err != nil || len(ops) != 1 {
		return fail(fmt.Errorf("operator admin: %v", err))
	}
	admin := core.NewContextWithOperator(ctx, ops[0])
	w := &watcher.Watcher{Network: core.Network{Chain: core.ChainBitcoin, Name: "regtest"}, Chain: chain, Store: st}
	for {
		r, err := svc.Refund(admin, id)
		if err != nil {
			return fail(err)
		}
		switch r.Status {
		case core.RefundApproved, core.RefundPrepared:
			if r.Status == core.RefundApproved {
				_, err = svc.PrepareRefund(admin, id)
			} else {
				_, err = svc.ExecuteRefund(admin, id)
			}
		case core.RefundSigned:
			_, err = svc.BroadcastRefund(admin, id)
		case core.RefundBroadcast:
			_, err = w.Step(ctx)
			if err == nil {
				return 0 // the test mines; the next run follows on
			}
		case core.RefundConfirmed:
			return 0
		default:
			return fail(fmt.Errorf("refund %d is %s", id, r.Status))
		}
		if err != nil {
			return fail(err)
		}
	}
}
