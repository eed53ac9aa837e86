package ui

import (
	"context"
	"fmt"
	"image"
	"math/big"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// homeNow is the fixed clock of the Home page's tests, so that its charts'
// days and its times are the same at every run.
var homeNow = time.Date(2026, 12, 2, 9, 30, 0, 0, time.UTC)

// atHomeNow sets the desk's and the Service's clocks to homeNow.
func (b *bundle) atHomeNow() {
	b.svc.Now = func() time.Time { return homeNow }
	b.ui.now = func() time.Time { return homeNow }
}

// queueTexts are the Home page's queues as their buttons say them.
func queueTexts(h *homePage) map[core.Queue]string {
	out := map[core.Queue]string{}
	for q, b := range h.queues {
		out[q] = b.Text
	}
	return out
}

// held puts rec in Held for Review as the watcher would.
func (b *bundle) held(t *testing.T, rec *core.DepositRecord) {
	t.Helper()
	_, err := b.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: core.StatusHeld,
		Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "deposit.held", Entity: "deposit"}})
	require.NoError(t, err)
}

func TestHomeIsTheFirstPageAndShowsTheQueuesThePermissionsAllow(t *testing.T) {
	d := setupRefundDesk(t)
	recs := d.withMore(t)
	d.held(t, recs[1])
	d.request(t)
	d.checker(t, "viewer", "viewer-password-1", core.PermDepositRecords)

	d.loginAs(t, "admin", adminPW)
	require.True(t, d.ui.pages[pageHome].Visible(), "Home comes first after login")
	require.Equal(t, pageHome, d.ui.titles[0])
	require.Equal(t, map[core.Queue]string{
		core.QueueAddressesPending:  "4 addresses pending verification",
		core.QueueEvidence:          "0 documents awaiting a second operator",
		core.QueueHeld:              "1 record Held for Review",
		core.QueueRefundsRequested:  "1 refund awaiting approval",
		core.QueueRefundsApproved:   "0 approved refunds awaiting execution",
		core.QueueRefundsUnnotified: "0 refunds confirmed, customer not notified",
	}, queueTexts(d.ui.home))

	d.ui.showLogin("")
	d.loginAs(t, "viewer", "viewer-password-1")
	require.Equal(t, map[core.Queue]string{core.QueueHeld: "1 record Held for Review"}, queueTexts(d.ui.home),
		"Deposit Records alone: the deposit queue only")
	require.True(t, d.ui.home.charts.Visible())

	d.ui.showLogin("")
	d.loginAs(t, "sam", "sam-password-01")
	require.Equal(t, map[core.Queue]string{core.QueueRefundsRequested: "1 refund awaiting approval"}, queueTexts(d.ui.home))
	require.False(t, d.ui.home.charts.Visible(), "Refund Approval alone does not view deposit records")
}

// withMore submits two more applications (under verification, their
// source addresses Pending) and returns them.
func (d *refundDesk) withMore(t *testing.T) []*core.DepositRecord {
	t.Helper()
	var out []*core.DepositRecord
	for i := range 2 {
		rec, _, err := d.svc.SubmitApplication(d.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: fmt.Sprint("more", i), CustomerNo: "C10002",
			SecuritiesAccount: "SA-C10002", AssetSymbol: "BTC", Network: "regtest", Amount: "0.5", SourceAddress: regtestAddress(t),
			TxID: fmt.Sprintf("%064x", 500+i)})
		require.NoError(t, err)
		out = append(out, rec)
	}
	return out
}

func TestHomeQueueOpensItsFilteredList(t *testing.T) {
	d := setupRefundDesk(t)
	recs := d.withMore(t)
	d.held(t, recs[0])
	d.request(t)
	d.loginAs(t, "admin", adminPW)
	h := d.ui.home

	d.tap(t, h.queues[core.QueueHeld])
	require.True(t, d.ui.pages[pageRecords].Visible())
	require.False(t, d.ui.pages[pageHome].Visible())
	require.Equal(t, core.StatusHeld.Display(), d.ui.records.status.Selected)
	require.Len(t, d.ui.records.records, 1)
	require.Equal(t, recs[0].RecordNo, d.ui.records.records[0].RecordNo)

	d.tap(t, d.ui.nav[pageHome])
	d.tap(t, h.queues[core.QueueRefundsRequested])
	require.True(t, d.ui.pages[pageRefunds].Visible())
	require.Equal(t, core.RefundRequested.Display(), d.ui.refunds.status.Selected)
	require.Len(t, d.ui.refunds.refunds, 1)

	d.tap(t, d.ui.nav[pageHome])
	d.tap(t, h.queues[core.QueueAddressesPending])
	require.True(t, d.ui.pages[pageAddresses].Visible())
	require.Equal(t, core.AddressPending.Display(), d.ui.addresses.status.Selected)
	for _, w := range d.ui.addresses.addresses {
		require.Equal(t, core.AddressPending, w.Status)
	}
	require.Len(t, d.ui.addresses.addresses, 4)

	// A document waiting for a second operator: its queue lists its address alone.
	_, err := d.svc.SubmitManualEvidence(d.admin, d.ui.addresses.addresses[0].ID, "utility bill DOC-88")
	require.NoError(t, err)
	d.tap(t, d.ui.nav[pageHome])
	require.Equal(t, "1 document awaiting a second operator", h.queues[core.QueueEvidence].Text)
	d.tap(t, h.queues[core.QueueEvidence])
	require.Equal(t, awaitingOption, d.ui.addresses.status.Selected)
	require.Len(t, d.ui.addresses.addresses, 1)
	require.Equal(t, "utility bill DOC-88", mustEvidence(t, d.bundle, d.ui.addresses.addresses[0].ID))
}

func mustEvidence(t *testing.T, b *bundle, addressID int64) string {
	t.Helper()
	mv, err := b.svc.PendingManualEvidence(b.admin, addressID)
	require.NoError(t, err)
	return mv.Evidence
}

// seedMonth stores records over the 30 days up to now on BTC and an ETH
// asset, in every status the charts tell apart.
func (b *bundle) seedMonth(t *testing.T, now time.Time) {
	t.Helper()
	eth := &core.Asset{Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1), ConfirmationsRequired: 12, Enabled: true}
	require.NoError(t, b.svc.CreateAsset(b.admin, eth))
	btcs, err := b.svc.ListAssets(b.admin, core.AssetFilter{Symbol: ptrTo("BTC")})
	require.NoError(t, err)
	customers, err := b.svc.FindCustomers(b.admin, core.CustomerFilter{})
	require.NoError(t, err)
	statuses := []core.DepositStatus{core.StatusCredited, core.StatusCredited, core.StatusCredited, core.StatusCredited, core.StatusVerifying,
		core.StatusConfirming, core.StatusCancelled, core.StatusCredited, core.StatusHeld, core.StatusCredited, core.StatusRejected}
	var recs []*core.DepositRecord
	n := 0
	for day := 29; day >= 0; day-- {
		for i := range 3 + (day*7)%9 {
			n++
			a, c := btcs[0], customers[n%len(customers)]
			amount := big.NewInt(int64(n%13+1) * 2_500_000) // 0.025 BTC steps
			if n%3 == 0 {
				a = eth
				amount = new(big.Int).Mul(big.NewInt(int64(n%7+1)), big.NewInt(250_000_000_000_000_000)) // 0.25 ETH steps
			}
			created := now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -day).Add(time.Duration(i*37+60) * time.Minute)
			if created.After(now) {
				continue
			}
			recs = append(recs, &core.DepositRecord{RecordNo: core.FormatRecordNo(created, int64(900+i)), CustomerID: c.ID,
				CustomerNo: c.CustomerNo, SecuritiesAccount: c.SecuritiesAccount, AssetID: a.ID, Network: a.Network, Amount: amount,
				SourceAddress: regtestAddress(t), DestinationAddress: regtestAddress(t), TxID: fmt.Sprintf("%064x", 10_000+n),
				RequestedAt: created, CreatedAt: created, UpdatedAt: created, Status: statuses[n%len(statuses)],
				ConfirmationsRequired: a.ConfirmationsRequired})
		}
	}
	got, err := b.store.BulkInsertDeposits(context.Background(), func(yield func(*core.DepositRecord) bool) {
		for _, r := range recs {
			if !yield(r) {
				return
			}
		}
	}, storetest.SeedAudit(now))
	require.NoError(t, err)
	require.Equal(t, len(recs), got)
}

// varied tells whether img has more than one colour: a drawn chart, not an
// empty rectangle.
func varied(img image.Image) bool {
	if img == nil || img.Bounds().Empty() {
		return false
	}
	first := img.At(img.Bounds().Min.X, img.Bounds().Min.Y)
	for y := img.Bounds().Min.Y; y < img.Bounds().Max.Y; y += 3 {
		for x := img.Bounds().Min.X; x < img.Bounds().Max.X; x += 3 {
			if img.At(x, y) != first {
				return true
			}
		}
	}
	return false
}

func TestHomeChartsDrawTheLastThirtyDays(t *testing.T) {
	b := setup(t)
	b.atHomeNow()
	b.withData(t, 0)
	b.loginAs(t, "admin", adminPW)
	h := b.ui.home
	require.Equal(t, "No deposits in the last 30 days (2026-11-03 to 2026-12-02 UTC).", h.chartNote.Text)
	require.False(t, h.perDay.Visible())

	b.seedMonth(t, homeNow)
	b.tap(t, h.refreshBtn)
	require.Contains(t, h.chartNote.Text, "records created from 2026-11-03 to 2026-12-02")
	require.True(t, h.perDay.Visible())
	for name, img := range map[string]image.Image{"per day": h.drawn.perDay, "status mix": h.drawn.mix} {
		require.True(t, varied(img), name)
	}
	require.Equal(t, []string{"BTC", "ETH"}, h.drawn.symbols)
	require.Len(t, h.credited.Objects, 2)
	for _, img := range h.drawn.credited {
		require.True(t, varied(img))
	}
	require.Equal(t, perDaySize, h.drawn.perDay.Bounds().Size())
}

func TestHomeRefreshesOnChangesAtMostOnceASecond(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	b.loginAs(t, "admin", adminPW)
	h := b.ui.home
	require.Equal(t, "0 records Held for Review", h.queues[core.QueueHeld].Text)

	b.held(t, recs[1])
	chartsAt := h.chartsAt
	b.ui.DepositsChanged("*")
	b.settle(t)
	require.Equal(t, "0 records Held for Review", h.queues[core.QueueHeld].Text, "within a second of the last refresh it waits")
	require.Eventually(t, func() bool {
		b.settle(t)
		var text string
		b.meanwhile(func() { text = h.queues[core.QueueHeld].Text })
		return text == "1 record Held for Review"
	}, 5*time.Second, 50*time.Millisecond)
	b.meanwhile(func() { require.Equal(t, chartsAt, h.chartsAt, "the charts wait homeChartsGap") })

	// Hidden, it refreshes when shown again.
	b.tap(t, b.ui.nav[pageRecords])
	b.held(t, recs[2])
	h.last = time.Time{}
	b.ui.DepositsChanged("*")
	b.settle(t)
	require.Equal(t, "1 record Held for Review", h.queues[core.QueueHeld].Text)
	require.True(t, h.stale)
	b.tap(t, b.ui.nav[pageHome])
	require.Equal(t, "2 records Held for Review", h.queues[core.QueueHeld].Text)
}

func TestHomeShowsEachNetworksWatcher(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	clock := homeNow
	b.ui.now = func() time.Time { return clock }
	b.loginAs(t, "admin", adminPW)
	btc := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	eth := core.Network{Chain: core.ChainEthereum, Name: "dev"}
	b.ui.WatcherPass(btc, 1207, nil)
	b.ui.WatcherPass(eth, 88, nil)
	clock = clock.Add(95 * time.Second)
	b.ui.WatcherPass(eth, 0, core.Errorf(core.ECONFLICT, "Node eth-dev did not answer in 5s."))
	b.settle(t)
	require.Equal(t, "bitcoin/regtest: block 1207 at 09:30:00 UTC, lag 1 min.\n"+
		"ethereum/dev: Node eth-dev did not answer in 5s. Last good pass 1 min ago (block 88).", b.ui.home.nodes.Text)

	// No report for three minutes: the page's tick writes the lag again.
	clock = clock.Add(3 * time.Minute)
	b.meanwhile(func() { b.ui.home.showPasses(b.ui.home.passes) })
	require.Contains(t, b.ui.home.nodes.Text, "bitcoin/regtest: block 1207 at 09:30:00 UTC, lag 4 min.")
}

func TestHomeMarkup(t *testing.T) {
	b := setup(t)
	b.atHomeNow()
	recs := b.withData(t, 4)
	b.held(t, recs[1])
	b.seedMonth(t, homeNow)
	b.loginAs(t, "admin", adminPW)
	b.ui.WatcherPass(core.Network{Chain: core.ChainBitcoin, Name: "regtest"}, 1207, nil)
	b.settle(t)
	b.ui.win.Resize(fyne.NewSize(1280, 800))
	test.AssertRendersToMarkup(t, "home/admin.xml", b.ui.win.Canvas())
}
