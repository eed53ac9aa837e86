// Package ui is the Deposit Desk desktop: first-run wizard, login and the
// back-office pages of the operating guide, built on core.Service only.
package ui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// DefaultIdleLock is how long the desk waits without input before it
// locks and asks for the password again.
const DefaultIdleLock = 15 * time.Minute

// UI owns the main window and moves between wizard, login and pages.
type UI struct {
	app      fyne.App
	svc      *core.Service
	win      fyne.Window
	IdleLock time.Duration
	// Anchors, when set, gives the audit checkpoints (and trusted keys)
	// the Audit Log page verifies the log against.
	Anchors func() (core.AuditAnchors, error)

	operator   *core.Operator
	lastInput  time.Time
	stopTicker chan struct{}

	// calls are the Service calls of every page in flight. Before login
	// they run as nobody (front); a session's pages run as its operator
	// until endSession, at logout, at the lock or when the Service no
	// longer knows the operator, abandons what is still running.
	calls  calls
	front  *worker
	cancel context.CancelFunc // the session's calls
	// windows are the session's windows besides the main one (record
	// details): they show its data and start its calls, so they end with it.
	windows windows

	// chains shows what the chain watchers last reported, by network;
	// passes keeps the reports for the Home page.
	chains     *widget.Label
	chainState map[string]string
	passes     map[string]watcherPass
	// now is the desk's clock for what it shows (the Home page's times).
	now func() time.Time

	// The pages, for tests: wizard or login, or once logged in records and
	// (for operators who may see assets) assets, one of them on screen.
	wizard    *wizardPage
	login     *loginPage
	home      *homePage
	records   *recordsPage
	apps      *applicationsPage
	assets    *assetsPage
	addresses *addressesPage
	audit     *auditPage
	operators *operatorsPage
	refunds   *refundsPage
	password  *passwordForm // the open change-password dialog, for tests
	account   *widget.Button
	logout    *widget.Button
	notice    *widget.Label                // what the header reports (password changed)
	titles    []string                     // the pages of the header's menu, in order
	nav       map[string]*widget.Button    // page title → its button in the menu
	pages     map[string]fyne.CanvasObject // page title → its content
}

// New builds the desk's window on app; Show or ShowAndRun displays it.
// A desk whose database is still to be opened starts with NewOpening.
func New(app fyne.App, svc *core.Service) *UI {
	return newOn(app, mainWindow(app, deskTitle), svc)
}

// deskTitle is the main window's title once the desk runs in it.
const deskTitle = "Deposit Desk"

// mainWindow is the desk's main window, empty.
func mainWindow(app fyne.App, title string) fyne.Window {
	win := app.NewWindow(title)
	win.Resize(fyne.NewSize(1280, 800))
	win.SetMaster()
	return win
}

// newOn builds the desk in win.
func newOn(app fyne.App, win fyne.Window, svc *core.Service) *UI {
	u := &UI{app: app, svc: svc, IdleLock: DefaultIdleLock, chainState: map[string]string{}, passes: map[string]watcherPass{},
		now: time.Now, cancel: func() {}}
	u.front = newWorker(context.Background(), &u.calls)
	u.chains = widget.NewLabel("Blockchain nodes: none configured, deposits are not followed on chain (nodes.toml)")
	// A refused node's reason is long; it wraps rather than widening the window.
	u.chains.Wrapping = fyne.TextWrapWord
	u.win = win
	return u
}

// Window is the main window.
func (u *UI) Window() fyne.Window { return u.win }

// Start shows the first-run wizard on an empty database, else the login.
// It returns at once; the window says it is opening the database meanwhile.
func (u *UI) Start() {
	u.win.SetContent(container.NewCenter(widget.NewLabel("Opening the database…")))
	run(u.front, task[bool]{
		call: u.svc.NeedsBootstrap,
		done: func(need bool, err error) {
			switch {
			case err != nil:
				u.win.SetContent(container.NewCenter(widget.NewLabel("Cannot open the database: " + errorText(err))))
			case need:
				u.showWizard()
			default:
				u.showLogin("")
			}
		},
	})
}

func (u *UI) showWizard() {
	u.endSession()
	u.wizard = newWizardPage(u.front, u.svc, func(op *core.Operator) { u.showLogin("Administrator " + op.Name + " created. Please log in.") })
	u.clearPages()
	u.login = nil
	u.win.SetContent(u.wizard.build())
	u.win.Canvas().Focus(u.wizard.firm)
}

func (u *UI) showLogin(notice string) {
	u.stopIdleWatch()
	u.endSession()
	u.operator = nil
	u.login = newLoginPage(u.front, u.svc, notice, u.loggedIn)
	u.clearPages()
	u.wizard = nil
	u.win.SetTitle(deskTitle) // the module's path is the session's
	u.win.SetContent(u.login.build())
	u.win.Canvas().Focus(u.login.name)
}

// Page titles, as the header's menu names them.
const (
	pageHome      = "Home"
	pageApps      = "Deposit Application"
	pageRecords   = "Deposit Records"
	pageAssets    = "Cryptocurrency Configuration"
	pageAddresses = "Customer Wallet Address"
	pageAudit     = "Audit Log"
	pageOperators = "Operators"
	pageRefunds   = "Refunds"
)

func (u *UI) loggedIn(op *core.Operator) {
	u.operator = op
	ctx, cancel := context.WithCancel(core.NewContextWithOperator(context.Background(), op))
	u.cancel, u.windows = cancel, windows{}
	w := newWorker(ctx, &u.calls)
	// Authority is read at every call: the first answer saying the operator
	// is disabled or gone ends the session, whichever page or window asked.
	w.revokedFunc = func(err error) { u.showLogin(errorText(err)) }
	u.clearPages()
	u.records = newRecordsPage(w, u.svc, op, u.win, u.windows)
	u.login = nil
	u.titles, u.pages = nil, map[string]fyne.CanvasObject{}
	add := func(title string, page fyne.CanvasObject) {
		u.titles, u.pages[title] = append(u.titles, title), page
	}
	u.home = newHomePage(w, u.svc, op, u.now, u.openQueue)
	add(pageHome, u.home.build())
	u.home.visibleFunc = func() bool { return u.pages[pageHome].Visible() }
	u.home.showPasses(u.passes)
	if op.Can(core.ActionSubmitApplication) {
		u.apps = newApplicationsPage(w, u.svc, op, u.win, u.windows)
		add(pageApps, u.apps.build())
	}
	add(pageRecords, u.records.build())
	if op.Can(core.ActionViewAssets) {
		u.assets = newAssetsPage(w, u.svc, op, u.win, u.records.loadAssets)
		add(pageAssets, u.assets.build())
	}
	if op.Can(core.ActionViewCustomers) {
		u.addresses = newAddressesPage(w, u.svc, op, u.win)
		add(pageAddresses, u.addresses.build())
	}
	if op.Can(core.ActionViewRefunds) {
		u.refunds = newRefundsPage(w, u.svc, op, u.win)
		add(pageRefunds, u.refunds.build())
	}
	if op.Can(core.ActionViewAudit) {
		u.audit = newAuditPage(w, u.svc, u.win, u.Anchors)
		add(pageAudit, u.audit.build())
	}
	if op.Can(core.ActionManageOperators) {
		u.operators = newOperatorsPage(w, u.svc, op, u.win)
		add(pageOperators, u.operators.build())
	}
	// The module's path is the window's title; the header holds its pages.
	u.win.SetTitle(deskTitle + " · Virtual Asset Management › Deposit/Withdrawal › Deposit")
	// The header wraps below the width its pages and buttons need on one
	// line (1024 px screens) rather than running off the window.
	header := newFlow()
	u.nav = map[string]*widget.Button{}
	stack := container.NewStack()
	for _, title := range u.titles {
		u.nav[title] = widget.NewButton(title, func() { u.showPage(title) })
		header.Add(u.nav[title])
		stack.Add(u.pages[title])
	}
	u.notice = widget.NewLabel("")
	u.account = widget.NewButton("Change password", func() {
		u.password = newPasswordForm(u.win, w, u.svc, u.notice.SetText)
	})
	u.logout = widget.NewButton("Log out", func() { u.showLogin("Logged out.") })
	header.Add(container.NewHBox(u.account, u.logout))
	header.Add(u.notice)
	// Who is logged in is said in the status line, beside the nodes'.
	status := container.NewBorder(nil, nil, nil, widget.NewLabel("Operator: "+op.Name), u.chains)
	u.win.SetContent(container.NewBorder(container.NewVBox(header, widget.NewSeparator()), status, nil, nil, stack))
	u.records.search()
	u.showPage(pageHome)
	u.startIdleWatch()
}

// endSession abandons the session's calls still running and closes what
// it opened: its windows, and the dialogs over the main window, which
// would otherwise stay over the login with the session's data and buttons.
// The main window stays.
func (u *UI) endSession() {
	u.cancel()
	u.windows.closeAll()
	ov := u.win.Canvas().Overlays()
	for o := ov.Top(); o != nil; o = ov.Top() {
		o.Hide() // a dialog's pop-up leaves the stack as it hides
		ov.Remove(o)
	}
}

// windows are the open windows of one session besides the main one.
// Only the Fyne thread touches them.
type windows map[fyne.Window]bool

// show shows win as one of the session's windows until it closes, by the
// operator or at the session's end; closed runs then.
func (ws windows) show(win fyne.Window, closed func()) {
	ws[win] = true
	win.SetOnClosed(func() {
		delete(ws, win)
		closed()
	})
	win.Show()
}

// closeAll closes every window of the session.
func (ws windows) closeAll() {
	for win := range ws {
		win.Close() // its OnClosed forgets it
	}
}

// clearPages forgets the logged-in pages (at login, logout and the wizard).
func (u *UI) clearPages() {
	u.home, u.records, u.apps, u.assets, u.addresses, u.refunds, u.audit, u.operators = nil, nil, nil, nil, nil, nil, nil, nil
}

// showPage puts the page titled title on screen and marks it in the menu.
func (u *UI) showPage(title string) {
	u.touch()
	for _, t := range u.titles {
		if t == title {
			u.pages[t].Show()
			u.nav[t].Importance = widget.HighImportance
		} else {
			u.pages[t].Hide()
			u.nav[t].Importance = widget.MediumImportance
		}
		u.nav[t].Refresh()
	}
	if u.apps != nil {
		u.apps.showing = title == pageApps
	}
	switch title {
	case pageHome:
		u.home.shown()
	case pageApps:
		u.apps.load()
	case pageAssets:
		u.assets.load()
	case pageAddresses:
		u.addresses.load()
	case pageAudit:
		u.audit.search()
	case pageOperators:
		u.operators.load()
	case pageRefunds:
		u.refunds.load()
	}
}

// touch records operator activity for the idle lock.
func (u *UI) touch() { u.lastInput = time.Now() }

// startIdleWatch locks the desk after IdleLock without keyboard or mouse
// input. Fyne has no global input hook, so typing and tapping on the canvas
// are observed through the canvas' key handler and the pages' handlers.
func (u *UI) startIdleWatch() {
	u.touch()
	u.win.Canvas().SetOnTypedKey(func(*fyne.KeyEvent) { u.touch() })
	u.win.Canvas().SetOnTypedRune(func(rune) { u.touch() })
	if u.records != nil {
		u.records.onActivity = u.touch
	}
	if u.apps != nil {
		u.apps.activityFunc = u.touch
	}
	stop := make(chan struct{})
	u.stopTicker = stop
	go func() {
		t := time.NewTicker(time.Second * 10)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				fyne.Do(u.checkIdle)
			}
		}
	}()
}

// checkIdle locks the desk when the operator has been idle too long.
func (u *UI) checkIdle() {
	if u.operator != nil && time.Since(u.lastInput) > u.IdleLock {
		u.showLogin("Locked after " + u.IdleLock.String() + " without activity. Please log in again.")
	}
}

func (u *UI) stopIdleWatch() {
	if u.stopTicker != nil {
		close(u.stopTicker)
		u.stopTicker = nil
	}
}

// DepositsChanged tells the desk that recordNo ("*": any record) changed
// elsewhere: the chain watcher (a pass with new blocks moves refunds'
// confirmations too), or another desk on a shared database. It may be
// called from any goroutine.
func (u *UI) DepositsChanged(recordNo string) {
	fyne.Do(func() {
		if u.records != nil {
			u.records.changed(recordNo)
		}
		if u.apps != nil {
			u.apps.changed()
		}
		if u.refunds != nil {
			u.refunds.changed()
		}
		if u.home != nil {
			u.home.changed()
		}
	})
}

// openQueue shows the list behind a Home page queue, filtered to it.
func (u *UI) openQueue(q core.Queue) {
	switch q {
	case core.QueueHeld:
		u.records.showStatus(core.StatusHeld)
		u.showPage(pageRecords)
	case core.QueueAddressesPending:
		u.addresses.showStatus(core.AddressPending)
		u.showPage(pageAddresses)
	case core.QueueEvidence:
		u.addresses.showAwaiting()
		u.showPage(pageAddresses)
	case core.QueueRefundsRequested:
		u.refunds.showStatus(core.RefundRequested)
		u.showPage(pageRefunds)
	case core.QueueRefundsApproved:
		u.refunds.showStatus(core.RefundApproved)
		u.showPage(pageRefunds)
	case core.QueueRefundsUnnotified:
		u.refunds.showStatus(core.RefundConfirmed)
		u.showPage(pageRefunds)
	}
}

// WatcherPass shows the outcome of a chain watcher's pass on network n in
// the status line, so operators see whether deposits are being followed
// and, when not, why (a refused node, a deadline). It may be called from
// any goroutine.
func (u *UI) WatcherPass(n core.Network, tip int64, err error) {
	state := fmt.Sprintf("%s block %d", n, tip)
	if err != nil {
		state = fmt.Sprintf("%s: %s", n, nodeProblem(err))
	}
	fyne.Do(func() {
		ps := u.passes[n.String()]
		ps.at, ps.err = u.now(), err
		if err == nil {
			ps.tip, ps.lastOK = tip, ps.at
		}
		u.passes[n.String()] = ps
		if u.home != nil {
			u.home.showPasses(u.passes)
		}
		u.chainState[n.String()] = state
		names := slices.Sorted(maps.Keys(u.chainState))
		parts := make([]string, len(names))
		for i, name := range names {
			parts[i] = u.chainState[name]
		}
		u.chains.SetText("Blockchain nodes: " + strings.Join(parts, " · "))
	})
}

// nodeProblem is what the status line says of a failed pass: the desk's
// own words for a refused or silent node, else that it is retrying.
func nodeProblem(err error) string {
	if core.ErrorCode(err) != core.EINTERNAL {
		return core.ErrorMessage(err)
	}
	return "node not answering, retrying."
}

// NodesUnusable shows in the status line why the desk follows no chain
// (an unreadable nodes.toml, a missing password). It may be called from
// any goroutine.
func (u *UI) NodesUnusable(why string) {
	fyne.Do(func() { u.chains.SetText("Blockchain nodes not used: " + why) })
}

// NodesChecking says which networks the desk is about to follow, until
// each watcher's first pass reports. It may be called from any goroutine.
func (u *UI) NodesChecking(networks []core.Network) {
	fyne.Do(func() { u.chains.SetText("Blockchain nodes: checking " + core.JoinNetworks(networks) + "…") })
}
