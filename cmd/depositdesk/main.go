// Command depositdesk is the Deposit Desk desktop application.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"depositdesk"
	"depositdesk/core"
	"depositdesk/core/signer"
	"depositdesk/core/station"
	"depositdesk/core/watcher"
	"depositdesk/internal/anchor"
	_ "depositdesk/internal/englishlocale" // before Fyne reads the locale
	"depositdesk/internal/nodes"
	"depositdesk/internal/wire"
	"depositdesk/storage"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
	"depositdesk/ui"
)

// sqliteLook is how often a desk on a SQLite file looks for commits made
// by other processes: half the live gap, so that a change is found and
// its page reloaded within a second (a look costs no I/O when nothing
// changed).
const sqliteLook = core.LiveGap / 2

// memoryLimit is the desk's soft limit on the Go heap. The desk runs all
// day; without a limit the collector lets the heap double before it runs,
// so a page that read a lot (Home's 30-day charts on a million records)
// leaves it large. The limit sits about twice above the live heap of a
// session, so the heap stays steady rather than drifting up to it
// (decisions 53 and 68 hold the measurements). It is soft: a desk that
// needs more gets it, with collections more often. GOMEMLIMIT overrides it.
const memoryLimit = 48 << 20

func main() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryLimit)
	}
	db := flag.String("db", "", "SQLite file or postgres:// URL (env DEPOSITDESK_DB; default "+storage.DefaultPath()+")")
	nodesFile := flag.String("nodes", "", "node configuration (env DEPOSITDESK_NODES; default nodes.toml beside the database)")
	checkpoints := flag.String("checkpoints", "", "audit checkpoint folder (env DEPOSITDESK_CHECKPOINTS; default checkpoints/ beside the database)")
	stationMode := flag.Bool("station", false, "run as the air-gapped signing station: sign refund files with this machine's keyring (no database, no nodes, no login)")
	limits := flag.String("limits", "", "the signing station's limits (default "+station.DefaultLimitsPath()+")")
	flag.Parse()
	if *stationMode {
		runStation(*limits)
		return
	}
	dsn := *db
	if dsn == "" {
		dsn = os.Getenv("DEPOSITDESK_DB")
	}
	if dsn == "" {
		dsn = storage.DefaultPath()
	}
	a := newApp()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	// The window comes first and the database opens behind it: the open
	// may wait (a server that does not answer, another desk migrating) or
	// fail, and the window says which (ui.Opening).
	opening := ui.NewOpening(a, storage.Shown(dsn))
	var mu sync.Mutex
	var opened storage.Store
	quitBeforeExitSave(a, func() {
		stop()
		mu.Lock()
		defer mu.Unlock()
		if opened != nil {
			opened.Close()
		}
	})
	go func() {
		st, err := storage.Open(ctx, dsn)
		switch {
		case ctx.Err() != nil: // quit while opening: the process is ending (quitBeforeExitSave)
		case err != nil:
			fmt.Fprintf(os.Stderr, "depositdesk: cannot open %s: %v\n", storage.Shown(dsn), err)
			fyne.Do(func() { opening.Failed(err) })
		default:
			mu.Lock()
			opened = st
			mu.Unlock()
			start(ctx, opening, st, *nodesFile, *checkpoints, dsn)
		}
	}()
	opening.Window().ShowAndRun()
}

// start runs the desk on its open store: its first page, the checkpoints
// of the audit log, the watchers and the live updates. It runs on a
// goroutine of its own; only the desk's window is built on Fyne's.
func start(ctx context.Context, opening *ui.Opening, st storage.Store, nodesFlag, checkpointsFlag, dsn string) {
	// Nodes are read and opened when first needed: a node configuration the
	// desk cannot use keeps operators out of nothing but what needs a node
	// (cancelling a record with a TXID, proving a micro-deposit), and says why.
	nodeFile := nodes.NewFile(nodes.ResolvePath(nodesFlag, dsn, storage.DefaultPath()), nodes.OpenAdapter)
	svc := wire.NewService(st)
	svc.Nodes = nodeFile
	cpDir := checkpointDir(checkpointsFlag, dsn)
	var desk *ui.UI
	fyne.DoAndWait(func() {
		desk = opening.Opened(svc)
		desk.Anchors = func() (core.AuditAnchors, error) {
			cps, err := anchor.Load(cpDir)
			return core.AuditAnchors{Checkpoints: cps}, err
		}
		desk.Start()
	})

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	// Checkpoints of the audit log go outside the database as it grows.
	go anchor.Run(ctx, svc, cpDir, anchor.DefaultRows, anchor.DefaultEvery, log)
	set, nodesErr := nodeFile.Set()
	switch {
	case nodesErr != nil:
		desk.NodesUnusable(core.ErrorMessage(nodesErr))
		log.Error("blockchain nodes not used", "error", nodesErr)
	case len(set.All()) == 0:
		log.Info("no nodes configured; deposits are not followed on chain", "config", nodeFile.Path)
	default:
		// The watcher runs here when this desk holds the network's lease
		// (else it stands by); every desk refreshes what it shows when
		// records change.
		desk.NodesChecking(set.Config().Networks())
		go nodes.RunWatchers(ctx, st, set, nodes.WatchOptions{Log: log, OnPass: func(n core.Network, r watcher.Report, err error) {
			desk.WatcherPass(n, r.Tip, err)
			if err == nil && (r.Transitions > 0 || r.NewBlocks > 0) {
				desk.DepositsChanged("*")
			}
		}})
	}
	switch st := st.(type) {
	case *postgres.Store:
		go func() {
			// It reconnects by itself; it returns an error only when the
			// server refuses this desk for good.
			if err := st.ListenDeposits(ctx, desk.DepositsChanged); err != nil {
				log.Error("live updates from the database stopped", "error", err)
			}
		}()
	case *sqlite.Store:
		// A file has no notifications: commits by other processes (depositctl
		// serve taking applications) are found by looking every sqliteLook.
		go func() {
			if err := st.WatchChanges(ctx, sqliteLook, func() { desk.DepositsChanged("*") }); err != nil {
				log.Error("live updates from the database stopped", "error", err)
			}
		}()
	}
}

// runStation opens the signing station's window: it reads no database and
// no node configuration, and signs with the OS keyring.
func runStation(limits string) {
	if limits == "" {
		limits = station.DefaultLimitsPath()
	}
	a := newApp()
	quitBeforeExitSave(a, func() {})
	ui.NewStationWindow(a, signer.Keyring{}, limits).Window().ShowAndRun()
}

// newApp is the Fyne app with FyneApp.toml's name, ID, version and icon.
func newApp() fyne.App {
	meta, err := depositdesk.Metadata()
	if err != nil {
		fail("%v", err)
	}
	app.SetMetadata(meta)
	a := app.NewWithID(meta.ID)
	a.SetIcon(meta.Icon)
	return a
}

// quitBeforeExitSave ends the process once the window loop has stopped
// and cleanup has run. Fyne saves preferences as they change; at exit it
// saves them once more, and after its event loop has ended its own
// preferences watcher reloads the file on the watcher's goroutine, which
// read it truncated by that save ("Preferences load error: EOF" at about
// every other close). Nothing is lost but a change made in the tenth of a
// second before closing, which Fyne holds back to save with that last save.
func quitBeforeExitSave(a fyne.App, cleanup func()) {
	a.Lifecycle().SetOnStopped(func() {
		cleanup()
		os.Exit(0)
	})
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "depositdesk: "+format+"\n", args...)
	os.Exit(1)
}

// checkpointDir is where audit checkpoints are written: the flag, else
// $DEPOSITDESK_CHECKPOINTS, else beside the SQLite file (or the default
// database's folder for Postgres).
func checkpointDir(flagValue, dsn string) string {
	if storage.IsPostgres(dsn) {
		dsn = storage.DefaultPath()
	}
	return anchor.Dir(flagValue, dsn)
}
