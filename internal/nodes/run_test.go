package nodes_test

import (
	"context"
	mathbig "math/big"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/core/watcher"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/nodes"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/postgres"
)

func TestMain(m *testing.M) { pgtest.Main(m, pgtest.Migrate) }

// Two desks on one Postgres database both start watchers for regtest: one
// follows the node, the other stands by, and a third desk hears every
// change through LISTEN/NOTIFY without reading the table.
func TestOneWatcherPerNetworkAcrossDesks(t *testing.T) {
	node := btcdtest.Start(t)
	node.Mature(t)
	url := pgtest.NewDatabase(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	desks := make([]*postgres.Store, 3)
	for i := range desks {
		s, err := postgres.Open(ctx, url)
		require.NoError(t, err)
		t.Cleanup(func() { s.Close() })
		desks[i] = s
	}
	svc, admin, deposit := setupDesk(t, desks[0], node)

	t.Setenv("TEST_BTCD_RPC_PASSWORD", node.Pass)
	set := nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{{Network: "regtest", Chain: core.ChainBitcoin, URL: "http://" + node.RPCHost,
		User: node.User, PasswordEnv: "TEST_BTCD_RPC_PASSWORD", Poll: "200ms"}}}, nodes.OpenAdapter)
	var passes [2]atomic.Int64
	var wg sync.WaitGroup
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			nodes.RunWatchers(ctx, desks[i], set, nodes.WatchOptions{OnPass: func(core.Network, watcher.Report, error) { passes[i].Add(1) }})
		}()
	}
	var mu sync.Mutex
	heard := map[string]int{}
	go func() {
		_ = desks[2].ListenDeposits(ctx, func(recordNo string) {
			mu.Lock()
			heard[recordNo]++
			mu.Unlock()
		})
	}()

	rec := depositAndCredit(t, svc, admin, node, deposit)
	// The pass that credited may still be running (a desk that took the
	// lease late catches up in one pass): a pass cut short by cancel is not
	// reported, so wait for one to finish first.
	require.Eventually(t, func() bool { return passes[0].Load()+passes[1].Load() > 0 }, 30*time.Second, 50*time.Millisecond)
	cancel()
	wg.Wait()

	followed, idle := passes[0].Load(), passes[1].Load()
	if followed == 0 {
		followed, idle = idle, followed
	}
	require.Positive(t, followed)
	require.Zero(t, idle, "the second desk stood by")
	mu.Lock()
	defer mu.Unlock()
	require.GreaterOrEqual(t, heard[rec.RecordNo], 2, "created, confirming, confirmations, credited: all pushed")
}

// depositAndCredit pays 0.015 BTC to deposit from the node's wallet,
// submits the application and waits until a running watcher credits it.
func depositAndCredit(t *testing.T, svc *core.Service, admin context.Context, node *btcdtest.Node, deposit btcutil.Address) *core.DepositRecord {
	t.Helper()
	txid := node.Send(t, deposit, 1_500_000)
	rec, _, err := svc.SubmitApplication(admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "req-1", CustomerNo: "C10001",
		SecuritiesAccount: "SA-20001", AssetSymbol: "BTC", Network: "regtest", Amount: "0.015",
		SourceAddress: node.Address().EncodeAddress(), TxID: txid})
	require.NoError(t, err)
	time.Sleep(500 * time.Millisecond) // a pass or two sees it in the mempool
	node.Generate(t, 3)
	require.Eventually(t, func() bool {
		det, err := svc.DepositDetail(admin, rec.RecordNo)
		return err == nil && det.Record.Status == core.StatusCredited
	}, 30*time.Second, 100*time.Millisecond)
	return rec
}

// setupDesk configures BTC regtest with a derived deposit address for
// customer C10001, whose own wallet is the node's harness key, proved by a
// BIP-137 signature.
func setupDesk(t *testing.T, st core.Store, node *btcdtest.Node) (*core.Service, context.Context, btcutil.Address) {
	t.Helper()
	ctx := context.Background()
	svc := wire.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	op, err := svc.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(t, err)
	admin := core.NewContextWithOperator(ctx, op)
	require.NoError(t, svc.SetFirmName(admin, "Example Securities"))
	xpub, err := testkeys.AccountXPub("deposit desk nodes test seed!!!!", 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	require.NoError(t, svc.CreateAsset(admin, &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8,
		MinDeposit: big(10_000), ConfirmationsRequired: 3, Enabled: true, AccountXPub: xpub}))
	require.NoError(t, svc.CreateCustomer(admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Wei Chan"}))
	w, err := svc.AddWalletAddress(admin, "C10001", core.ChainBitcoin, "regtest", node.Address().EncodeAddress(), "own wallet")
	require.NoError(t, err)
	ch, err := svc.IssueAddressChallenge(admin, w.ID)
	require.NoError(t, err)
	_, err = svc.ProveAddress(admin, ch.ID, core.ProofBIP137, node.SignMessage(ch.Message))
	require.NoError(t, err)
	da, err := svc.DepositAddress(admin, "C10001", "BTC", "regtest")
	require.NoError(t, err)
	to, err := btcutil.DecodeAddress(da.Address, node.Params)
	require.NoError(t, err)
	return svc, admin, to
}

func big(n int64) *mathbig.Int { return mathbig.NewInt(n) }

// The desk reaches geth through nodes.toml like an operator configures it,
// and the adapter it opens answers for the live chain.
func TestOpenReachesGeth(t *testing.T) {
	node := ethtest.Geth(t)
	cfg, err := nodes.Parse("[[node]]\nnetwork = 'dev'\nchain = 'ethereum'\nurl = '" + node.URL + "'\n")
	require.NoError(t, err)
	keyring.MockInit()
	chain, err := nodes.NewSet(cfg, nodes.OpenAdapter).Chain(context.Background(), core.Network{Chain: core.ChainEthereum, Name: "dev"})
	require.NoError(t, err)
	head, err := chain.Head(context.Background())
	require.NoError(t, err)
	require.NotEmpty(t, head.Hash)
}

func TestLagIsTheNodesHeadLessTheLastWatchedBlock(t *testing.T) {
	node := btcdtest.Start(t)
	node.Mature(t)
	st, err := postgres.Open(context.Background(), pgtest.NewDatabase(t))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	t.Setenv("TEST_BTCD_RPC_PASSWORD", node.Pass)
	regtest := core.Network{Chain: core.ChainBitcoin, Name: "regtest"}
	set := nodes.NewSet(&nodes.Config{Nodes: []nodes.Node{{Network: "regtest", Chain: core.ChainBitcoin, URL: "http://" + node.RPCHost,
		User: node.User, PasswordEnv: "TEST_BTCD_RPC_PASSWORD"}}}, nodes.OpenAdapter)
	chain, err := set.Chain(context.Background(), regtest)
	require.NoError(t, err)
	w := &watcher.Watcher{Network: regtest, Chain: chain, Store: st}
	_, err = w.Step(context.Background())
	require.NoError(t, err)
	node.Generate(t, 5) // the watcher has not looked since

	ctx, cancel := context.WithCancel(context.Background())
	lag := make(chan float64, 1)
	go nodes.ReportLag(ctx, st, set, time.Hour, func(n core.Network, blocks float64) {
		require.Equal(t, regtest, n)
		lag <- blocks
		cancel()
	})
	require.Equal(t, 5.0, <-lag)
}
