//go:build unix

package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/internal/sessionfile"
)

// A session file of another user is not used, nor touched. The test plays
// another user (sessionfile.Owner) rather than giving the file away, which
// needs root; not parallel, so no other test sees it.
func TestSessionFileOfAnotherUserIsNotUsed(t *testing.T) {
	c := newAdminDesk(t, filepath.Join(t.TempDir(), "desk.db"))
	path := c.login("admin", adminPW)
	me := sessionfile.Owner
	t.Cleanup(func() { sessionfile.Owner = me })
	sessionfile.Owner = func() int { return me() + 1 }
	r := c.bare("asset", "list")
	require.Equal(t, 6, r.code, r.stderr)
	require.Contains(t, r.stderr, "belongs to another user; it was not used")
	require.FileExists(t, path)
	r = c.bare("logout")
	require.Equal(t, 6, r.code, r.stderr)
	require.FileExists(t, path)
}
