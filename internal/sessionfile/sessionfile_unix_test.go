//go:build unix

package sessionfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/internal/sessionfile"
)

// Mode bits and owners are Unix's; on Windows the session folder is under
// the user's profile, whose ACL keeps others out.
func TestInsecureFilesAreRefused(t *testing.T) {
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

// A session file in another user's folder is refused and left alone. The test
// plays another user (sessionfile.Owner) rather than giving the file
// away, which needs root; not parallel, so no other test sees it.
func TestAnotherUsersFilesAreRefused(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	path := sessionfile.Path(dir, "sqlite:0123")
	require.NoError(t, sessionfile.Write(path, sample()))
	before, err := os.ReadFile(path)
	require.NoError(t, err)
	me := sessionfile.Owner
	t.Cleanup(func() { sessionfile.Owner = me })
	sessionfile.Owner = func() int { return me() + 1 }
	sf, err := sessionfile.Read(path)
	var ie *sessionfile.InsecureError
	require.True(t, errors.As(err, &ie), "%v", err)
	require.Equal(t, "belongs to another user", ie.Reason)
	require.False(t, ie.Exposed)
	require.Nil(t, sf)
	after, err := os.ReadFile(path)
	require.NoError(t, err)
	require.Equal(t, before, after, "not touched")
}
