// Command depositdesk is the Deposit Desk desktop application.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"

	"fyne.io/fyne/v2/app"

	"depositdesk"
	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/internal/nodes"
	"depositdesk/internal/wire"
	"depositdesk/storage"
	"depositdesk/storage/postgres"
	"depositdesk/ui"
)

func main() {
	db := flag.String("db", "", "SQLite file or postgres:// URL (env DEPOSITDESK_DB; default "+storage.DefaultPath()+")")
	nodesFile := flag.String("nodes", "", "node configuration (env DEPOSITDESK_NODES; default nodes.toml beside the database)")
	flag.Parse()
	dsn := *db
	if dsn == "" {
		dsn = os.Getenv("DEPOSITDESK_DB")
	}
	if dsn == "" {
		dsn = storage.DefaultPath()
	}
	st, err := storage.Open(context.Background(), dsn)
	if err != nil {
		fail("cannot open %s: %v", dsn, err)
	}
	defer st.Close()
	nodesPath := nodes.ResolvePath(*nodesFile, dsn, storage.DefaultPath())
	// A node configuration the desk cannot use must not keep operators out
	// of the records: the desk starts without watchers and says why.
	cfg, chains, nodesErr := openNodes(nodesPath)
	meta, err := depositdesk.Metadata()
	if err != nil {
		fail("%v", err)
	}
	app.SetMetadata(meta)
	a := app.NewWithID(meta.ID)
	a.SetIcon(meta.Icon)
	svc := wire.NewService(st)
	svc.Chains = chains
	desk := ui.New(a, svc)
	desk.Start()
	if nodesErr != nil {
		desk.NodesUnusable(fmt.Sprintf("%s: %s", nodesPath, core.ErrorMessage(nodesErr)))
	}

	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if nodesErr != nil {
		log.Error("blockchain nodes not used", "config", nodesPath, "error", nodesErr)
	} else if len(cfg.Nodes) == 0 {
		log.Info("no nodes configured; deposits are not followed on chain", "config", nodesPath)
	}
	// The watcher runs here (on Postgres, in whichever desk holds the
	// network's lock); every desk refreshes what it shows when records change.
	go nodes.RunWatchers(ctx, st, cfg, chains, log, func(network string, r watcher.Report, err error) {
		desk.WatcherPass(network, r.Tip, err)
		if err == nil && (r.Transitions > 0 || r.NewBlocks > 0) {
			desk.DepositsChanged("*")
		}
	})
	if pg, ok := st.(*postgres.Store); ok {
		go func() {
			if err := pg.ListenDeposits(ctx, desk.DepositsChanged); err != nil {
				log.Error("live updates from the database stopped", "error", err)
			}
		}()
	}
	desk.Window().ShowAndRun()
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "depositdesk: "+format+"\n", args...)
	os.Exit(1)
}

// openNodes reads the node configuration and connects the adapters; on any
// error it returns an empty configuration with the error.
func openNodes(path string) (*nodes.Config, map[string]core.Chain, error) {
	cfg, err := nodes.Load(path)
	if err != nil {
		return &nodes.Config{}, nil, err
	}
	chains, err := nodes.Open(cfg)
	if err != nil {
		return &nodes.Config{}, nil, err
	}
	return cfg, chains, nil
}
