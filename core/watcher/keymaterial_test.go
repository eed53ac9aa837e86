package watcher_test

import (
	"bytes"
	"encoding/hex"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// keyMaterial is every form in which a refund's signing key could leak: the
// account xprv, its private key, and the private key of each child a
// payout signed with, as hex and as raw bytes.
func keyMaterial(t *testing.T, xprv string, payouts ...*core.Payout) [][]byte {
	t.Helper()
	acct, err := hdkeychain.NewKeyFromString(xprv)
	require.NoError(t, err)
	out := [][]byte{[]byte(xprv)}
	add := func(k *hdkeychain.ExtendedKey) {
		priv, err := k.ECPrivKey()
		require.NoError(t, err)
		raw := priv.Serialize()
		out = append(out, raw, []byte(hex.EncodeToString(raw)))
	}
	add(acct)
	child := func(branch, index uint32) {
		b, err := acct.Derive(branch)
		require.NoError(t, err)
		c, err := b.Derive(index)
		require.NoError(t, err)
		add(c)
	}
	for _, p := range payouts {
		for _, in := range p.Inputs {
			child(in.Branch, in.Index)
		}
		if p.Payer != "" {
			child(1, 0)
		}
	}
	return out
}

// requireNoKeyMaterial reads every file under dir (the database, its WAL,
// logs, exports) and fails on any trace of the key.
func requireNoKeyMaterial(t *testing.T, dir string, secrets [][]byte) {
	t.Helper()
	leaks, files, err := findKeyMaterial(dir, secrets)
	require.NoError(t, err)
	require.Positive(t, files)
	require.Empty(t, leaks, "files holding key material")
	t.Logf("no key material in %d files under %s", files, dir)
}

func findKeyMaterial(dir string, secrets [][]byte) (leaks []string, files int, err error) {
	err = filepath.WalkDir(dir, func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, s := range secrets {
			if bytes.Contains(b, s) || bytes.Contains(bytes.ToLower(b), bytes.ToLower(s)) {
				leaks = append(leaks, path)
				break
			}
		}
		return nil
	})
	return leaks, files, err
}

func TestKeyMaterialSearchFindsALeak(t *testing.T) {
	xprv := accountXPrv(t, 84, 1, &chaincfg.RegressionNetParams)
	secrets := keyMaterial(t, xprv)
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "clean.log"), []byte("nothing here"), 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "leak.log"), append([]byte("key="), bytes.ToUpper(secrets[2])...), 0o600))
	leaks, files, err := findKeyMaterial(dir, secrets)
	require.NoError(t, err)
	require.Equal(t, 2, files)
	require.Equal(t, []string{filepath.Join(dir, "leak.log")}, leaks, "the private key's hex, in upper case, is found")
}

// exportAndLog writes what a full run leaves besides the database: the
// audit log in both export formats and the desk's log.
func exportAndLog(t *testing.T, d *liveDesk) *slog.Logger {
	t.Helper()
	dir := filepath.Dir(d.path)
	for _, format := range []string{"csv", "jsonl"} {
		f, err := os.Create(filepath.Join(dir, "audit."+format))
		require.NoError(t, err)
		require.NoError(t, d.svc.ExportAudit(d.admin, f, format))
		require.NoError(t, f.Close())
	}
	f, err := os.Create(filepath.Join(dir, "desk.log"))
	require.NoError(t, err)
	t.Cleanup(func() { f.Close() })
	return slog.New(slog.NewJSONHandler(f, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
