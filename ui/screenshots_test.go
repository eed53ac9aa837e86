package ui

import (
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

// TestScreenshots renders the Home page with a month of deposits, and the refund steps that need a node and a signing
// key (which the Xvfb run of the real app has neither of) through Fyne's
// software painter at the window's 1280×800: Execute Refund with the
// prepared transaction's facts, and the customer's notice being recorded.
// make screenshots names the folder; otherwise they go to a temporary one
// and the test checks they are whole pictures of the window.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	d := setupRefundDesk(t)
	test.ApplyTheme(t, darkTheme{theme.DefaultTheme()})
	shot := func(name string) {
		t.Helper()
		// The GL driver lays out again whatever grew before each frame
		// (a label given a longer text); the test driver does so on a resize.
		d.ui.win.Resize(fyne.NewSize(1279, 800))
		d.ui.win.Resize(fyne.NewSize(1280, 800))
		f, err := os.Create(filepath.Join(dir, name+".png"))
		require.NoError(t, err)
		img := d.ui.win.Canvas().Capture()
		require.Equal(t, image.Rect(0, 0, 1280, 800), img.Bounds(), "a whole window")
		require.NoError(t, png.Encode(f, img))
		require.NoError(t, f.Close())
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
