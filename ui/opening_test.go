package ui

import (
	"errors"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// The window shows at once and says what it opens; past openingPatience
// it says what it may be waiting for, and Quit is there all along.
func TestOpeningSaysWhatItWaitsFor(t *testing.T) {
	o := newOpening(test.NewTempApp(t), "postgres://desk:xxxxx@db.example/deposits", time.Hour)
	require.Equal(t, "Deposit Desk · Opening the database", o.win.Title())
	require.Equal(t, "Opening the database postgres://desk:xxxxx@db.example/deposits…", o.status.Text)
	require.True(t, o.quit.Visible())
	require.False(t, o.copy.Visible(), "nothing to copy yet")

	o.start = o.start.Add(-openingPatience - time.Second)
	o.tick()
	require.Equal(t, "Still waiting for the database postgres://desk:xxxxx@db.example/deposits (6s). The server may not be answering, "+
		"or another desk may be upgrading the database. Keep waiting, or Quit.", o.status.Text)
}

// A database the desk cannot open is named in the window with the cause in
// full, which the operator can copy for whoever fixes it; a tick queued
// before the answer does not hide it.
func TestOpeningSaysWhyTheDatabaseCannotBeOpened(t *testing.T) {
	a := test.NewTempApp(t)
	o := newOpening(a, "/srv/desk/depositdesk.db", time.Hour)
	o.Failed(errors.New("open /srv/desk/depositdesk.db: file is not a database"))
	want := "Deposit Desk cannot open the database /srv/desk/depositdesk.db:\nopen /srv/desk/depositdesk.db: file is not a database"
	require.Equal(t, want, o.status.Text)
	require.Equal(t, "Deposit Desk · Cannot open the database", o.win.Title())
	o.tick()
	require.Equal(t, want, o.status.Text)

	test.Tap(o.copy)
	require.Equal(t, want, a.Clipboard().Content())
	require.True(t, o.quit.Visible())

	o = newOpening(a, "postgres://desk@db.example/deposits", time.Hour)
	o.Failed(core.Errorf(core.EFORBIDDEN, "The database needs an upgrade its owner applies."))
	require.Equal(t, "Deposit Desk cannot open the database postgres://desk@db.example/deposits:\nThe database needs an upgrade its owner applies.", o.status.Text,
		"the desk's own words, when it has them")
}

// Once open, the same window becomes the desk: the first-run wizard on an
// empty database.
func TestOpenedBecomesTheDesk(t *testing.T) {
	b := setup(t)
	o := newOpening(test.NewTempApp(t), "desk.db", time.Hour)
	b.ui = o.Opened(b.svc)
	require.Same(t, o.win, b.ui.Window())
	require.Equal(t, "Deposit Desk", o.win.Title())
	b.ui.Start()
	b.settle(t)
	require.NotNil(t, b.ui.wizard, "an empty database opens the first-run wizard")
	require.Same(t, b.ui.wizard.firm, o.win.Canvas().Focused())
}
