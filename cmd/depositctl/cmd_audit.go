package main

import (
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/internal/anchor"
	"depositdesk/storage"
)

func (a *app) auditCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "audit", Short: "Verify and export the hash-chained audit log"}
	var files, keys []string
	var noStored, state bool
	verify := &cobra.Command{
		Use:   "verify [--checkpoint FILE]... [--key HEX]... [--state]",
		Short: "Recompute every hash and hold the log against its head and signed checkpoints; name what was tampered with",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			anchors, err := a.anchors(files, keys, noStored)
			if err != nil {
				return err
			}
			anchors.State = state
			v, err := a.svc.VerifyAudit(ctx, anchors)
			if err != nil {
				return err
			}
			if !v.Intact() {
				return core.Errorf(core.ECONFLICT, "%s", v.Summary())
			}
			return a.print(map[string]any{"intact": true, "rows": v.Checked, "checkpoints": v.Checkpoints, "records": v.RecordsReplayed}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "audit log intact: %d rows verified, %d checkpoints held", v.Checked, v.Checkpoints)
				if err == nil && state {
					_, err = fmt.Fprintf(w, ", %d records replayed", v.RecordsReplayed)
				}
				if err == nil {
					_, err = fmt.Fprintln(w)
				}
				return err
			})
		},
	}
	verify.Flags().StringArrayVar(&files, "checkpoint", nil, "a checkpoint file to hold the log against (repeatable)")
	verify.Flags().StringArrayVar(&keys, "key", nil, "a trusted checkpoint public key, hex, as `audit key` printed it (repeatable)")
	verify.Flags().BoolVar(&noStored, "no-stored", false, "do not read the checkpoint folder, only --checkpoint files")
	verify.Flags().BoolVar(&state, "state", false, "also replay every deposit record from its audit rows and name those their history does not explain")
	var cpOut string
	checkpoint := &cobra.Command{
		Use:   "checkpoint [--out FILE]",
		Short: "Sign the log's head with this station's key and write the checkpoint (default: into the checkpoint folder)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			cp, err := a.svc.MakeCheckpoint(ctx)
			if err != nil {
				return err
			}
			path := cpOut
			if path == "" {
				if path, err = anchor.Write(a.checkpointDir(), cp); err != nil {
					return err
				}
			} else if err := writeNew(path, cp); err != nil {
				return err
			}
			return a.print(map[string]any{"seq": cp.Seq, "hash": cp.Hash, "file": path}, func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "checkpoint of row %d written to %s\n", cp.Seq, path)
				return err
			})
		},
	}
	checkpoint.Flags().StringVar(&cpOut, "out", "", "write to this new file")
	var create bool
	key := &cobra.Command{
		Use:   "key [--create]",
		Short: "Print this station's audit checkpoint public key (--create makes the key pair in the OS keyring; administrator)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			var pub ed25519.PublicKey
			if create {
				pub, err = a.svc.CreateCheckpointKey(ctx)
			} else {
				pub, err = a.svc.Checkpoints.CheckpointKey(ctx)
			}
			if err != nil {
				return err
			}
			k := hex.EncodeToString(pub)
			return a.print(map[string]string{"key": k}, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, k)
				return err
			})
		},
	}
	key.Flags().BoolVar(&create, "create", false, "create the key pair")
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
	cmd.AddCommand(verify, export, checkpoint, key)
	return cmd
}

// anchors gathers what verify holds the log against: the named checkpoint
// files, the stored ones in the checkpoint folder, and the keys given.
func (a *app) anchors(files, keys []string, noStored bool) (core.AuditAnchors, error) {
	var out core.AuditAnchors
	if !noStored {
		stored, err := anchor.Load(a.checkpointDir())
		if err != nil {
			return out, err
		}
		out.Checkpoints = stored
	}
	for _, f := range files {
		cp, err := anchor.ReadFile(f)
		if err != nil {
			return out, err
		}
		out.Checkpoints = append(out.Checkpoints, cp)
	}
	for _, k := range keys {
		b, err := hex.DecodeString(k)
		if err != nil || len(b) != ed25519.PublicKeySize {
			return out, usageError{fmt.Errorf("--key %q is not a hex Ed25519 public key", k)}
		}
		out.Keys = append(out.Keys, b)
	}
	return out, nil
}

// checkpointDir is where checkpoints are written and read by default:
// --checkpoints, else $DEPOSITDESK_CHECKPOINTS, else beside the database.
func (a *app) checkpointDir() string {
	db := a.database()
	if storage.IsPostgres(db) {
		db = storage.DefaultPath()
	}
	return anchor.Dir(a.checkpointsFlag, db)
}

// writeNew writes v as JSON to a new file only its owner can read.
func writeNew(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeNewFile(path, append(b, '\n'))
}
