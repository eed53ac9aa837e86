package ui

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/nodes"
	"depositdesk/internal/silentnode"
)

// A cancel of a record with a TXID asks the network's node whether the
// desk can check the chain, before remarks are asked. A node that never
// answers used to freeze the window; now the window stays free, Cancel
// waits, and the operator reads the node's own timeout, with no remarks
// written in vain.
func TestCancelAskingASilentNodeLeavesTheWindowFree(t *testing.T) {
	node := silentnode.Start(t)
	t.Setenv("DEPOSITDESK_TEST_NODE_PASSWORD", "rpc-password") // the node set reads it when opening the node
	b := setup(t)
	recs := b.withData(t, 2)
	target := recs[1] // Wallet Address Under Verification, with a TXID
	require.NotEmpty(t, target.TxID)
	b.svc.Nodes = nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{{Chain: "bitcoin", Network: "regtest",
		URL: node.URL, User: "u", PasswordEnv: "DEPOSITDESK_TEST_NODE_PASSWORD", Timeout: "500ms"}}},
		nodes.OpenAdapter)

	p := b.loginAs(t, "admin", adminPW)
	p.typePause = time.Hour // typing below is the operator's, not a search
	selectRow(t, &p.table.Table, p.records, target.RecordNo, func(d *core.DepositRecord) bool { return d.RecordNo == target.RecordNo })
	// no settle: core asks the node whether Cancel can be checked, and the
	// node holds the call

	select {
	case <-node.Contacted:
	case <-time.After(5 * time.Second):
		t.Fatal("the desk never asked the node")
	}
	// The node was asked and has not answered, yet the selection has
	// returned: the call runs off the Fyne thread, Cancel waiting for it.
	b.meanwhile(func() {
		require.True(t, p.cancelBtn.Disabled(), "Cancel waits for core's word")
		require.Nil(t, p.remarks)
		test.Type(p.customerNo, "C10002")
		require.Equal(t, "C10002", p.customerNo.Text, "the window takes input meanwhile")
		p.typing.stop(p.w)
	})

	b.settle(t)
	require.Contains(t, p.guard.line.Text, "did not answer in 500ms", "the operator reads the node's timeout")
	require.Contains(t, p.guard.line.Text, "The desk cannot check that transaction "+target.TxID)
	require.True(t, p.cancelBtn.Disabled(), "a cancel the desk cannot check is not offered")
	require.Nil(t, p.remarks, "no remarks asked for a cancel the desk would refuse")
	require.Equal(t, core.StatusVerifying, mustStatus(t, b, target.RecordNo), "nothing is cancelled unchecked")
}

// stallingStore is a database whose audit reads wait until released.
type stallingStore struct {
	core.Store
	release chan struct{}
	reads   atomic.Int32 // audit reads begun
}

func (s *stallingStore) FindAudit(ctx context.Context, f core.AuditFilter) ([]*core.AuditEntry, error) {
	s.reads.Add(1)
	select {
	case <-s.release:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	return s.Store.FindAudit(ctx, f)
}

// An open detail window re-reads its record when a change is announced,
// and on Refresh; with a database slow to answer neither holds up the
// window, and announcements do not pile up reads.
func TestDetailRefreshWaitsForTheDatabaseOffTheFyneThread(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 1)
	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, recs[0].RecordNo)
	b.tap(t, p.detailsBtn)
	v := p.detail
	defer v.win.Close()
	require.Equal(t, "Credited", v.values["Status"].Text)

	st := &stallingStore{Store: b.store, release: make(chan struct{})}
	b.svc.Store = st
	v.live.gap = time.Hour
	v.load() // a change announced, as DepositsChanged does on the Fyne thread
	require.Eventually(t, func() bool { return st.reads.Load() == 1 }, 5*time.Second, time.Millisecond)
	require.True(t, v.reads.busy(), "the read waits for the database")
	v.load()
	v.load()
	b.ui.calls.mu.Lock()
	pending := b.ui.calls.pending
	b.ui.calls.mu.Unlock()
	require.Equal(t, 2, pending, "the read in flight, and one reload after the gap for every announcement since")
	v.live.later.stop(v.w) // the hour is not waited for

	test.Tap(v.refreshBtn)
	require.Eventually(t, func() bool { return st.reads.Load() == 2 }, 5*time.Second, time.Millisecond)
	require.True(t, v.refreshBtn.Disabled(), "Refresh waits for its read")
	require.Equal(t, working, v.message.Text)
	require.Equal(t, "Credited", v.values["Status"].Text)

	close(st.release)
	b.settle(t)
	require.Contains(t, v.message.Text, "Updated")
	require.False(t, v.refreshBtn.Disabled())
	require.Equal(t, "Credited", v.values["Status"].Text)
}
