package btcdtest_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/btcdtest"
)

var shared btcdtest.Shared

func TestMain(m *testing.M) {
	code := m.Run()
	shared.Stop()
	os.Exit(code)
}

func TestSharedNodeIsMatureAndPays(t *testing.T) {
	t.Parallel()
	n := shared.Get(t)
	require.Same(t, n, shared.Get(t), "one node per binary")
	require.GreaterOrEqual(t, n.Height(t), int64(btcdtest.MatureHeight))

	to := btcdtest.NewAddress(t)
	txid := n.Send(t, to, 12_345)
	// Another test may mine it at once; either way the node knows it.
	tx, err := n.Client().GetRawTransactionVerbose(hash(t, txid))
	require.NoError(t, err)
	require.Len(t, tx.Vin, 1)
	require.Len(t, tx.Vin[0].Witness, 2, "P2WPKH: signature and public key")
	require.Equal(t, to.EncodeAddress(), tx.Vout[0].ScriptPubKey.Address)
	require.Equal(t, n.Address().EncodeAddress(), tx.Vout[1].ScriptPubKey.Address, "change")
}

func TestStartStopRemovesTheNode(t *testing.T) {
	t.Parallel()
	n := btcdtest.Start(t)
	require.Zero(t, n.Height(t))
	hashes := n.Generate(t, 3)
	require.Len(t, hashes, 3)
	require.Equal(t, hashes[2].String(), n.BestHash(t))
	_, err := os.Stat(filepath.Join(n.Dir, ".btcd"))
	require.True(t, os.IsNotExist(err) || err == nil, "btcd's own ~/.btcd lands in the temp dir, if anywhere")

	n.Stop()
	n.Stop() // idempotent
	_, err = os.Stat(n.Dir)
	require.True(t, os.IsNotExist(err))
	_, err = n.Client().GetBlockCount()
	require.Error(t, err)
}

func TestSendBeforeMatureFails(t *testing.T) {
	t.Parallel()
	n := btcdtest.Start(t)
	n.Generate(t, 150) // coinbases mature, segwit not active
	require.Zero(t, n.Spendable(t))
	ft := &fatalRecorder{TB: t}
	func() {
		defer func() { _ = recover() }()
		n.Send(ft, btcdtest.NewAddress(t), 1000)
	}()
	require.True(t, ft.failed, "no segwit spend before height 432")
}

// TestForkReorganisesAndDoubleSpends: a payment mined on one node is
// double-spent on its fork, whose longer chain then wins.
func TestForkReorganisesAndDoubleSpends(t *testing.T) {
	t.Parallel()
	n := btcdtest.Start(t)
	n.Mature(t)
	f := n.Fork(t)
	require.Equal(t, n.BestHash(t), f.BestHash(t))

	to := btcdtest.NewAddress(t)
	spendable := n.Spendable(t)
	require.Equal(t, btcdtest.MatureHeight-99, spendable, "every coinbase 100 blocks below the next block")
	orig := n.Send(t, to, 50_000)
	require.Equal(t, spendable-1, n.Spendable(t), "a small payment spends one coinbase")
	require.True(t, n.InMempool(t, orig))
	require.False(t, f.InMempool(t, orig), "mempools are not shared after Fork")
	mined := n.Generate(t, 1)[0]

	double := f.SendConflicting(t, orig, to, 40_000)
	require.NotEqual(t, orig, double)
	longer := f.Generate(t, 2)
	n.Connect(t, f)
	require.Equal(t, longer[1].String(), n.BestHash(t))

	tx, err := n.Client().GetRawTransactionVerbose(hash(t, double))
	require.NoError(t, err)
	require.Equal(t, longer[0].String(), tx.BlockHash)
	_, err = n.Client().GetBlockVerbose(mined)
	require.Error(t, err, "the old block left the main chain")

	n.Disconnect(t, f)
	n.Generate(t, 1)
	require.NotEqual(t, n.BestHash(t), f.BestHash(t))
}

func TestMissingBinaryFailsWithAHint(t *testing.T) {
	t.Setenv(btcdtest.EnvBin, t.TempDir())
	t.Setenv("PATH", t.TempDir())
	_, err := btcdtest.Launch()
	require.ErrorContains(t, err, "make test")
	require.ErrorContains(t, err, "scripts/nodes.sh")
}

// fatalRecorder notes a Fatal instead of ending the test; Fatal's
// runtime.Goexit is replaced by a panic the caller recovers.
type fatalRecorder struct {
	testing.TB
	failed bool
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed = true
	f.Logf("recorded: "+format, args...)
	panic("fatal")
}

func hash(t *testing.T, s string) *chainhash.Hash {
	t.Helper()
	h, err := chainhash.NewHashFromStr(s)
	require.NoError(t, err)
	return h
}
