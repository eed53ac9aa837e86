package main

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func (a *app) keyCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "key", Short: "Refund signing keys in this station's OS keyring (Sign Refund)"}
	imp := &cobra.Command{
		Use:   "import SYM[@network]",
		Short: "Store an asset's account private key (read from standard input or DEPOSITDESK_SIGNING_KEY) in the OS keyring",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			key := os.Getenv("DEPOSITDESK_SIGNING_KEY")
			if key == "" {
				if key, err = a.readLine("signing key"); err != nil {
					return err
				}
			}
			symbol, network, _ := strings.Cut(strings.TrimSpace(args[0]), "@")
			if err := a.svc.ImportSigningKey(ctx, symbol, network, key); err != nil {
				return err
			}
			return a.print(map[string]any{"asset": args[0], "stored": true}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "signing key for %s stored in this station's keyring\n", args[0])
				return err
			})
		},
	}
	check := &cobra.Command{
		Use: "check SYM[@network]", Short: "Check this station holds an asset's signing key and it matches the account key", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			symbol, network, _ := strings.Cut(strings.TrimSpace(args[0]), "@")
			if err := a.svc.CheckSigningKey(ctx, symbol, network); err != nil {
				return err
			}
			return a.print(map[string]any{"asset": args[0], "ready": true}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "signing key for %s present and matching\n", args[0])
				return err
			})
		},
	}
	cmd.AddCommand(imp, check)
	return cmd
}
