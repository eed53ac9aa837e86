package main

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/internal/seed"
)

func (a *app) seedCommand() *cobra.Command {
	var opt seed.Options
	cmd := &cobra.Command{
		Use:   "seed --records N [--seed S]",
		Short: "Fill an empty database with realistic synthetic deposits (administrator only)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			start := time.Now()
			opt.Progress = func(done int) { fmt.Fprintf(a.stderr, "\rseeded %d/%d", done, opt.Records) }
			res, err := seed.Run(ctx, a.svc, opt)
			fmt.Fprintln(a.stderr)
			if err != nil {
				return err
			}
			took := time.Since(start).Seconds()
			return a.print(map[string]any{"records": res.Records, "customers": res.Customers, "assets": res.Assets, "seconds": took}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "seeded %d records, %d customers, %d assets in %.1fs\n", res.Records, res.Customers, res.Assets, took)
				return err
			})
		},
	}
	cmd.Flags().IntVar(&opt.Records, "records", 1000, "number of deposit records")
	cmd.Flags().Uint64Var(&opt.Seed, "seed", 1, "random seed; the same seed gives the same data")
	return cmd
}
