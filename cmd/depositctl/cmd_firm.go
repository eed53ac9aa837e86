package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

func (a *app) firmCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "firm", Short: "The securities firm's name, which every ownership challenge states (administrator)"}
	show := &cobra.Command{
		Use: "show", Short: "Print the firm's name", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			name, err := a.svc.FirmName(ctx)
			if err != nil {
				return err
			}
			return a.print(map[string]any{"firm_name": name}, func(w io.Writer) error {
				if name == "" {
					_, err := fmt.Fprintln(w, "not set: ownership challenges are refused until it is (depositctl firm set NAME)")
					return err
				}
				_, err := fmt.Fprintln(w, name)
				return err
			})
		},
	}
	set := &cobra.Command{
		Use: "set NAME", Short: "Set the firm's name (audited)", Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			if err := a.svc.SetFirmName(ctx, args[0]); err != nil {
				return err
			}
			name, err := a.svc.FirmName(ctx)
			if err != nil {
				return err
			}
			return a.print(map[string]any{"firm_name": name}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "firm name set: %s\n", name)
				return err
			})
		},
	}
	cmd.AddCommand(show, set)
	return cmd
}
