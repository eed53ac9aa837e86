package btcdtest_test

import (
	"os"
	"testing"
	"time"

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

func TestTiming(t *testing.T) {
	t0 := time.Now()
	n := btcdtest.Start(t)
	t.Logf("start %v", time.Since(t0))
	t0 = time.Now()
	n.Mature(t)
	t.Logf("mature %v", time.Since(t0))
	t0 = time.Now()
	f := n.Fork(t)
	t.Logf("fork %v", time.Since(t0))
	to := btcdtest.NewAddress(t)
	txid := n.Send(t, to, 12345)
	require.True(t, n.InMempool(t, txid))
	n.Generate(t, 1)
	h, _ := chainhash.NewHashFromStr(txid)
	tx, err := n.Client().GetRawTransactionVerbose(h)
	require.NoError(t, err)
	t.Logf("%s in %s", txid, tx.BlockHash)
	c := f.SendConflicting(t, txid, to, 5000)
	f.Generate(t, 2)
	t0 = time.Now()
	n.Connect(t, f)
	t.Logf("reorg %v", time.Since(t0))
	otx, err := n.Client().GetRawTransactionVerbose(h)
	t.Logf("orig after reorg: %v", err)
	if err == nil {
		t.Logf("orig blockhash %q conf %d; mempool %v; height %d best %s", otx.BlockHash, otx.Confirmations, n.InMempool(t, txid), n.Height(t), n.BestHash(t))
	}
	h2, _ := chainhash.NewHashFromStr(c)
	tx, err = n.Client().GetRawTransactionVerbose(h2)
	require.NoError(t, err)
	t.Logf("conflict %s in %s", c, tx.BlockHash)
}
