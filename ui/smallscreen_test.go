package ui

import (
	"os"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"github.com/stretchr/testify/require"
)

// At 1024 × 768 every control of the header and the records page is on
// screen: the header and the rows of buttons wrap instead of running off.
func TestTheDeskFitsA1024By768Screen(t *testing.T) {
	b := setup(t)
	b.withData(t, 60)
	p := b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageRecords])
	test.ApplyTheme(t, darkTheme{theme.DefaultTheme()})
	size := fyne.NewSize(1024, 768)
	b.ui.win.Resize(fyne.NewSize(1023, 768))
	b.ui.win.Resize(size)
	b.settle(t)
	onScreen := func(name string, o fyne.CanvasObject) {
		t.Helper()
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
		require.True(t, o.Visible(), name)
		require.LessOrEqual(t, pos.X+o.Size().Width, size.Width, "%s ends at %v", name, pos.X+o.Size().Width)
		require.LessOrEqual(t, pos.Y+o.Size().Height, size.Height, "%s ends at %v", name, pos.Y+o.Size().Height)
		require.Positive(t, o.Size().Width, name)
	}
	for title, btn := range b.ui.nav {
		onScreen(title, btn)
	}
	onScreen("Log out", b.ui.logout)
	onScreen("Change password", b.ui.account)
	for name, o := range map[string]fyne.CanvasObject{"Search": p.searchBtn, "Reset": p.resetBtn, "Details": p.detailsBtn,
		"Cancel": p.cancelBtn, "Delete": p.deleteBtn, "Previous": p.prevBtn, "Next": p.nextBtn, "pager": p.pageInfo,
		"Created to": p.to, "Status": p.status} {
		onScreen(name, o)
	}
	require.Greater(t, p.table.Size().Height, float32(200), "the table keeps room for rows")
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		dir = t.TempDir()
	}
	capture(t, b.ui.win, size, dir, "records-1024")
	b.tap(t, b.ui.nav[pageHome])
	for _, btn := range b.ui.home.queues {
		onScreen("a work queue", btn)
	}
	capture(t, b.ui.win, size, dir, "home-1024")
}
