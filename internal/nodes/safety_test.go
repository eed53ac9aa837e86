package nodes_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/nodes"
	"depositdesk/internal/silentnode"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

var (
	btcRegtest  = core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	btcTestnet3 = core.Network{Chain: core.ChainBitcoin, Name: "testnet3"}
	ethMainnet  = core.Network{Chain: core.ChainEthereum, Name: "mainnet"}
	ethDev      = core.Network{Chain: core.ChainEthereum, Name: "dev"}
)

// btcdNode is nodes.toml's entry for a btcdtest node under name as network.
func btcdNode(t *testing.T, n *btcdtest.Node, name, network string) nodes.Node {
	t.Setenv("TEST_BTCD_RPC_PASSWORD", n.Pass)
	return nodes.Node{Name: name, Chain: core.ChainBitcoin, Network: network, URL: "http://" + n.RPCHost, User: n.User,
		PasswordEnv: "TEST_BTCD_RPC_PASSWORD", Poll: "100ms"}
}

// A node serving another network than the one it is configured for is
// refused before any of its answers is used: a dev chain cannot credit
// mainnet deposits, a regtest node cannot vouch for testnet3.
func TestANodeOfAnotherNetworkIsRefused(t *testing.T) {
	btcd := btcdtest.Start(t)
	geth := ethtest.Geth(t)
	set := nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{
		{Name: "geth", Chain: core.ChainEthereum, Network: "mainnet", URL: geth.URL},
		btcdNode(t, btcd, "btcd-as-testnet3", "testnet3"),
		btcdNode(t, btcd, "btcd", "regtest"),
		{Name: "geth-dev", Chain: core.ChainEthereum, Network: "dev", URL: geth.URL},
	}}, nodes.OpenAdapter)
	ctx := context.Background()

	_, err := set.Chain(ctx, ethMainnet)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "Node geth: The node serves ethereum/dev or ethereum/simulated (chain id 1337, genesis 0x")
	require.Contains(t, core.ErrorMessage(err), "not ethereum/mainnet: refused.")
	_, err = set.Chain(ctx, btcTestnet3)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), `The node serves bitcoin/regtest (chain "regtest", genesis 0f9188f13cb7…), not bitcoin/testnet3: refused.`)

	for _, n := range []core.Network{btcRegtest, ethDev} {
		c, err := set.Chain(ctx, n)
		require.NoError(t, err, "the same nodes under their own networks")
		_, err = c.Head(ctx)
		require.NoError(t, err)
	}
	states := map[string]nodes.NodeState{}
	for _, s := range set.Check(ctx) {
		states[s.Node] = s.State
	}
	require.Equal(t, map[string]nodes.NodeState{"geth": nodes.NodeRefused, "btcd-as-testnet3": nodes.NodeRefused,
		"btcd": nodes.NodeOK, "geth-dev": nodes.NodeOK}, states)

	// A refused node answers nothing, whatever is asked of it.
	refused := set.Nodes(btcTestnet3)[0]
	_, err = refused.Head(ctx)
	require.Contains(t, core.ErrorMessage(err), "not bitcoin/testnet3: refused.")
}

// rpcLog is a JSON-RPC proxy in front of one node that remembers every
// request body, so a test can say what each node was asked.
type rpcLog struct {
	mu     sync.Mutex
	bodies []string
}

func (l *rpcLog) asked() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.bodies, "\n")
}

func proxy(t *testing.T, target string) (string, *rpcLog) {
	t.Helper()
	l := &rpcLog{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		l.mu.Lock()
		l.bodies = append(l.bodies, string(body))
		l.mu.Unlock()
		req, _ := http.NewRequestWithContext(r.Context(), r.Method, target, bytes.NewReader(body))
		req.Header = r.Header.Clone()
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer res.Body.Close()
		w.Header().Set("Content-Type", res.Header.Get("Content-Type"))
		w.WriteHeader(res.StatusCode)
		_, _ = io.Copy(w, res.Body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, l
}

// Each network's watcher asks only that network's node, and a network
// whose node never answers holds up no other: the Bitcoin deposit is
// credited while the Ethereum watcher times out and retries.
func TestEachWatcherAsksOnlyItsOwnNodeAndASilentOneHoldsUpNoOther(t *testing.T) {
	btcd := btcdtest.Start(t)
	btcd.Mature(t)
	geth := ethtest.Geth(t)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc, admin, deposit := setupDesk(t, st, btcd)

	btcURL, btcAsked := proxy(t, "http://"+btcd.RPCHost)
	gethURL, gethAsked := proxy(t, geth.URL)
	btcNode := btcdNode(t, btcd, "", "regtest")
	btcNode.URL = btcURL
	set := nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{btcNode,
		{Chain: core.ChainEthereum, Network: "dev", URL: gethURL, Poll: "100ms"},
		{Chain: core.ChainEthereum, Network: "sepolia", URL: silentnode.Start(t).URL, Poll: "100ms", Timeout: "300ms"},
	}}, nodes.OpenAdapter)
	svc.Nodes = set

	var mu sync.Mutex
	failures := map[core.Network][]string{}
	var btcFailures []error // in full: an internal error's message says only that
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		nodes.RunWatchers(ctx, st, set, nodes.WatchOptions{OnPass: func(n core.Network, _ watcher.Report, err error) {
			if err != nil {
				mu.Lock()
				failures[n] = append(failures[n], core.ErrorMessage(err))
				if n == btcRegtest {
					btcFailures = append(btcFailures, err)
				}
				mu.Unlock()
			}
		}})
	}()

	txid := btcd.Send(t, deposit, 1_500_000)
	rec, _, err := svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "req-1", CustomerNo: "C10001",
		SecuritiesAccount: "SA-20001", AssetSymbol: "BTC", Network: "regtest", Amount: "0.015",
		SourceAddress: btcd.Address().EncodeAddress(), TxID: txid})
	require.NoError(t, err)
	// A desk with only an Ethereum node cannot tell whether this Bitcoin
	// transaction is on chain, so it refuses to cancel: it never asks the
	// Ethereum node, which would answer "not found".
	ethOnly := wire.NewService(st)
	ethOnly.Nodes = nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{{Chain: core.ChainEthereum, Network: "dev", URL: gethURL}}}, nodes.OpenAdapter)
	gethBefore := len(gethAsked.asked())
	_, err = ethOnly.CancelDeposit(admin, rec.RecordNo, "Duplicate user request")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "No bitcoin/regtest node is configured")
	require.Equal(t, gethBefore, len(gethAsked.asked()), "the Ethereum node was not asked about a Bitcoin transaction")

	btcd.Generate(t, 3)
	require.Eventually(t, func() bool {
		det, err := svc.DepositDetail(admin, rec.RecordNo)
		return err == nil && det.Record.Status == core.StatusCredited
	}, 30*time.Second, 50*time.Millisecond, "the silent Sepolia node held up nothing")
	sepolia := core.Network{Chain: core.ChainEthereum, Name: "sepolia"}
	require.Eventually(t, func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(failures[sepolia]) >= 2
	}, 10*time.Second, 50*time.Millisecond, "the Sepolia watcher fails its passes and retries")
	cancel()
	<-done

	require.Contains(t, btcAsked.asked(), txid, "the Bitcoin node was asked about the Bitcoin deposit")
	require.NotContains(t, gethAsked.asked(), txid, "the Ethereum node never was")
	require.NotContains(t, gethAsked.asked(), "getblock", "nor any Bitcoin method")
	require.NotContains(t, btcAsked.asked(), "eth_", "and the Bitcoin node no Ethereum one")
	mu.Lock()
	defer mu.Unlock()
	require.Equal(t, "Node ethereum/sepolia did not answer in 300ms.", failures[sepolia][0])
	require.Equal(t, "Node ethereum/sepolia did not answer in 300ms.", failures[sepolia][1])
	require.Empty(t, btcFailures)
}

// Two nodes of one network: while they share the chain the deposit is
// credited, confirmed by both; when the second has other blocks at the
// deposit's height the deposit is held with both answers, never credited.
func TestTwoNodesOfOneNetworkMustAgree(t *testing.T) {
	own := btcdtest.Start(t)
	own.Mature(t)
	provider := own.Fork(t)
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc, admin, deposit := setupDesk(t, st, own)
	set := nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{btcdNode(t, own, "own", "regtest"), btcdNode(t, provider, "provider", "regtest")}},
		nodes.OpenAdapter)
	chain, err := set.Chain(context.Background(), btcRegtest)
	require.NoError(t, err)
	w := &watcher.Watcher{Network: btcRegtest, Chain: chain, NodeName: "own", Store: st,
		Witnesses: []watcher.Witness{{Name: "provider", Chain: set.Nodes(btcRegtest)[1]}}}
	step := func() {
		t.Helper()
		_, err := w.Step(context.Background())
		require.NoError(t, err)
	}
	submit := func(key string) *core.DepositRecord {
		t.Helper()
		txid := own.Send(t, deposit, 1_500_000)
		rec, _, err := svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: key, CustomerNo: "C10001",
			SecuritiesAccount: "SA-20001", AssetSymbol: "BTC", Network: "regtest", Amount: "0.015",
			SourceAddress: own.Address().EncodeAddress(), TxID: txid})
		require.NoError(t, err)
		return rec
	}
	status := func(rec *core.DepositRecord) (core.DepositStatus, string) {
		t.Helper()
		det, err := svc.DepositDetail(admin, rec.RecordNo)
		require.NoError(t, err)
		var trail []string
		for _, e := range det.Trail {
			trail = append(trail, e.Action+": "+e.Remarks)
		}
		return det.Record.Status, strings.Join(trail, "\n")
	}

	step()
	agreed := submit("req-agreed")
	own.Connect(t, provider)
	own.Generate(t, 3)
	require.Eventually(t, func() bool { return provider.BestHash(t) == own.BestHash(t) }, 30*time.Second, 20*time.Millisecond)
	step()
	got, trail := status(agreed)
	require.Equal(t, core.StatusCredited, got, trail)
	require.Contains(t, trail, "Confirmed by provider.")

	own.Disconnect(t, provider)
	disputed := submit("req-disputed")
	own.Generate(t, 3)
	provider.Generate(t, 4) // its own blocks at the same heights
	step()
	got, trail = status(disputed)
	require.Equal(t, core.StatusHeld, got, trail)
	require.Regexp(t, `deposit.hold: Nodes disagree on block \d+: own says [0-9a-f]{64}, provider says [0-9a-f]{64}\.`, trail)
	require.NotContains(t, trail, "deposit.credit")
}
