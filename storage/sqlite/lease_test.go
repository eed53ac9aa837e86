package sqlite_test

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
)

var regtest = core.Network{Chain: core.ChainBitcoin, Name: "regtest"}

func TestWatcherLockIsAPrivateFileBesideTheDatabase(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	lease, err := s.TryLockWatcher(context.Background(), regtest)
	require.NoError(t, err)
	lock := path + ".watch-bitcoin-regtest.lock"
	require.Equal(t, lock, sqlite.WatcherLockPath(path, regtest))
	st, err := os.Stat(lock)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), st.Mode().Perm())
	lease.Release()
	_, err = os.Stat(lock)
	require.NoError(t, err, "a lock file is never removed: another process may be about to lock it")

	require.Equal(t, "/d/desk.db.watch-bitcoin-a%2F..%2Fb%3A.lock",
		sqlite.WatcherLockPath("/d/desk.db", core.Network{Chain: core.ChainBitcoin, Name: "a/../b:"}),
		"a network name stays one file name")
}

// Two names for one file (a symbolic link, a relative path) are one
// database, so they meet at one lock.
func TestEveryNameOfTheFileSharesItsLock(t *testing.T) {
	t.Parallel()
	a, path := open(t)
	link := filepath.Join(t.TempDir(), "link.db")
	require.NoError(t, os.Symlink(path, link))
	b, err := sqlite.Open(context.Background(), link)
	require.NoError(t, err)
	t.Cleanup(func() { b.Close() })

	lease, err := a.TryLockWatcher(context.Background(), regtest)
	require.NoError(t, err)
	defer lease.Release()
	_, err = b.TryLockWatcher(context.Background(), regtest)
	require.ErrorIs(t, err, core.ErrWatcherLocked)
}

// The lock is the operating system's: another process's lease refuses
// ours, and its death (no Release, no cleanup) frees the network.
func TestWatcherLeaseHoldsAcrossProcessesUntilTheHolderDies(t *testing.T) {
	t.Parallel()
	s, path := open(t)
	helper := exec.Command(os.Args[0], "-test.run=^$")
	helper.Env = append(os.Environ(), sqlite.HoldLeaseEnv+"="+path)
	stdin, err := helper.StdinPipe()
	require.NoError(t, err)
	defer stdin.Close()
	stdout, err := helper.StdoutPipe()
	require.NoError(t, err)
	require.NoError(t, helper.Start())
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(t, err, "the helper process did not take the lease")
	require.Equal(t, "held\n", line)

	_, err = s.TryLockWatcher(context.Background(), regtest)
	require.ErrorIs(t, err, core.ErrWatcherLocked)

	require.NoError(t, helper.Process.Kill())
	_ = helper.Wait()
	lease, err := s.TryLockWatcher(context.Background(), regtest)
	require.NoError(t, err, "a dead holder's lock is free")
	lease.Release()
}

func TestInMemoryDatabaseIsRefused(t *testing.T) {
	t.Parallel()
	_, err := sqlite.Open(context.Background(), ":memory:")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "%v", err)
}
