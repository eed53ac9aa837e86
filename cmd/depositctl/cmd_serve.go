package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/intake"
	"depositdesk/internal/anchor"
	"depositdesk/internal/nodes"
	"depositdesk/storage/sqlite"
)

// lagEvery is how often serve compares each node's head with the block
// the network's watcher (in whichever process runs it) last processed.
const lagEvery = 15 * time.Second

func (a *app) serveCommand() *cobra.Command {
	var listen string
	var cfg intake.Config
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR]",
		Short: "Serve the intake HTTP API until interrupted (SIGINT/SIGTERM finish the requests in flight)",
		Long: "Serve the intake HTTP API for client systems (docs/api.md). Clients authenticate with tokens from\n" +
			"`depositctl client create`; the server itself needs no operator.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			a.storeOpts = sqlite.Options{} // unmapped: sqlite.Options.Mapped says why
			if err := a.open(ctx); err != nil {
				return err
			}
			ln, err := net.Listen("tcp", listen)
			if err != nil {
				return core.Errorf(core.EINVALID, "Cannot listen on %s: %v", listen, err)
			}
			cfg.Service, cfg.Log = a.svc, a.log
			set, nodesErr := a.nodes.Set()
			if nodesErr == nil {
				cfg.NodeStatus = func() map[string]string { return nodeHealth(set.Status()) }
			}
			srv := intake.New(cfg)
			addr := ln.Addr().String()
			if err := a.print(map[string]string{"listening": addr}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "listening on %s\n", addr)
				return err
			}); err != nil {
				return err
			}
			go anchor.Run(ctx, a.svc, a.checkpointDir(), anchor.DefaultRows, anchor.DefaultEvery, a.log)
			if nodesErr == nil {
				go nodes.ReportLag(ctx, a.store, set, lagEvery, srv.Metrics().SetWatcherLag)
				go checkNodes(ctx, set, lagEvery)
			} else {
				a.log.Warn("blockchain nodes not used", "error", core.ErrorMessage(nodesErr))
			}
			if err := srv.Serve(ctx, ln); err != nil {
				return fmt.Errorf("serve: %w", err)
			}
			a.log.Info("intake API stopped", "addr", addr)
			return nil
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&listen, "listen", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fl.Float64Var(&cfg.RatePerSecond, "rate", intake.DefaultRatePerSecond, "requests per second allowed to each API client")
	fl.IntVar(&cfg.Burst, "burst", intake.DefaultBurst, "requests an API client may send at once above its rate")
	fl.Int64Var(&cfg.MaxBodyBytes, "max-body", intake.DefaultMaxBodyBytes, "largest request body in bytes")
	fl.DurationVar(&cfg.RequestTimeout, "request-timeout", intake.DefaultRequestTimeout, "longest time one request may take")
	return cmd
}

func (a *app) openAPICommand() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "openapi [--out FILE]",
		Short: "Print the intake API's OpenAPI 3.1 document (make openapi writes docs/openapi.json)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			doc, err := intake.New(intake.Config{}).OpenAPI()
			if err != nil {
				return err
			}
			if out == "" {
				_, err = a.stdout.Write(doc)
				return err
			}
			if err := os.WriteFile(out, doc, 0o644); err != nil {
				return core.Errorf(core.EINVALID, "Cannot write %s: %v", out, err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "write to this file instead of standard output")
	return cmd
}

// clientJSON is the stable JSON shape of an API client.
type clientJSON struct {
	Name      string   `json:"name"`
	Scopes    []string `json:"scopes"`
	CreatedBy string   `json:"created_by"`
	CreatedAt string   `json:"created_at"`
	RevokedAt string   `json:"revoked_at,omitempty"`
	Token     string   `json:"token,omitempty"` // only from create, once
}

func toClientJSON(c *core.APIClient) clientJSON {
	out := clientJSON{Name: c.Name, CreatedBy: c.CreatedBy, CreatedAt: c.CreatedAt.Format(time.RFC3339), Scopes: []string{}}
	for _, s := range c.Scopes {
		out.Scopes = append(out.Scopes, string(s))
	}
	if c.Revoked() {
		out.RevokedAt = c.RevokedAt.Format(time.RFC3339)
	}
	return out
}

func (a *app) clientCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "client", Short: "Manage API clients and their bearer tokens (Operator Admin)"}
	var name string
	var scopes []string
	create := &cobra.Command{
		Use:   "create --name NAME [--scope intake]",
		Short: "Register an API client and print its token, once",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			var sc []core.Scope
			for _, s := range scopes {
				sc = append(sc, core.Scope(s))
			}
			c, token, err := a.svc.CreateAPIClient(ctx, name, sc)
			if err != nil {
				return err
			}
			out := toClientJSON(c)
			out.Token = token
			return a.print(out, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "created API client %s (%s)\ntoken: %s\nThe token is shown only now; store it in the client's secret store.\n",
					c.Name, core.EncodeScopes(c.Scopes), token)
				return err
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "client name (letters, digits, '.', '_', '-'); audited as client:NAME")
	create.Flags().StringSliceVar(&scopes, "scope", []string{string(core.ScopeIntake)}, "scope (repeat or comma-separate): intake")
	_ = create.MarkFlagRequired("name")

	list := &cobra.Command{
		Use: "list", Short: "List API clients, revoked ones included", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			cs, err := a.svc.ListAPIClients(ctx)
			if err != nil {
				return err
			}
			out := []clientJSON{}
			var rows [][]string
			for _, c := range cs {
				j := toClientJSON(c)
				out = append(out, j)
				state := "active"
				if c.Revoked() {
					state = "revoked " + j.RevokedAt
				}
				rows = append(rows, []string{c.Name, core.EncodeScopes(c.Scopes), state, j.CreatedBy, j.CreatedAt})
			}
			return a.print(out, func(w io.Writer) error { return table(w, "NAME\tSCOPES\tSTATE\tCREATED BY\tCREATED", rows) })
		},
	}
	var remarks string
	revoke := &cobra.Command{
		Use: "revoke NAME --remarks TEXT", Short: "Revoke an API client's token for good", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			c, err := a.svc.RevokeAPIClient(ctx, args[0], remarks)
			if err != nil {
				return err
			}
			return a.print(toClientJSON(c), func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "revoked API client %s\n", c.Name)
				return err
			})
		},
	}
	revoke.Flags().StringVar(&remarks, "remarks", "", "why (required)")
	cmd.AddCommand(create, list, revoke)
	return cmd
}

// nodeHealth is /healthz's word for each node: its state, and why when it
// cannot be used.
func nodeHealth(st []nodes.Status) map[string]string {
	out := make(map[string]string, len(st))
	for _, s := range st {
		out[s.Node] = string(s.State)
		if s.Detail != "" {
			out[s.Node] += ": " + s.Detail
		}
	}
	return out
}

// checkNodes asks every node which network it serves, every interval until
// ctx ends, so /healthz tells a refused or silent node (witnesses too, which
// only the watcher's credits otherwise ask).
func checkNodes(ctx context.Context, set *nodes.Set, every time.Duration) {
	for {
		set.Check(ctx)
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}
