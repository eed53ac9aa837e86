package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"depositdesk/core"
)

// operatorKeysCommand exports the operators' approval keys as the signing
// station's trust list (decision 41): the station's administrator copies
// the file beside station.toml and names it in trusted_operators.
func (a *app) operatorKeysCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "keys", Short: "Operators' approval keys (registered at each operator's first login on a machine)"}
	var out string
	export := &cobra.Command{
		Use:   "export --out FILE",
		Short: "Write every registered approval key as a signing station's trust list (Operator Admin or Audit View)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			keys, err := a.svc.ExportOperatorKeys(ctx)
			if err != nil {
				return err
			}
			b, err := json.MarshalIndent(keys, "", "  ")
			if err != nil {
				return core.Errorf(core.EINTERNAL, "encode the trust list: %v", err)
			}
			if err := writeNewFile(out, append(b, '\n')); err != nil {
				return err
			}
			listed := make([]map[string]string, 0, len(keys))
			for _, k := range keys {
				listed = append(listed, map[string]string{"operator": k.Operator, "fingerprint": core.KeyFingerprint(k.PublicKey)})
			}
			return a.print(map[string]any{"out": out, "keys": listed}, func(w io.Writer) error {
				for _, k := range listed {
					fmt.Fprintf(w, "%s\t%s\n", k["operator"], k["fingerprint"])
				}
				_, err := fmt.Fprintf(w, "%d approval key(s) written to %s. On the signing station, copy it beside station.toml and set trusted_operators.\n",
					len(keys), out)
				return err
			})
		},
	}
	export.Flags().StringVar(&out, "out", "", "where to write the trust list (a new file)")
	_ = export.MarkFlagRequired("out")
	cmd.AddCommand(export)
	return cmd
}
