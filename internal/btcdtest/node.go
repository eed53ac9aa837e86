// Package btcdtest runs tests against real btcd regtest nodes: a process
// per node in a temp dir on random local ports, a key the harness holds as
// the mining address, helpers to mine, pay from mature coinbases,
// double-spend, and reorganise the chain with a second node.
//
// btcd has no wallet, so the harness builds and signs its transactions
// itself (P2WPKH, txscript witness signatures). Its binary comes from
// $DEPOSITDESK_NODE_BIN (which `make test` and scripts/nodes.sh fill), then
// PATH; a missing binary fails the test, it never skips.
package btcdtest

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/rpcclient"

	"depositdesk/internal/nodebin"
)

// EnvBin names the directory the node binaries are installed in.
const EnvBin = nodebin.Env

// MatureHeight is the height Mature mines to: segwit activates on regtest at
// 432 and a coinbase may be spent 100 blocks after its own, so at this
// height every coinbase up to 432 is spendable by a witness transaction.
const MatureHeight = 432 + 101

// Node is one running btcd --regtest process.
type Node struct {
	RPCHost string // host:port of the JSON-RPC server (HTTP, no TLS)
	P2PHost string // host:port it accepts peers on
	User    string
	Pass    string
	Params  *chaincfg.Params // always regtest
	Dir     string           // data and log dir, removed by Stop

	cmd    *exec.Cmd
	exited chan struct{} // closed when the process has exited
	client *rpcclient.Client
	wallet *wallet
	stop   sync.Once
}

// Start runs a node for the test and stops it when the test ends. The node
// starts at genesis; call Mature before paying from it.
func Start(tb testing.TB) *Node {
	tb.Helper()
	n, err := Launch()
	if err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
	tb.Cleanup(n.Stop)
	return n
}

// Launch runs a node that the caller must Stop: for TestMain, or anything
// outliving one test. Start is the usual entry.
func Launch() (*Node, error) {
	w, err := newWallet()
	if err != nil {
		return nil, err
	}
	return launch(w)
}

func launch(w *wallet) (*Node, error) {
	bin, err := nodebin.Find("btcd")
	if err != nil {
		return nil, err
	}
	reapOrphans()
	// A port picked free can be taken again before btcd binds it; a few
	// attempts with new ports make that race harmless.
	var last error
	for range 3 {
		n, err := spawn(bin, w)
		if err == nil {
			return n, nil
		}
		last = err
	}
	return nil, last
}

func spawn(bin string, w *wallet) (*Node, error) {
	dir, err := tempDir()
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	rpcPort, err1 := freePort()
	p2pPort, err2 := freePort()
	if err := errors.Join(err1, err2); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	n := &Node{
		RPCHost: net.JoinHostPort("127.0.0.1", strconv.Itoa(rpcPort)),
		P2PHost: net.JoinHostPort("127.0.0.1", strconv.Itoa(p2pPort)),
		User:    "desk",
		Pass:    "desk-regtest",
		Params:  &chaincfg.RegressionNetParams,
		Dir:     dir,
		exited:  make(chan struct{}),
		wallet:  w,
	}
	args := []string{
		"--regtest", "--datadir=" + dir, "--logdir=" + dir,
		// An empty config file keeps a developer's ~/.btcd/btcd.conf out.
		"--configfile=" + filepath.Join(dir, "btcd.conf"),
		"--rpcuser=" + n.User, "--rpcpass=" + n.Pass,
		"--rpclisten=" + n.RPCHost, "--listen=" + n.P2PHost,
		"--notls", "--txindex", "--addrindex", "--nodnsseed", "--nocfilters",
		// btcd serves 10 RPC connections at once by default and turns the
		// next away; a test's watchers, proxies and harness calls together
		// can pass that on a loaded machine, failing a pass the test
		// expects clean.
		"--rpcmaxclients=100",
		"--miningaddr=" + w.addr.EncodeAddress(),
		"--debuglevel=info",
	}
	if err := os.WriteFile(filepath.Join(dir, "btcd.conf"), nil, 0o644); err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	out, err := os.Create(filepath.Join(dir, "stdout.log"))
	if err != nil {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	defer out.Close()
	n.cmd = exec.Command(bin, args...)
	// btcd creates ~/.btcd whatever its flags say; a HOME inside the temp
	// dir keeps the real one untouched.
	n.cmd.Env = append(os.Environ(), "HOME="+dir)
	n.cmd.Stdout, n.cmd.Stderr = out, out
	n.cmd.SysProcAttr = sysProcAttr()
	if err := n.cmd.Start(); err != nil {
		_ = os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	_ = os.WriteFile(filepath.Join(dir, nodeFile), []byte(strconv.Itoa(n.cmd.Process.Pid)), 0o644)
	go func() { _ = n.cmd.Wait(); close(n.exited) }()
	if err := n.waitReady(30 * time.Second); err != nil {
		msg := n.logTail()
		n.Stop()
		return nil, fmt.Errorf("%w\n%s", err, msg)
	}
	return n, nil
}

// waitReady polls until the RPC server answers. It dials before calling
// because rpcclient retries a refused connection for about 22 s.
func (n *Node) waitReady(limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		select {
		case <-n.exited:
			return errors.New("btcd exited while starting")
		default:
		}
		if c, err := net.DialTimeout("tcp", n.RPCHost, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("btcd RPC at %s not up after %v", n.RPCHost, limit)
		}
		time.Sleep(25 * time.Millisecond)
	}
	cl, err := rpcclient.New(n.ConnConfig(), nil)
	if err != nil {
		return err
	}
	n.client = cl
	if _, err := cl.GetBlockCount(); err != nil {
		return fmt.Errorf("btcd RPC at %s: %w", n.RPCHost, err)
	}
	return nil
}

// ConnConfig is an rpcclient configuration for the node (HTTP POST mode,
// no TLS).
func (n *Node) ConnConfig() *rpcclient.ConnConfig {
	return &rpcclient.ConnConfig{
		Host: n.RPCHost, User: n.User, Pass: n.Pass,
		HTTPPostMode: true, DisableTLS: true,
	}
}

// Client is the harness's own RPC client to the node; it is safe for
// concurrent use and closed by Stop.
func (n *Node) Client() *rpcclient.Client { return n.client }

// Stop kills the node and removes its dir. It is idempotent; Start
// registers it with t.Cleanup. Killing is fine: the chain is thrown away.
func (n *Node) Stop() {
	n.stop.Do(func() {
		if n.client != nil {
			n.client.Shutdown()
		}
		if n.cmd != nil && n.cmd.Process != nil {
			_ = n.cmd.Process.Kill()
			<-n.exited
		}
		_ = os.RemoveAll(n.Dir)
	})
}

// logTail is the end of btcd's output, to explain a failed start.
func (n *Node) logTail() string {
	b, _ := os.ReadFile(filepath.Join(n.Dir, "stdout.log"))
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(bytes.TrimSpace(b))
}

// findBinary looks in $DEPOSITDESK_NODE_BIN, then PATH.

// ownerFile holds the PID of the test binary that started a node, nodeFile
// the PID of btcd itself.
const (
	ownerFile = "owner.pid"
	nodeFile  = "btcd.pid"
	dirPrefix = "depositdesk-btcd-"
)

// reapOrphans kills nodes whose test binary died without stopping them (a
// test timeout's panic skips cleanups) and removes their dirs. A btcd PID
// is only signalled while its command line still names that dir, so a
// reused PID is left alone.
func reapOrphans() {
	for _, parent := range []string{"/dev/shm", os.TempDir()} {
		dirs, _ := filepath.Glob(filepath.Join(parent, dirPrefix+"*"))
		for _, dir := range dirs {
			if pid, ok := readPID(filepath.Join(dir, ownerFile)); !ok || processAlive(pid) {
				continue
			}
			if pid, ok := readPID(filepath.Join(dir, nodeFile)); ok {
				if cmdline, err := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid)); err == nil &&
					strings.Contains(string(cmdline), dir) {
					if p, err := os.FindProcess(pid); err == nil {
						_ = p.Kill()
					}
				}
			}
			_ = os.RemoveAll(dir)
		}
	}
}

func readPID(path string) (int, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid, err == nil
}

// tempDir prefers a memory file system (Linux /dev/shm): the chain is
// thrown away, and mining hundreds of blocks writes less to disk.
func tempDir() (string, error) {
	if dir, err := os.MkdirTemp("/dev/shm", dirPrefix); err == nil {
		return dir, nil
	}
	return os.MkdirTemp("", dirPrefix)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
