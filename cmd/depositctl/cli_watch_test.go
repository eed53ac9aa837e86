package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/internal/btcdtest"
)

// asDepositctl makes the test binary run depositctl's main instead of the
// tests (TestMain): a real process of its own for tests that need two.
const asDepositctl = "DEPOSITCTL_TEST_RUN_MAIN"

// watchProcess is `depositctl watch` running in a process of its own.
type watchProcess struct {
	cmd  *exec.Cmd
	mu   sync.Mutex
	logs []string
	read sync.WaitGroup
}

func startWatch(t *testing.T, db, nodesFile, password string) *watchProcess {
	t.Helper()
	p := &watchProcess{cmd: exec.Command(os.Args[0], "--db", db, "--nodes", nodesFile, "--operator", "admin", "watch", "--standby", "200ms")}
	p.cmd.Env = append(os.Environ(), asDepositctl+"=1", "TEST_BTCD_RPC_PASSWORD="+password, "DEPOSITDESK_PASSWORD="+adminPW)
	stderr, err := p.cmd.StderrPipe()
	require.NoError(t, err)
	require.NoError(t, p.cmd.Start())
	p.read.Go(func() {
		for sc := bufio.NewScanner(stderr); sc.Scan(); {
			p.mu.Lock()
			p.logs = append(p.logs, sc.Text())
			p.mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		p.read.Wait()
		_ = p.cmd.Wait()
	})
	return p
}

// said reports whether the process logged msg.
func (p *watchProcess) said(msg string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.logs {
		if strings.Contains(l, fmt.Sprintf("msg=%q", msg)) {
			return true
		}
	}
	return false
}

// stop interrupts the process as Ctrl-C would and returns its exit status.
func (p *watchProcess) stop(t *testing.T) int {
	t.Helper()
	require.NoError(t, p.cmd.Process.Signal(syscall.SIGINT))
	p.read.Wait()
	err := p.cmd.Wait()
	if err != nil {
		require.IsType(t, &exec.ExitError{}, err)
	}
	return p.cmd.ProcessState.ExitCode()
}

// Two `depositctl watch` processes on one SQLite file: exactly one follows
// the network; when it is stopped, the other takes over.
func TestTwoWatchProcessesOnOneSQLiteFileFollowOneAtATime(t *testing.T) {
	t.Parallel()
	node := btcdtest.Start(t)
	dir := t.TempDir()
	db, nodesFile := filepath.Join(dir, "desk.db"), filepath.Join(dir, "nodes.toml")
	require.NoError(t, os.WriteFile(nodesFile, fmt.Appendf(nil, "[[node]]\nchain = 'bitcoin'\nnetwork = 'regtest'\nurl = 'http://%s'\n"+
		"user = '%s'\npassword_env = 'TEST_BTCD_RPC_PASSWORD'\npoll = '200ms'\n", node.RPCHost, node.User), 0o600))
	var out, errb bytes.Buffer
	require.Equal(t, 0, run(context.Background(), []string{"--db", db, "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all"},
		strings.NewReader(adminPW+"\n"), &out, &errb), errb.String())

	procs := []*watchProcess{startWatch(t, db, nodesFile, node.Pass), startWatch(t, db, nodesFile, node.Pass)}
	var leader, standby *watchProcess
	require.Eventually(t, func() bool {
		for i, p := range procs {
			if p.said("following the chain") {
				leader, standby = p, procs[1-i]
				return true
			}
		}
		return false
	}, 30*time.Second, 20*time.Millisecond, "no watch process follows")
	require.Eventually(t, func() bool { return standby.said("standing by") }, 30*time.Second, 20*time.Millisecond)
	node.Generate(t, 3)
	time.Sleep(time.Second) // the standby asks again five times meanwhile
	require.False(t, standby.said("following the chain"), "both processes follow")

	require.Equal(t, 0, leader.stop(t))
	require.Eventually(t, func() bool { return standby.said("following the chain") }, 10*time.Second, 20*time.Millisecond,
		"the standby did not take over")
	require.Equal(t, 0, standby.stop(t))
}
