package main

import (
	"cmp"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/core/signer"
	"depositdesk/core/station"
)

// signCommand is the air-gapped station's: it reads a refund file, checks
// it and signs it with this machine's keyring key, with no database and no
// node — it opens neither.
func (a *app) signCommand() *cobra.Command {
	var out, limits string
	cmd := &cobra.Command{
		Use:   "sign FILE --out FILE [--limits station.toml]",
		Short: "Signing station: check a prepared refund file and sign it with this machine's keyring key (no database, no network)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return core.Errorf(core.EINVALID, "Cannot read %s: %v", args[0], err)
			}
			f, err := station.Read(b)
			if err != nil {
				return err
			}
			l, err := station.ReadLimits(cmp.Or(limits, station.DefaultLimitsPath()))
			if err != nil {
				return err
			}
			signed, said, err := station.Sign(f, l, signer.Keyring{})
			if err != nil {
				return err
			}
			if err := writeFile(out, signed); err != nil {
				return err
			}
			return a.print(map[string]any{"refund": signed.Refund.ID, "txid": signed.TxID, "out": out, "signed": said}, func(w io.Writer) error {
				for _, line := range said {
					fmt.Fprintln(w, line)
				}
				_, err := fmt.Fprintf(w, "Signed: transaction %s, written to %s. Take it back to the desk: depositctl refund import %d %s\n",
					signed.TxID, out, signed.Refund.ID, filepath.Base(out))
				return err
			})
		},
	}
	cmd.Flags().StringVar(&out, "out", "", "where to write the signed refund file (a new file)")
	cmd.Flags().StringVar(&limits, "limits", "", "the station's limits (default station.toml in the user's config folder, depositdesk/)")
	_ = cmd.MarkFlagRequired("out")
	return cmd
}

// stationCommand sets up the signing station's keyring, without a database.
func (a *app) stationCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "station", Short: "Signing station set-up (no database, no network)"}
	var network, xpub string
	imp := &cobra.Command{
		Use:   "key-import SYM --network CHAIN/NAME --xpub XPUB",
		Short: "Store an asset's account private key (standard input or DEPOSITDESK_SIGNING_KEY) in this station's keyring, if it matches XPUB",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := core.ParseNetwork(network)
			if err != nil {
				return err
			}
			key := os.Getenv("DEPOSITDESK_SIGNING_KEY")
			if key == "" {
				if key, err = a.readLine("signing key"); err != nil {
					return err
				}
			}
			asset := &core.Asset{Chain: n.Chain, Network: n.Name, Symbol: strings.ToUpper(strings.TrimSpace(args[0])), AccountXPub: strings.TrimSpace(xpub)}
			if err := (signer.Keyring{}).Put(asset, key); err != nil {
				return err
			}
			return a.print(map[string]any{"asset": asset.Key(), "stored": true}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "signing key for %s stored in this station's keyring\n", asset.Key())
				return err
			})
		},
	}
	imp.Flags().StringVar(&network, "network", "", "chain/name, e.g. bitcoin/mainnet")
	imp.Flags().StringVar(&xpub, "xpub", "", "the asset's account public key, as the desk shows it (asset list)")
	_ = imp.MarkFlagRequired("network")
	_ = imp.MarkFlagRequired("xpub")
	cmd.AddCommand(imp)
	return cmd
}

// writeFile writes a refund file to a new path, readable by its owner only.
func writeFile(path string, f *station.File) error {
	b, err := f.Marshal()
	if err != nil {
		return err
	}
	return writeNewFile(path, b)
}

// writeNewFile writes b to path, which must not exist, readable by its
// owner only.
func writeNewFile(path string, b []byte) error {
	w, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return core.Errorf(core.EINVALID, "Cannot create %s: %v", path, err)
	}
	if _, err := w.Write(b); err != nil {
		w.Close()
		return err
	}
	return w.Close()
}
