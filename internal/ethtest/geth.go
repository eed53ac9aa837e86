package ethtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/common/hexutil"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/ethclient"

	"depositdesk/internal/nodebin"
)

// EnvNodeBin names the directory scripts/nodes.sh installs geth into; make
// test exports it. Without it, geth is looked up on PATH.
const EnvNodeBin = nodebin.Env

// gethStartTimeout bounds a geth start; on 2 cores a cold start takes a few
// seconds, and a loaded CI machine many more.
const gethStartTimeout = 90 * time.Second

// mineTimeout bounds the wait for a transaction to be mined: one block per
// second, with room for a slow machine.
const mineTimeout = 60 * time.Second

// Node is a running `geth --dev` (chain id 1337, one block per second, in
// memory) that the test's Cleanup kills.
type Node struct {
	*Chain
	URL string         // HTTP JSON-RPC endpoint
	Dev common.Address // the funded developer account geth unlocks
	eth *ethclient.Client
}

// Geth starts geth --dev --dev.period 1 on free local ports and waits for
// its RPC. The binary comes from $DEPOSITDESK_NODE_BIN, then PATH; without
// one the test fails (never skips), saying how to install it.
func Geth(tb testing.TB) *Node {
	tb.Helper()
	bin, err := nodebin.Find("geth")
	if err != nil {
		tb.Fatalf("ethtest: %v", err)
	}
	// A free port found here can be taken before geth binds it; geth then
	// exits at once and another pair is tried.
	var lastErr error
	for range 3 {
		n, err := startGeth(tb, bin)
		if err == nil {
			return n
		}
		lastErr = err
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	tb.Fatalf("ethtest: %v", lastErr)
	return nil
}

func startGeth(tb testing.TB, bin string) (*Node, error) {
	tb.Helper()
	httpPort, err := freePort()
	if err != nil {
		return nil, err
	}
	authPort, err := freePort()
	if err != nil {
		return nil, err
	}
	// No --datadir: geth --dev then keeps the chain in memory, where a data
	// dir would make it preallocate ~1.4 GB.
	cmd := exec.Command(bin, "--dev", "--dev.period", "1",
		"--http", "--http.addr", "127.0.0.1", "--http.port", strconv.Itoa(httpPort),
		"--http.api", "eth,net,web3",
		"--port", "0", "--authrpc.addr", "127.0.0.1", "--authrpc.port", strconv.Itoa(authPort),
		"--nodiscover", "--maxpeers", "0", "--ipcdisable", "--verbosity", "2")
	logs := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	setPdeathsig(cmd) // geth dies with the test binary, even on a timeout panic
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	stop := func() {
		_ = cmd.Process.Kill()
		<-exited
	}

	url := "http://127.0.0.1:" + strconv.Itoa(httpPort)
	eth, dev, err := waitRPC(url, exited)
	if err != nil {
		stop()
		return nil, fmt.Errorf("geth --dev on %s: %w\n--- geth log ---\n%s", url, err, logs.tail(4000))
	}
	tb.Cleanup(func() {
		eth.Close()
		stop()
		if tb.Failed() {
			tb.Logf("geth log (last lines):\n%s", logs.tail(4000))
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := eth.ChainID(ctx)
	if err != nil {
		return nil, fmt.Errorf("geth chain id: %w", err)
	}
	n := &Node{URL: url, Dev: dev, eth: eth}
	n.Chain = &Chain{tb: tb, Client: eth, ChainID: id}
	n.mine = func(tx *types.Transaction) *types.Receipt {
		tb.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), mineTimeout)
		defer cancel()
		r, err := waitReceipt(ctx, eth, tx.Hash(), mineTimeout)
		if err != nil {
			tb.Fatalf("ethtest: geth did not mine %s: %v", tx.Hash().Hex(), err)
		}
		return r
	}
	return n, nil
}

// waitRPC dials url until geth answers with its developer account, or
// until geth exits or gethStartTimeout passes.
func waitRPC(url string, exited <-chan error) (*ethclient.Client, common.Address, error) {
	deadline := time.Now().Add(gethStartTimeout)
	var lastErr error
	for time.Now().Before(deadline) {
		select {
		case err := <-exited:
			return nil, common.Address{}, fmt.Errorf("geth exited before answering: %v", err)
		case <-time.After(200 * time.Millisecond):
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		eth, err := ethclient.DialContext(ctx, url)
		if err == nil {
			var accounts []common.Address
			err = eth.Client().CallContext(ctx, &accounts, "eth_accounts")
			if err == nil && len(accounts) == 0 {
				err = errors.New("no developer account yet")
			}
			if err == nil {
				cancel()
				return eth, accounts[0], nil
			}
			eth.Close()
		}
		cancel()
		lastErr = err
	}
	return nil, common.Address{}, fmt.Errorf("no answer within %s: %v", gethStartTimeout, lastErr)
}

// Fund sends wei from the developer account to to with eth_sendTransaction
// and waits until it is mined.
func (n *Node) Fund(to common.Address, wei *big.Int) {
	n.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), mineTimeout)
	defer cancel()
	var hash common.Hash
	err := n.eth.Client().CallContext(ctx, &hash, "eth_sendTransaction", map[string]any{
		"from":  n.Dev,
		"to":    to,
		"value": (*hexutil.Big)(wei),
	})
	if err != nil {
		n.tb.Fatalf("ethtest: fund %s from the dev account: %v", to.Hex(), err)
	}
	r, err := waitReceipt(ctx, n.eth, hash, mineTimeout)
	if err != nil {
		n.tb.Fatalf("ethtest: funding %s: %v", to.Hex(), err)
	}
	if r.Status != types.ReceiptStatusSuccessful {
		n.tb.Fatalf("ethtest: funding %s failed", to.Hex())
	}
}

// NewAccount returns a fresh key funded with wei from the developer account.
func (n *Node) NewAccount(wei *big.Int) *Account {
	n.tb.Helper()
	a := NewAccount(n.tb)
	n.Fund(a.Address, wei)
	return a
}

// WaitHeight waits until the chain is at least at height h.
func (n *Node) WaitHeight(h uint64) {
	n.tb.Helper()
	deadline := time.Now().Add(mineTimeout)
	for n.Height() < h {
		if time.Now().After(deadline) {
			n.tb.Fatalf("ethtest: geth did not reach height %d within %s", h, mineTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// syncBuffer collects geth's output for failure messages; geth writes from
// its own goroutines while the test may read.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.buf.Len() > 1<<20 { // keep memory bounded on a long test
		b.buf.Next(b.buf.Len() / 2)
	}
	return b.buf.Write(p)
}

func (b *syncBuffer) tail(n int) string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf.String()
	if len(s) > n {
		s = "…" + s[len(s)-n:]
	}
	return s
}
