package sessionfile_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/internal/sessionfile"
)

func sample() *sessionfile.File {
	return &sessionfile.File{Database: "sqlite:0123", Operator: "admin", Secret: "c2VjcmV0", ExpiresAt: time.Date(2026, 12, 2, 17, 0, 0, 0, time.UTC)}
}

func TestWriteReadsBackForItsUserOnly(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "sessions")
	path := sessionfile.Path(dir, "sqlite:0123")
	require.NoError(t, sessionfile.Write(path, sample()))
	got, err := sessionfile.Read(path)
	require.NoError(t, err)
	want := sample()
	want.Version = 1
	require.Equal(t, want, got)
	if runtime.GOOS != "windows" {
		fi, err := os.Stat(path)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
		fi, err = os.Stat(dir)
		require.NoError(t, err)
		require.Equal(t, os.FileMode(0o700), fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left")

	require.NoError(t, sessionfile.Remove(path))
	_, err = sessionfile.Read(path)
	require.True(t, errors.Is(err, fs.ErrNotExist), "%v", err)
	require.NoError(t, sessionfile.Remove(path), "removing nothing is no error")
}

func TestPathIsPerDatabase(t *testing.T) {
	t.Parallel()
	require.NotEqual(t, sessionfile.Path("/d", "sqlite:a"), sessionfile.Path("/d", "sqlite:b"))
	require.Equal(t, sessionfile.Path("/d", "sqlite:a"), sessionfile.Path("/d", "sqlite:a"))
}
