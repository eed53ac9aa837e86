package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/internal/anchor"
	"depositdesk/internal/nodes"
)

func (a *app) watchCommand() *cobra.Command {
	var standby time.Duration
	cmd := &cobra.Command{
		Use:   "watch --operator NAME",
		Short: "Follow the configured nodes and move deposits on the chain's evidence (until interrupted)",
		Long: `watch runs one chain watcher per network configured in nodes.toml, each asking
only that network's nodes. Every node is checked first to serve the network it
is configured for. Exactly one watcher follows each network however many are
started on the same database (a Postgres advisory lock, or a lock file beside
a SQLite file); the others stand by, try again every --standby, and take over
when it stops or loses its lock.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The watcher moves records: it runs as an operator with Chain
			// Watcher, logged in like every other command.
			sctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			set, err := a.nodeSet(cmd.Context())
			if err != nil {
				return err
			}
			if len(set.All()) == 0 {
				return core.Errorf(core.EINVALID, "No nodes are configured in %s; nothing to watch.", a.nodes.Path)
			}
			op, err := a.svc.StartWatcher(sctx, set.Config().Networks())
			if err != nil {
				return err
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			if err := refuseUnusable(set.Check(ctx)); err != nil {
				return err
			}
			fmt.Fprintf(a.stdout, "watching %s (Ctrl-C to stop)\n", core.JoinNetworks(set.Config().Networks()))
			// A watcher's progress is what an operator running it wants to see.
			log := slog.New(slog.NewTextHandler(a.stderr, nil))
			go anchor.Run(ctx, a.svc, a.checkpointDir(), anchor.DefaultRows, anchor.DefaultEvery, log)
			nodes.RunWatchers(ctx, a.store, set, nodes.WatchOptions{Log: log, Standby: standby, RunBy: op.Name})
			return nil
		},
	}
	cmd.Flags().DurationVar(&standby, "standby", nodes.DefaultStandby, "how often a watcher standing by tries to take its network over")
	return cmd
}

// refuseUnusable is ECONFLICT naming every node that cannot be used: a
// watcher must not start on a node that serves another network or that
// cannot even be opened (a missing password), nor quietly skip one.
func refuseUnusable(st []nodes.Status) error {
	var bad []string
	for _, s := range st {
		if s.State != nodes.NodeOK {
			bad = append(bad, s.Detail)
		}
	}
	if len(bad) > 0 {
		return core.Errorf(core.ECONFLICT, "%s", strings.Join(bad, " "))
	}
	return nil
}

func (a *app) nodesCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "nodes", Short: "The blockchain nodes of nodes.toml"}
	cmd.AddCommand(&cobra.Command{
		Use:   "check",
		Short: "Ask every configured node which network it serves (exit 5 when any is refused or does not answer)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			set, err := a.nodeSet(cmd.Context())
			if err != nil {
				return err
			}
			st := set.Check(cmd.Context())
			if err := a.print(st, func(w io.Writer) error { return nodeTable(w, st) }); err != nil {
				return err
			}
			return refuseUnusable(st)
		},
	})
	return cmd
}

func nodeTable(w io.Writer, st []nodes.Status) error {
	rows := make([][]string, len(st))
	for i, s := range st {
		rows[i] = []string{s.Node, s.Network.String(), string(s.State), s.Detail}
	}
	return table(w, "NODE\tNETWORK\tSTATE\tDETAIL", rows)
}

// nodeSet opens the database and reads the node configuration.
func (a *app) nodeSet(ctx context.Context) (*nodes.Set, error) {
	if err := a.open(ctx); err != nil {
		return nil, err
	}
	return a.nodes.Set()
}
