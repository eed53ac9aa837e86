package ui

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/wire"
	"depositdesk/storage"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

// otherDesk submits an application through a second store on the desk's
// database, as depositctl serve or another desk does.
func (b *bundle) otherDesk(t *testing.T, key string) *core.DepositRecord {
	t.Helper()
	ctx := context.Background()
	st, err := storage.Open(ctx, b.dsn)
	require.NoError(t, err)
	defer st.Close()
	svc := wire.NewService(st)
	op, err := svc.Login(ctx, "admin", adminPW)
	require.NoError(t, err)
	rec, _, err := svc.SubmitApplication(core.NewContextWithOperator(ctx, op), core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: key,
		CustomerNo: "C10002", SecuritiesAccount: "SA-C10002", AssetSymbol: "BTC", Network: "regtest", Amount: "0.5",
		SourceAddress: regtestAddress(t), DestinationAddress: regtestAddress(t)})
	require.NoError(t, err)
	return rec
}

// onTop waits until the page's first row is recordNo.
func onTop(t *testing.T, p *recordsPage, recordNo string) {
	t.Helper()
	require.Eventually(t, func() bool { return firstRowIs(p, recordNo) }, 10*time.Second, 10*time.Millisecond, "the new application reaches the open page by itself")
}

// firstRowIs says, between answers, whether the page's first row is
// recordNo.
func firstRowIs(p *recordsPage, recordNo string) (shown bool) {
	meanwhile(p.w.calls, func() { shown = len(p.records) > 0 && p.records[0].RecordNo == recordNo })
	return shown
}

// An application another process commits to the SQLite file shows on the
// open first page without Search: the desk looks at the file's version.
func TestANewApplicationShowsByItselfOnSQLite(t *testing.T) {
	b := setup(t)
	b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, p.records[1].RecordNo)
	selected := p.current().RecordNo
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go b.store.(*sqlite.Store).WatchChanges(ctx, 10*time.Millisecond, func() { b.ui.DepositsChanged("*") })

	rec := b.otherDesk(t, "from-serve")
	onTop(t, p, rec.RecordNo)
	b.settle(t)
	require.Len(t, p.records, 4)
	require.Equal(t, selected, p.current().RecordNo, "the selection stays on its record")
	require.Contains(t, p.found.Text, "4 records match · updated ")
}

// The same on a shared Postgres: another desk's commit is announced with
// NOTIFY and the listening desk shows it.
func TestANewApplicationShowsByItselfOnPostgres(t *testing.T) {
	url := pgtest.NewDatabase(t)
	st, err := postgres.Open(context.Background(), url)
	require.NoError(t, err)
	b := setupOn(t, st, url)
	b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go st.ListenDeposits(ctx, b.ui.DepositsChanged)
	// Notifications reach listeners only: wait until the desk listens.
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	require.Eventually(t, func() bool {
		var n int
		err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN %'`).Scan(&n)
		return err == nil && n == 1
	}, 10*time.Second, 10*time.Millisecond)

	rec := b.otherDesk(t, "from-another-desk")
	onTop(t, p, rec.RecordNo)
	b.settle(t)
	require.Len(t, p.records, 4)
}

// A flood of announcements reloads the page at most once per live gap,
// and the last change is never missed.
func TestLiveReloadsAreSpacedAndNoneIsLost(t *testing.T) {
	b := setup(t)
	b.withData(t, 2)
	p := b.loginAs(t, "admin", adminPW)
	p.live.gap = 300 * time.Millisecond
	started := time.Now()
	var last *core.DepositRecord
	for i := range 5 {
		last = b.otherDesk(t, fmt.Sprint("burst", i))
		b.ui.DepositsChanged(last.RecordNo)
	}
	b.settle(t)
	require.Equal(t, last.RecordNo, p.records[0].RecordNo)
	require.Len(t, p.records, 7)
	require.GreaterOrEqual(t, time.Since(started), p.live.gap, "the burst waited for the gap once")
}

// A bad filter is refused without touching the page or the pager, and the
// line above the table says the rows are the previous search's.
func TestABadDateLeavesThePageAndThePagerAsTheyWere(t *testing.T) {
	b := setup(t)
	b.withData(t, 60)
	p := b.loginAs(t, "admin", adminPW)
	b.tap(t, p.nextBtn)
	require.Equal(t, "Page 2 · 50 per page · records 51–60", p.pageInfo.Text)
	p.typePause = time.Hour
	test.Type(p.from, "2026-13-45")
	p.from.OnSubmitted(p.from.Text)
	b.settle(t)
	require.Equal(t, "Created from must be a date like 2026-11-25.", p.message.Text)
	require.Equal(t, "Not searched: the rows below are the previous search's.", p.found.Text)
	require.Equal(t, "Page 2 · 50 per page · records 51–60", p.pageInfo.Text)
	require.Len(t, p.records, 10)
	b.tap(t, p.prevBtn)
	require.Equal(t, "Created from must be a date like 2026-11-25.", p.message.Text, "paging with a bad filter is refused too")
	require.Equal(t, "Page 2 · 50 per page · records 51–60", p.pageInfo.Text)
	p.from.SetText("")
	b.tap(t, p.prevBtn)
	require.Equal(t, "Page 1 · 50 per page · records 1–50", p.pageInfo.Text)
	require.Contains(t, p.found.Text, "60 records match · searched ")
}

// Choosing a status searches at once; the operator need not press Search.
func TestChoosingAStatusSearchesAtOnce(t *testing.T) {
	b := setup(t)
	b.withData(t, 6)
	p := b.loginAs(t, "admin", adminPW)
	b.choose(t, p.status, core.StatusCredited.Display())
	require.Len(t, p.records, 2)
	for _, r := range p.records {
		require.Equal(t, core.StatusCredited, r.Status)
	}
	require.Equal(t, "2 records match", strings.Split(p.found.Text, " · ")[0])
}

// Enter on the focused row, or a double click on a row, opens its Details.
func TestEnterOrADoubleClickOpensTheRow(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)

	p.selectRecord(t, recs[0].RecordNo)
	p.table.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	b.settle(t)
	require.NotNil(t, p.detail)
	require.Equal(t, recs[0].RecordNo, p.detail.recordNo)
	p.detail.win.Close()

	// The second row, a header and a row and a separator down.
	header := newHeaderCell().MinSize().Height
	row := newCell(nil).MinSize().Height + theme.SeparatorThicknessSize()
	test.DoubleTap(p.table) // on the header: nothing opens
	b.settle(t)
	require.Equal(t, recs[0].RecordNo, p.detail.recordNo)
	p.table.DoubleTapped(&fyne.PointEvent{Position: fyne.NewPos(20, header+theme.SeparatorThicknessSize()+row+row/2)})
	b.settle(t)
	require.Equal(t, p.records[1].RecordNo, p.detail.recordNo, "the row under the pointer")
	require.Equal(t, 1, p.selected)
	p.detail.win.Close()
}

// The action buttons keep their places whatever is selected.
func TestActionButtonsKeepTheirPlaces(t *testing.T) {
	b := setup(t)
	b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	before := p.cancelBtn.Position()
	p.selectRecord(t, p.records[2].RecordNo)
	b.settle(t)
	require.Equal(t, before, p.cancelBtn.Position())
}

// Operators type the start of a number, in any case, or the TXID as the
// table shows it; the count covers every page.
func TestFiltersMatchTheBeginningOfANumberOrTheShortenedTXID(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 60)
	p := b.loginAs(t, "admin", adminPW)
	search := func(e *widget.Entry, text string) {
		t.Helper()
		p.onResetFields()
		e.SetText(text)
		p.onSearchTapped()
		b.settle(t)
		require.Empty(t, p.message.Text)
	}
	search(p.customerNo, "c10001")
	require.Len(t, p.records, 30)
	for _, r := range p.records {
		require.Equal(t, "C10001", r.CustomerNo)
	}
	require.Equal(t, "30 records match", strings.Split(p.found.Text, " · ")[0])
	search(p.account, "sa-c1000")
	require.Len(t, p.records, 50, "a page of them")
	require.Equal(t, "60 records match", strings.Split(p.found.Text, " · ")[0], "the count covers every page")
	search(p.recordNo, recs[9].RecordNo[:len(recs[9].RecordNo)-1])
	require.Len(t, p.records, 10, "…0010 to …0019 share all but the last digit")
	shown := recordColumns[7].text(recs[41])
	require.Contains(t, shown, "…")
	search(p.txid, shown)
	require.Len(t, p.records, 1)
	require.Equal(t, recs[41].RecordNo, p.records[0].RecordNo, "the table's own shortened TXID finds its record")
	require.Equal(t, "1 record matches", strings.Split(p.found.Text, " · ")[0])

	p.onResetFields()
	p.txid.SetText("0000")
	p.onSearchTapped()
	b.settle(t)
	require.Equal(t, "Type at least 8 hexadecimal digits of the transaction hash.", p.message.Text)
	require.Equal(t, "Not searched: the rows below are the previous search's.", p.found.Text)
}

// Tapping the Request Time title sorts by request time (marked ▼), the
// Record No title by creation again; each searches from the first page.
func TestTappingAColumnTitleSortsByItsTime(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	// A request made an hour ago reaches the desk last.
	late, _, err := b.svc.SubmitApplication(b.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "late", CustomerNo: "C10001",
		SecuritiesAccount: "SA-C10001", AssetSymbol: "BTC", Network: "regtest", Amount: "0.3", RequestedAt: time.Now().Add(-time.Hour),
		SourceAddress: regtestAddress(t), DestinationAddress: regtestAddress(t)})
	require.NoError(t, err)
	p := b.loginAs(t, "admin", adminPW)
	require.Equal(t, late.RecordNo, p.records[0].RecordNo, "newest created first")
	require.Equal(t, "Request Time", p.columnTitle(8))
	require.Equal(t, "Record No ▼", p.columnTitle(0))
	p.onHeaderTapped(8)
	b.settle(t)
	require.Equal(t, "Request Time ▼", p.columnTitle(8))
	require.Equal(t, "Record No", p.columnTitle(0))
	require.Equal(t, recs[2].RecordNo, p.records[0].RecordNo, "newest requested first")
	require.Equal(t, late.RecordNo, p.records[3].RecordNo)
	p.onHeaderTapped(0)
	b.settle(t)
	require.Equal(t, late.RecordNo, p.records[0].RecordNo)
}
