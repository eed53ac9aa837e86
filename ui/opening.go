package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// openingPatience is how long an open may take before the window says
// what the desk may be waiting for.
const openingPatience = 5 * time.Second

// Opening is the desk's window while its database opens. It is shown
// before the open starts, so a Postgres server that does not answer, or
// another desk upgrading the schema, keeps the operator waiting in front
// of a window that says so and offers Quit; and a database the desk
// cannot open is named there, not only on a terminal that an operator who
// started the desk from a menu never sees.
type Opening struct {
	app    fyne.App
	win    fyne.Window
	what   string // the database, as messages show it
	status *widget.Label
	copy   *widget.Button // the failure's text to the clipboard, for whoever fixes it
	quit   *widget.Button
	start  time.Time
	ticker *time.Ticker
	done   chan struct{}
	// answered: Opened or Failed ran, and a tick queued before says nothing.
	answered bool
}

// NewOpening opens the desk's window saying that the database what is
// being opened; Show or ShowAndRun displays it. Until Opened or Failed it
// counts the seconds, on a goroutine of its own.
func NewOpening(app fyne.App, what string) *Opening {
	return newOpening(app, what, time.Second)
}

// newOpening is NewOpening counting every period.
func newOpening(app fyne.App, what string, period time.Duration) *Opening {
	o := &Opening{app: app, what: what, done: make(chan struct{})}
	o.win = mainWindow(app, deskTitle+" · Opening the database")
	o.status = widget.NewLabel("")
	o.status.Alignment = fyne.TextAlignCenter
	o.status.Wrapping = fyne.TextWrapWord
	o.copy = widget.NewButton("Copy message", func() { app.Clipboard().SetContent(o.status.Text) })
	o.copy.Hide()
	o.quit = widget.NewButton("Quit", app.Quit)
	o.win.SetContent(container.NewPadded(container.NewVBox(layout.NewSpacer(), o.status,
		container.NewCenter(container.NewHBox(o.copy, o.quit)), layout.NewSpacer())))
	o.start = time.Now()
	o.tick()
	o.ticker = time.NewTicker(period)
	go func() {
		for {
			select {
			case <-o.ticker.C:
				fyne.Do(o.tick)
			case <-o.done:
				return
			}
		}
	}()
	return o
}

// Window is the window the desk opens in.
func (o *Opening) Window() fyne.Window { return o.win }

// tick says how long the open has taken, and past openingPatience what it
// may be waiting for.
func (o *Opening) tick() {
	if o.answered {
		return
	}
	waited := time.Since(o.start).Truncate(time.Second)
	text := "Opening the database " + o.what + "…"
	if waited >= openingPatience {
		text = fmt.Sprintf("Still waiting for the database %s (%s). The server may not be answering, "+
			"or another desk may be upgrading the database. Keep waiting, or Quit.", o.what, waited)
	}
	o.status.SetText(text)
}

// stop ends the count; the window's content is what the answer makes it.
func (o *Opening) stop() {
	if !o.answered {
		o.answered = true
		o.ticker.Stop()
		close(o.done)
	}
}

// Failed says in the window why the database could not be opened. The
// operator can copy the message and quit; nothing else is offered, since
// nothing else works without a database.
func (o *Opening) Failed(err error) {
	o.stop()
	why := core.ErrorMessage(err)
	if core.ErrorCode(err) == core.EINTERNAL {
		// Not an answer to an operator's request but the reason the desk
		// cannot start, for whoever looks after it: the cause in full.
		why = err.Error()
	}
	o.status.SetText("Deposit Desk cannot open the database " + o.what + ":\n" + why)
	o.win.SetTitle(deskTitle + " · Cannot open the database")
	o.copy.Show()
}

// Opened makes the window the desk on svc, its database open; Start shows
// its first page.
func (o *Opening) Opened(svc *core.Service) *UI {
	o.stop()
	o.win.SetTitle(deskTitle)
	return newOn(o.app, o.win, svc)
}
