package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// The watcher (or another desk) moves a record behind the desk's back; the
// notification alone brings the page and the open detail window up to date.
func TestChangesElsewhereShowWithoutAReload(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	p := b.loginAs(t, "admin", adminPW)
	rec := recs[1] // under verification
	p.selectRecord(t, rec.RecordNo)
	b.tap(t, p.detailsBtn)
	v := p.detail
	defer v.win.Close()
	require.Equal(t, "Wallet Address Under Verification", v.values["Status"].Text)

	st := core.ChainState{Confirmations: 1, BlockHash: "00000000000000000001", BlockHeight: 700}
	_, err := b.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: core.StatusVerifying,
		To: core.StatusConfirming, Chain: &st, Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "deposit.confirming", Entity: "deposit"}})
	require.NoError(t, err)
	b.ui.DepositsChanged(rec.RecordNo)
	b.settle(t)
	require.Equal(t, "Confirming", v.values["Status"].Text)
	require.Equal(t, 1, v.progress.seen)
	onPage := false
	for _, r := range p.records {
		if r.RecordNo == rec.RecordNo {
			onPage = r.Status == core.StatusConfirming
		}
	}
	require.True(t, onPage, "the page shows the record Confirming")
}

func TestStatusLineShowsTheWatchers(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	b.loginAs(t, "admin", adminPW)
	require.Contains(t, b.ui.chains.Text, "none configured")
	regtest, dev := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}, core.Network{Chain: core.ChainEthereum, Name: "dev"}
	b.ui.NodesChecking([]core.Network{regtest, dev})
	require.Eventually(t, func() bool {
		return b.ui.chains.Text == "Blockchain nodes: checking bitcoin/regtest, ethereum/dev…"
	}, 5*time.Second, 10*time.Millisecond)
	b.ui.WatcherPass(regtest, 540, nil)
	b.ui.WatcherPass(dev, 12, nil)
	require.Eventually(t, func() bool {
		return b.ui.chains.Text == "Blockchain nodes: bitcoin/regtest block 540 · ethereum/dev block 12"
	}, 5*time.Second, 10*time.Millisecond)
	b.ui.WatcherPass(dev, 0, context.DeadlineExceeded)
	require.Eventually(t, func() bool { return strings.Contains(b.ui.chains.Text, "ethereum/dev: node not answering") }, 5*time.Second, 10*time.Millisecond)
	b.ui.WatcherPass(dev, 0, fmt.Errorf("head: %w", core.Errorf(core.ECONFLICT, "Node geth did not answer in 5s.")))
	require.Eventually(t, func() bool {
		return strings.Contains(b.ui.chains.Text, "ethereum/dev: Node geth did not answer in 5s.")
	}, 5*time.Second, 10*time.Millisecond)
}

// Blocks arrive every few seconds; the operator's selection must survive
// every refresh they cause, and the page keeps the filter it was searched
// with until the operator's typing pauses.
func TestRefreshKeepsTheSelectionAndTheSearchedFilter(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	rec := recs[1]
	p.selectRecord(t, rec.RecordNo)
	require.False(t, p.detailsBtn.Disabled())
	b.ui.DepositsChanged("*")
	b.settle(t)
	require.NotNil(t, p.current())
	require.Equal(t, rec.RecordNo, p.current().RecordNo)
	require.False(t, p.detailsBtn.Disabled(), "the operator can still act on the selected record")

	p.typePause = time.Hour // the operator is still typing
	test.Type(p.customerNo, "C99999")
	require.Equal(t, "Filters changed: searching when you pause typing…", p.found.Text, "the old rows are not passed off as the new filter's")
	b.ui.DepositsChanged("*")
	require.Eventually(t, func() bool { return strings.Contains(p.found.Text, "updated") }, 5*time.Second, 10*time.Millisecond)
	require.Len(t, p.records, 3, "a refresh meanwhile keeps the filter the page was searched with")
	require.Equal(t, rec.RecordNo, p.current().RecordNo)
	p.typing.stop(p.w)
	p.typePause = 10 * time.Millisecond
	test.Type(p.customerNo, " ")
	b.settle(t)
	require.Empty(t, p.records, "the pause searched the typed filter")
	require.Equal(t, "No records match", p.pageInfo.Text)
	require.Contains(t, p.found.Text, "No records match · searched ")
}

func TestStatusLineSaysWhyNoNodeIsUsed(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	b.loginAs(t, "admin", adminPW)
	b.ui.NodesUnusable("nodes.toml: unknown setting password")
	require.Eventually(t, func() bool {
		return b.ui.chains.Text == "Blockchain nodes not used: nodes.toml: unknown setting password"
	},
		5*time.Second, 10*time.Millisecond)
}
