package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"depositdesk/core"
)

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and export the hash-chained audit log"}
	verify := &cobra.Command{
		Use: "verify", Short: "Recompute every hash; name the first tampered row", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			v, err := a.svc.VerifyAudit(ctx)
			if err != nil {
				return err
			}
			if !v.Intact() {
				return core.Errorf(core.ECONFLICT, "Audit log is broken at row %d: %s (%d rows before it verified).", v.FirstBroken, v.Reason, v.Checked)
			}
			return a.print(map[string]any{"intact": true, "rows": v.Checked}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "audit log intact: %d rows verified\n", v.Checked)
				return err
			})
		},
	}
	var format, out string
	export := &cobra.Command{
		Use: "export --format csv|jsonl [--out FILE]", Short: "Export the whole audit log", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			var w io.Writer = a.stdout
			if out != "" {
				f, err := os.OpenFile(out, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
				if err != nil {
					return core.Errorf(core.EINVALID, "Cannot create %s: %v", out, err)
				}
				defer f.Close()
				w = f
			}
			return a.svc.ExportAudit(ctx, w, format)
		},
	}
	export.Flags().StringVar(&format, "format", core.AuditJSONL, "csv or jsonl")
	export.Flags().StringVar(&out, "out", "", "write to this new file instead of standard output")
	cmd.AddCommand(verify, export)
	return cmd
}
