package bitcoin_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
)

// byParam answers each request of a batch by its method and first
// parameter (a TXID or a block hash): an *rpcErr as the error, anything
// else as the result; what it does not know is "No information".
type byParam map[string]any

func (f byParam) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var reqs []struct {
		Method string            `json:"method"`
		Params []json.RawMessage `json:"params"`
		ID     json.RawMessage   `json:"id"`
	}
	body, _ := io.ReadAll(r.Body)
	if err := json.Unmarshal(body, &reqs); err != nil { // one request, not a batch
		var one struct {
			Method string            `json:"method"`
			Params []json.RawMessage `json:"params"`
			ID     json.RawMessage   `json:"id"`
		}
		_ = json.Unmarshal(body, &one)
		reqs = append(reqs, one)
	}
	out := make([]any, len(reqs))
	for i, req := range reqs {
		var key string
		if len(req.Params) > 0 {
			_ = json.Unmarshal(req.Params[0], &key)
		}
		v, ok := f[req.Method+" "+key]
		if !ok {
			v = &rpcErr{Code: -5, Message: "No information"}
		}
		out[i] = replyTo(req.ID, v)
	}
	if len(out) == 1 && body[0] != '[' {
		_ = json.NewEncoder(w).Encode(out[0])
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

// TestTransactionsAnswerEachTransaction: one batch for the transactions,
// one for what they spend and their block's header; each transaction gets
// its own answer, an error for one not failing the others.
func TestTransactionsAnswerEachTransaction(t *testing.T) {
	t.Parallel()
	prevHex, prevID := txHex(t, hashA, 5000)
	goodHex, goodID := txHex(t, prevID, 4000)
	otherHex, otherID := txHex(t, prevID, 3000)
	orphanHex, orphanID := txHex(t, hashB, 2000) // spends a transaction the node does not know
	unknownID := "00000000000000000000000000000000000000000000000000000000000000ab"
	failingID := "00000000000000000000000000000000000000000000000000000000000000cd"
	srv := httptest.NewServer(byParam{
		"getrawtransaction " + goodID:    map[string]any{"hex": goodHex, "txid": goodID, "blockhash": hashB},
		"getrawtransaction " + otherID:   map[string]any{"hex": otherHex, "txid": otherID, "blockhash": hashB},
		"getrawtransaction " + orphanID:  map[string]any{"hex": orphanHex, "txid": orphanID, "blockhash": hashB},
		"getrawtransaction " + prevID:    map[string]any{"hex": prevHex, "txid": prevID, "blockhash": hashA},
		"getrawtransaction " + failingID: &rpcErr{Code: -32603, Message: "internal"},
		"getblockheader " + hashB:        map[string]any{"hash": hashB, "height": 9, "previousblockhash": hashA},
	})
	t.Cleanup(srv.Close)
	c := chainAt(t, srv.URL, time.Second)

	ids := []string{goodID, unknownID, otherID, "not-a-hash", failingID, orphanID}
	txs, errs := c.Transactions(context.Background(), ids)
	require.Len(t, txs, len(ids))
	require.Len(t, errs, len(ids))
	for _, i := range []int{0, 2} {
		require.NoError(t, errs[i])
		require.Equal(t, ids[i], txs[i].TxID)
		require.Equal(t, int64(9), txs[i].BlockHeight)
		require.Equal(t, []string{prevID + ":0"}, txs[i].Spends)
	}
	require.Equal(t, int64(3000), txs[2].Transfers[0].Amount.Int64())
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(errs[1]), "%v", errs[1])
	require.Equal(t, core.EINVALID, core.ErrorCode(errs[3]), "%v", errs[3])
	require.ErrorContains(t, errs[4], "internal")
	require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(errs[4]), "a node's error is no proof of absence")
	require.ErrorContains(t, errs[5], "but not the")
	require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(errs[5]))
	for _, i := range []int{1, 3, 4, 5} {
		require.Nil(t, txs[i])
	}
	require.Equal(t, uint64(2), c.Trips(), "the transactions, then what they spend and their block")
	require.Equal(t, uint64(5+3), c.Calls(), "5 TXIDs asked; 2 spent transactions and 1 header")
}

// TestNodeHangingMidBatchTimesOut: a node that starts its reply to a batch
// and never finishes costs one Timeout, and every transaction asked fails.
func TestNodeHangingMidBatchTimesOut(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`[{"result":{"hex":"`))
		w.(http.Flusher).Flush()
		<-stop
	}))
	t.Cleanup(func() { close(stop); srv.Close() })
	c := chainAt(t, srv.URL, 200*time.Millisecond)
	start := time.Now()
	txs, errs := c.Transactions(context.Background(), []string{hashA, hashB})
	require.Less(t, time.Since(start), 2*time.Second)
	for i := range errs {
		require.Nil(t, txs[i])
		require.ErrorIs(t, errs[i], context.DeadlineExceeded)
	}
	require.Equal(t, uint64(1), c.Trips())
}

// TestTLSAndCredentials: over https the node's certificate is trusted when
// Certificates names it, and refused otherwise; the credentials go with
// every request, and a node refusing them is an error naming its status.
func TestTLSAndCredentials(t *testing.T) {
	t.Parallel()
	node := fakeNode{"getbestblockhash": hashA, "getblockheader": map[string]any{"hash": hashA, "height": 7, "previousblockhash": hashB}}
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != "u" || p != "p" {
			http.Error(w, "401 Unauthorized.", http.StatusUnauthorized) // as btcd answers
			return
		}
		node.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	cert := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	host := strings.TrimPrefix(srv.URL, "https://")
	open := func(user string, certs []byte) *bitcoin.Chain {
		c, err := bitcoin.New(bitcoin.Config{Host: host, User: user, Pass: "p", TLS: true, Certificates: certs, Params: &chaincfg.RegressionNetParams, Timeout: time.Second})
		require.NoError(t, err)
		return c
	}
	ctx := context.Background()
	head, err := open("u", cert).Head(ctx)
	require.NoError(t, err)
	require.Equal(t, int64(7), head.Height)

	_, err = open("intruder", cert).Head(ctx)
	require.ErrorContains(t, err, "status code: 401")
	_, err = open("u", nil).Head(ctx)
	require.ErrorContains(t, err, "certificate", "a self-signed node is not trusted without its certificate")
	_, err = bitcoin.New(bitcoin.Config{Host: host, User: "u", Pass: "p", TLS: true, Certificates: []byte("not pem"), Params: &chaincfg.RegressionNetParams})
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}
