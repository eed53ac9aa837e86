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

func TestInsecureFilesAreRefused(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("mode bits and owners are Unix's; Windows relies on the profile's ACL")
	}
	t.Parallel()
	for _, tc := range []struct {
		name    string
		spoil   func(t *testing.T, dir, path string)
		exposed bool
	}{
		{name: "ReadableByGroup", exposed: true, spoil: func(t *testing.T, _, path string) { require.NoError(t, os.Chmod(path, 0o640)) }},
		{name: "ReadableByAll", exposed: true, spoil: func(t *testing.T, _, path string) { require.NoError(t, os.Chmod(path, 0o644)) }},
		{name: "FolderWritableByOthers", spoil: func(t *testing.T, dir, _ string) { require.NoError(t, os.Chmod(dir, 0o777)) }},
		{name: "SymbolicLink", spoil: func(t *testing.T, dir, path string) {
			other := filepath.Join(dir, "elsewhere")
			require.NoError(t, os.Rename(path, other))
			require.NoError(t, os.Symlink(other, path))
		}},
		{name: "AnotherOwner", spoil: func(t *testing.T, _, path string) {
			if os.Geteuid() != 0 {
				t.Skip("giving a file to another user needs root")
			}
			require.NoError(t, os.Chown(path, 65534, 65534))
		}},
		{name: "FolderOfAnotherOwner", spoil: func(t *testing.T, dir, _ string) {
			if os.Geteuid() != 0 {
				t.Skip("giving a folder to another user needs root")
			}
			require.NoError(t, os.Chown(dir, 65534, 65534))
		}},
		{name: "NotARegularFile", spoil: func(t *testing.T, _, path string) {
			require.NoError(t, os.Remove(path))
			require.NoError(t, os.Mkdir(path, 0o700))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := filepath.Join(t.TempDir(), "sessions")
			path := sessionfile.Path(dir, "sqlite:0123")
			require.NoError(t, sessionfile.Write(path, sample()))
			tc.spoil(t, dir, path)
			sf, err := sessionfile.Read(path)
			var ie *sessionfile.InsecureError
			require.True(t, errors.As(err, &ie), "%v", err)
			require.Equal(t, tc.exposed, ie.Exposed)
			if tc.exposed {
				require.Equal(t, "c2VjcmV0", sf.Secret, "an exposed file's secret is given back, to revoke it")
			} else {
				require.Nil(t, sf)
			}
		})
	}
}
