package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/internal/nodes"
	"depositdesk/storage"
)

func (a *app) watchCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "watch",
		Short: "Follow the configured nodes and move deposits on the chain's evidence (until interrupted)",
		Long: `watch runs one chain watcher per network configured in nodes.toml. On a shared
Postgres database exactly one watcher follows each network however many are
started; the others stand by and take over if it stops.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(cmd.Context()); err != nil {
				return err
			}
			if len(a.nodes.Nodes) == 0 {
				return core.Errorf(core.EINVALID, "No nodes are configured in %s; nothing to watch.", a.nodesPath())
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			var names []string
			for _, n := range a.nodes.Nodes {
				names = append(names, n.Network)
			}
			fmt.Fprintf(a.stdout, "watching %s (Ctrl-C to stop)\n", strings.Join(names, ", "))
			// A watcher's progress is what an operator running it wants to see.
			nodes.RunWatchers(ctx, a.store, a.nodes, a.chains, slog.New(slog.NewTextHandler(a.stderr, nil)), nil)
			return nil
		},
	}
}

// nodesPath is where the node configuration is read from (nodes.ResolvePath).
func (a *app) nodesPath() string { return nodes.ResolvePath(a.nodesFile, a.dsn, storage.DefaultPath()) }

// openChains reads the node configuration and connects the adapters. Cancel
// asks them whether a TXID is on chain already.
func (a *app) openChains() error {
	cfg, err := nodes.Load(a.nodesPath())
	if err != nil {
		return err
	}
	chains, err := nodes.Open(cfg)
	if err != nil {
		var ce *core.Error
		if errors.As(err, &ce) {
			return err
		}
		return fmt.Errorf("open nodes: %w", err)
	}
	a.nodes, a.chains = cfg, chains
	a.svc.Chains = chains
	return nil
}
