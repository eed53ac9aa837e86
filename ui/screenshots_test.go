package ui

import (
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/ethereum/go-ethereum/common"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// screenshotsEnv names the folder TestScreenshots writes into; unset, the
// test is skipped. scripts/screenshots.sh (make screenshots) sets it.
const screenshotsEnv = "DEPOSITDESK_SCREENSHOTS"

// darkTheme is the default theme in its dark variant, as the desk shows
// under Xvfb where the other screenshots are taken.
type darkTheme struct{ fyne.Theme }

func (t darkTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, theme.VariantDark)
}

// TestScreenshots renders through Fyne's software painter at the window's
// 1280×800 the Home page with a month of deposits; the refund steps that
// need a node and a signing key (which the Xvfb run of the real app has
// neither of): Execute Refund with the prepared transaction's facts, and
// the customer's notice being recorded; and the desk's own pages whose
// look the Xvfb run cannot set up: Customer Wallet Address with a document
// awaiting approval and a label too long for its column, Prove ownership,
// Cancel's second confirmation, and a record's detail window (1100×700)
// with its confirmations past the required count and a refund whose
// adjusted amount is explained.
// make screenshots names the folder; otherwise they go to a temporary one
// and the test checks they are whole pictures of the window.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	t.Run("Refunds", func(t *testing.T) { refundScreenshots(t, dir) })
	t.Run("Desk", func(t *testing.T) { deskScreenshots(t, dir) })
}

// capture writes win's canvas, as it is size, to dir/name.png.
func capture(t *testing.T, win fyne.Window, size fyne.Size, dir, name string) {
	t.Helper()
	// The GL driver lays out again whatever grew before each frame (a
	// label given a longer text); the test driver does so on a resize.
	win.Resize(size.SubtractWidthHeight(1, 0))
	win.Resize(size)
	img := win.Canvas().Capture()
	require.Equal(t, image.Rect(0, 0, int(size.Width), int(size.Height)), img.Bounds(), "a whole window")
	f, err := os.Create(filepath.Join(dir, name+".png"))
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
}

func refundScreenshots(t *testing.T, dir string) {
	d := setupRefundDesk(t)
	test.ApplyTheme(t, darkTheme{theme.DefaultTheme()})
	shot := func(name string) {
		t.Helper()
		capture(t, d.ui.win, fyne.NewSize(1280, 800), dir, name)
	}
	d.seedMonth(t, time.Now())
	r := d.request(t)
	d.loginAs(t, "admin", adminPW)
	for _, n := range []core.Network{d.asset.Net(), {Chain: core.ChainEthereum, Name: "dev"}} {
		d.ui.WatcherPass(n, 1207, nil)
	}
	d.settle(t)
	shot("home")

	_, err := d.svc.ApproveRefund(d.operatorCtx(t, "sam"), r.ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)
	rp := d.refundsAs(t, "admin", adminPW)
	d.ui.WatcherPass(d.asset.Net(), 1207, nil)
	rp.table.Select(widget.TableCellID{Row: 0})
	d.tap(t, rp.executeBtn)
	d.settle(t)
	shot("refund-execute")

	d.tap(t, rp.execute.confirm)
	d.tap(t, rp.execute.again)
	d.tap(t, rp.broadcastBtn)
	signed := rp.refunds[0]
	d.watcherMoves(t, signed, 3)
	require.Equal(t, core.RefundConfirmed, rp.refunds[0].Status)
	d.tap(t, rp.notifyBtn)
	rp.notify.channel.SetSelected("Email")
	test.Type(rp.notify.note, "Sent the transaction ID to the customer's registered email; customer confirmed receipt by phone.")
	shot("refund-notice")

	// Deposit Application: applications from a client system and one a
	// branch entered, the client's selected with every field as received.
	d.tap(t, rp.notify.save)
	crm, _, err := d.svc.CreateAPIClient(d.admin, "crm", []core.Scope{core.ScopeIntake})
	require.NoError(t, err)
	intake := core.NewContextWithClient(context.Background(), crm)
	for i, amount := range []string{"0.0125", "0.3"} {
		_, _, err := d.svc.SubmitApplication(intake, core.DepositApplication{ClientRequestKey: fmt.Sprintf("crm-2026-12-02-%04d", 17+i),
			CustomerNo: "C10002", SecuritiesAccount: "SA-C10002", AssetSymbol: "BTC", Network: "regtest", Amount: amount,
			SourceAddress: regtestAddress(t), TxID: fmt.Sprintf("%064x", 0x5eed0+i)})
		require.NoError(t, err)
	}
	_, _, err = d.svc.SubmitApplication(d.admin, core.DepositApplication{ClientRequestKey: "desk-5b1f0c9e27d4a813", Channel: core.ChannelBranch,
		Remarks: "Customer came to the Central branch with the transfer receipt", CustomerNo: "C10001", SecuritiesAccount: "SA-C10001",
		AssetSymbol: "BTC", Network: "regtest", Amount: "0.05", SourceAddress: regtestAddress(t)})
	require.NoError(t, err)
	d.tap(t, d.ui.nav[pageApps])
	ap := d.ui.apps
	selectRow(t, &ap.table.Table, ap.records, "the client's application", func(r *core.DepositRecord) bool { return r.SentRequestKey() == "crm-2026-12-02-0018" })
	shot("applications")
}

// TestStationScreenshot renders the signing station's window (depositdesk
// --station) at its 900×650 with the desk's prepared refund open: the
// file's facts and the station's checks, before Sign.
func TestStationScreenshot(t *testing.T) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	s := setupStation(t, stationLimits)
	test.ApplyTheme(t, darkTheme{theme.DefaultTheme()})
	s.station.limitsPath = "/home/station/.config/depositdesk/station.toml" // as on a station, not the test's temporary folder
	s.station.win.SetContent(s.station.build())
	s.station.limitsPath = s.writeLimits(t, stationLimits)
	s.open(t, s.exported)
	s.station.fileName.SetText("/media/usb/refund-1.json")
	require.False(t, s.station.signBtn.Disabled())
	win := s.station.win
	win.Resize(fyne.NewSize(899, 650))
	win.Resize(fyne.NewSize(900, 650))
	img := win.Canvas().Capture()
	require.Equal(t, image.Rect(0, 0, 900, 650), img.Bounds(), "a whole window")
	f, err := os.Create(filepath.Join(dir, "station.png"))
	require.NoError(t, err)
	require.NoError(t, png.Encode(f, img))
	require.NoError(t, f.Close())
}

func deskScreenshots(t *testing.T, dir string) {
	b := setup(t)
	recs := b.withData(t, 6)
	test.ApplyTheme(t, darkTheme{theme.DefaultTheme()})
	require.NoError(t, b.svc.SetFirmName(b.admin, "Example Securities Co., Ltd."))
	checker := core.NewContextWithOperator(context.Background(), b.checker(t, "checker", "checker-password-1", core.PermAddressVerification))
	size := fyne.NewSize(1280, 800)

	add := func(customerNo, chain, network, address, label string) *core.WalletAddress {
		w, err := b.svc.AddWalletAddress(b.admin, customerNo, chain, network, address, label)
		require.NoError(t, err)
		return w
	}
	document := func(w *core.WalletAddress, evidence string, approve bool) {
		_, err := b.svc.SubmitManualEvidence(b.admin, w.ID, evidence)
		require.NoError(t, err)
		if approve {
			_, err = b.svc.ApproveManualEvidence(checker, w.ID)
			require.NoError(t, err)
		}
	}
	hot := add("C10001", core.ChainEthereum, "mainnet", "0xd41c057fd1c78805AAC12B0A94a405c0461A6FBb", "hot wallet")
	document(hot, "Signed letter ref 2026-118, customer's wet signature checked against the account opening form", false)
	long := add("C10001", core.ChainBitcoin, "mainnet", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
		"hardware wallet (Ledger Nano X) kept in the branch safe, recovery card with compliance")
	document(add("C10002", core.ChainEthereum, "mainnet", common.HexToAddress("0x9e5b2c7a4e3f1d8b6a0c5e7d9f1a3b5c7d9ea150").Hex(), "cold wallet"),
		"Bank statement ref ST-5531 naming the wallet", true)

	// A credited record the watcher has followed past its confirmations,
	// with a refund of less than was deposited, the reason given.
	credited, _, err := b.svc.SubmitApplication(b.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "shot-1", CustomerNo: "C10001",
		SecuritiesAccount: "SA-C10001", AssetSymbol: "BTC", Network: "regtest", Amount: "0.015", SourceAddress: regtestAddress(t),
		DestinationAddress: regtestAddress(t), TxID: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"})
	require.NoError(t, err)
	block := "000000000000000000021b2c7f7e3a9d64e0e0bbf1c3b6c6d2b0f1c9e8a7d6c5"
	for _, m := range []struct {
		to      core.DepositStatus
		action  string
		seen    int
		remarks string
	}{
		{core.StatusConfirming, "deposit.confirming", 1, "Transaction pays 0.015 BTC to the deposit address from verified address " +
			credited.SourceAddress + ". Block 810 (" + block[:12] + "…), output 0."},
		{core.StatusCredited, "deposit.credit", 3, "3 of 3 confirmations: block 810 (" + block + ") is on the canonical chain, tip 812."},
	} {
		credited, err = b.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: credited.ID, From: credited.Status,
			To: m.to, Chain: &core.ChainState{Confirmations: m.seen, BlockHeight: 810, BlockHash: block},
			Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: m.action, Entity: "deposit", EntityID: credited.RecordNo,
				Before: string(credited.Status), After: string(m.to), Remarks: m.remarks}})
		require.NoError(t, err)
	}
	require.NoError(t, b.store.UpdateDepositChain(context.Background(), credited.ID, core.StatusCredited,
		core.ChainState{Confirmations: 964, BlockHeight: 810, BlockHash: block}))
	src, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &credited.SourceAddress})
	require.NoError(t, err)
	document(src[0], "Video call with the customer, ticket 4471; screen-shared wallet showing the address", true)
	_, err = b.svc.RequestRefund(b.admin, credited.RecordNo, core.RefundRequest{AddressID: src[0].ID, Amount: "0.0145",
		Reason: "The customer sent 0.0005 BTC more than the order; they asked on the phone (ticket 4471) to keep 0.0005 BTC " +
			"as the next month's custody fee and to have the rest returned.",
		IdentityCheck: "video call, ticket 4471"})
	require.NoError(t, err)

	p := b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAddresses])
	a := b.ui.addresses
	a.status.SetSelected(allOption)
	b.tap(t, a.searchBtn)
	capture(t, b.ui.win, size, dir, "addresses-sizing") // lays the table out at the window's width
	fitColumns(a.table, addressColumns, a.addresses)
	a.selectAddress(t, hot.Address)
	for _, c := range cellsOf(t, a.table, long.Label) {
		c.MouseIn(nil)
	}
	capture(t, b.ui.win, size, dir, "addresses")
	require.NoError(t, os.Remove(filepath.Join(dir, "addresses-sizing.png")))
	for _, c := range cellsOf(t, a.table, long.Label) {
		c.MouseOut()
	}

	a.selectAddress(t, long.Address)
	b.tap(t, a.proveBtn)
	b.tap(t, a.proof.issueBtn)
	capture(t, b.ui.win, size, dir, "proof")
	b.tap(t, a.proof.closeBtn)

	b.tap(t, b.ui.nav[pageRecords])
	p.selectRecord(t, recs[1].RecordNo)
	b.tap(t, p.cancelBtn)
	test.Type(p.remarks.remarks, "Duplicate user request: the customer submitted the same deposit twice (ticket 4470).")
	b.tap(t, p.remarks.confirm)
	capture(t, b.ui.win, size, dir, "cancel")
	b.tap(t, p.remarks.again)

	p.selectRecord(t, credited.RecordNo)
	b.tap(t, p.detailsBtn)
	capture(t, p.detail.win, fyne.NewSize(1100, 700), dir, "detail")
	p.detail.trailScroll.ScrollToBottom() // the newest entries, the refund's reason whole
	capture(t, p.detail.win, fyne.NewSize(1100, 700), dir, "detail")
	p.detail.win.Close()
}
