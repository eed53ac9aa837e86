package bitcoin_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/internal/btcdtest"
)

// fakeNode answers JSON-RPC with canned results by method: a value is sent
// as the result (json.RawMessage as is), an *rpcErr as the error. A batch
// gets an answer per request, in order.
type fakeNode map[string]any

type rpcErr struct {
	Code    int    `json:"code"`
	Message string `json:"message"`
}

func (f fakeNode) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer(w, r, func(method string) any {
		if v, ok := f[method]; ok {
			return v
		}
		return &rpcErr{Code: -32601, Message: "Method not found"}
	})
}

// seq answers successive requests with successive results, whatever the
// method (the last one again once they run out); each request of a batch
// counts as one.
type seq struct {
	n       atomic.Int64
	replies []any
}

func newSeq(replies ...any) *seq { return &seq{replies: replies} }

func (s *seq) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	answer(w, r, func(string) any {
		return s.replies[min(int(s.n.Add(1)-1), len(s.replies)-1)]
	})
}

type fakeRequest struct {
	Method string          `json:"method"`
	ID     json.RawMessage `json:"id"`
}

// answer replies to a request, or to each of a batch, with what value
// gives for its method: the result, an *rpcErr as the error, or a string
// starting "BODY:" as the whole response body.
func answer(w http.ResponseWriter, r *http.Request, value func(method string) any) {
	body, _ := io.ReadAll(r.Body)
	if !bytes.HasPrefix(body, []byte("[")) {
		var req fakeRequest
		_ = json.Unmarshal(body, &req)
		v := value(req.Method)
		if raw, ok := v.(string); ok && strings.HasPrefix(raw, "BODY:") {
			_, _ = w.Write([]byte(strings.TrimPrefix(raw, "BODY:")))
			return
		}
		_ = json.NewEncoder(w).Encode(replyTo(req.ID, v))
		return
	}
	var reqs []fakeRequest
	_ = json.Unmarshal(body, &reqs)
	out := make([]any, len(reqs))
	for i, req := range reqs {
		out[i] = replyTo(req.ID, value(req.Method))
	}
	_ = json.NewEncoder(w).Encode(out)
}

func replyTo(id json.RawMessage, v any) map[string]any {
	res := map[string]any{"id": id, "result": v, "error": nil}
	if e, ok := v.(*rpcErr); ok {
		res["result"], res["error"] = nil, e
	}
	return res
}

const (
	hashA = "1111111111111111111111111111111111111111111111111111111111111111"
	hashB = "2222222222222222222222222222222222222222222222222222222222222222"
)

// txHex is a one-input, one-output transaction spending prev:0 for sats.
func txHex(t *testing.T, prev string, sats int64) (string, string) {
	t.Helper()
	h, err := chainhash.NewHashFromStr(prev)
	require.NoError(t, err)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(wire.NewOutPoint(h, 0), nil, nil))
	script, err := txscript.PayToAddrScript(btcdtest.NewAddress(t))
	require.NoError(t, err)
	tx.AddTxOut(wire.NewTxOut(sats, script))
	var buf bytes.Buffer
	require.NoError(t, tx.Serialize(&buf))
	return hex.EncodeToString(buf.Bytes()), tx.TxHash().String()
}

func height(h int64) json.RawMessage { return json.RawMessage(fmt.Sprint(h)) }

// TestMalformedRepliesAreErrors feeds the adapter broken node replies:
// each must give an error (never a panic, never a partial result).
func TestMalformedRepliesAreErrors(t *testing.T) {
	t.Parallel()
	prevHex, prevID := txHex(t, hashA, 5000)
	goodHex, goodID := txHex(t, prevID, 4000)
	negHex, negID := txHex(t, prevID, -1)
	header := func(hash string, h any, prev string) map[string]any {
		return map[string]any{"hash": hash, "height": h, "previousblockhash": prev}
	}
	rawTx := func(hexStr, id, block string) map[string]any {
		return map[string]any{"hex": hexStr, "txid": id, "blockhash": block}
	}
	head := func(c *bitcoin.Chain) error { _, err := c.Head(context.Background()); return err }
	block := func(c *bitcoin.Chain) error { _, err := c.Block(context.Background(), 5); return err }
	txOf := func(id string) func(c *bitcoin.Chain) error {
		return func(c *bitcoin.Chain) error {
			tx, err := c.Transaction(context.Background(), id)
			require.Nil(t, tx)
			return err
		}
	}
	conflict := func(c *bitcoin.Chain) error {
		_, _, err := c.Conflict(context.Background(), []string{prevID + ":0"})
		return err
	}
	for _, tc := range []struct {
		name string
		node http.Handler
		op   func(*bitcoin.Chain) error
		code string // "" for any error but ENOTFOUND
	}{
		{"BestHashNotAString", fakeNode{"getbestblockhash": 42}, head, ""},
		{"BestHashNotHex", fakeNode{"getbestblockhash": "zz"}, head, ""},
		{"BestHashNull", fakeNode{"getbestblockhash": nil}, head, ""},
		{"HeaderMissingHeight", fakeNode{"getbestblockhash": hashA, "getblockheader": header(hashA, nil, hashB)}, head, ""},
		{"HeaderNegativeHeight", fakeNode{"getbestblockhash": hashA, "getblockheader": header(hashA, -5, hashB)}, head, ""},
		{"HeaderAbsurdHeight", fakeNode{"getbestblockhash": hashA, "getblockheader": header(hashA, height(1e12), hashB)}, head, ""},
		{"HeaderHeightNotANumber", fakeNode{"getbestblockhash": hashA, "getblockheader": header(hashA, "7", hashB)}, head, ""},
		{"HeaderOtherBlock", fakeNode{"getbestblockhash": hashA, "getblockheader": header(hashB, 7, hashB)}, head, ""},
		{"HeaderNoParent", fakeNode{"getbestblockhash": hashA, "getblockheader": header(hashA, 7, "")}, head, ""},
		{"HeaderIsAList", fakeNode{"getbestblockhash": hashA, "getblockheader": []int{1}}, head, ""},
		{"NotJSON", fakeNode{"getbestblockhash": "BODY:<html>oops</html>"}, head, ""},
		{"NoResult", fakeNode{"getbestblockhash": `BODY:{"id":1,"error":null}`}, head, ""},
		{"NodeError", fakeNode{"getbestblockhash": &rpcErr{Code: -32603, Message: "internal"}}, head, ""},
		{"OutOfRange", fakeNode{"getblockhash": &rpcErr{Code: -1, Message: "Block number out of range"}}, block, core.ENOTFOUND},
		{"BlockOtherHeight", fakeNode{"getblockhash": hashA, "getblock": map[string]any{"hash": hashA, "height": 6, "previousblockhash": hashB, "tx": []string{hashB}}}, block, ""},
		{"BlockNoTxs", fakeNode{"getblockhash": hashA, "getblock": map[string]any{"hash": hashA, "height": 5, "previousblockhash": hashB}}, block, ""},
		{"BlockBadTxid", fakeNode{"getblockhash": hashA, "getblock": map[string]any{"hash": hashA, "height": 5, "previousblockhash": hashB, "tx": []string{"xyz"}}}, block, ""},
		{"BlockTxidsNotStrings", fakeNode{"getblockhash": hashA, "getblock": map[string]any{"hash": hashA, "height": 5, "previousblockhash": hashB, "tx": []int{1}}}, block, ""},
		{"TxUnknown", fakeNode{"getrawtransaction": &rpcErr{Code: -5, Message: "No information"}}, txOf(goodID), core.ENOTFOUND},
		{"TxMissingHex", fakeNode{"getrawtransaction": map[string]any{"txid": goodID}}, txOf(goodID), ""},
		{"TxHexGarbage", fakeNode{"getrawtransaction": rawTx("abcdef", goodID, "")}, txOf(goodID), ""},
		{"TxOtherTransaction", fakeNode{"getrawtransaction": rawTx(prevHex, prevID, "")}, txOf(goodID), ""},
		{"TxNegativeValue", fakeNode{"getrawtransaction": rawTx(negHex, negID, "")}, txOf(negID), ""},
		{"TxBadBlockHash", fakeNode{"getrawtransaction": rawTx(goodHex, goodID, "nothex")}, txOf(goodID), ""},
		// The node knows the transaction but not what it spends.
		{"TxSpentUnknown", newSeq(rawTx(goodHex, goodID, hashB), &rpcErr{Code: -5, Message: "No information"}), txOf(goodID), ""},
		{"TxBlockHeaderAbsurd", newSeq(rawTx(goodHex, goodID, hashB), rawTx(prevHex, prevID, hashA), header(hashB, height(1<<40), hashA)), txOf(goodID), ""},
		{"TxBlockHeaderOtherBlock", newSeq(rawTx(goodHex, goodID, hashB), rawTx(prevHex, prevID, hashA), header(hashA, 9, hashB)), txOf(goodID), ""},
		{"TxInGenesis", newSeq(rawTx(goodHex, goodID, hashB), rawTx(prevHex, prevID, hashA), header(hashB, 0, "")), txOf(goodID), ""},
		{"TxMempoolSpendCheckWrongType", newSeq(rawTx(goodHex, goodID, ""), rawTx(prevHex, prevID, hashA), "unspent"), txOf(goodID), ""},
		{"SearchNotAList", fakeNode{"getrawtransaction": rawTx(prevHex, prevID, hashA), "searchrawtransactions": map[string]any{}}, conflict, ""},
		{"SearchHexGarbage", fakeNode{"getrawtransaction": rawTx(prevHex, prevID, hashA), "searchrawtransactions": []any{rawTx("00", goodID, "")}}, conflict, ""},
		{"SearchWrongTxid", fakeNode{"getrawtransaction": rawTx(prevHex, prevID, hashA), "searchrawtransactions": []any{rawTx(goodHex, hashA, "")}}, conflict, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(tc.node)
			t.Cleanup(srv.Close)
			err := tc.op(chainAt(t, srv.URL, time.Second))
			require.Error(t, err)
			require.NotContains(t, err.Error(), "Method not found", "the fake must answer every call")
			if tc.code != "" {
				require.Equal(t, tc.code, core.ErrorCode(err), "%v", err)
			} else {
				require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
			}
		})
	}
}

func chainAt(t *testing.T, url string, timeout time.Duration) *bitcoin.Chain {
	t.Helper()
	c, err := bitcoin.New(bitcoin.Config{Host: strings.TrimPrefix(url, "http://"), User: "u", Pass: "p", Params: &chaincfg.RegressionNetParams, Timeout: timeout})
	require.NoError(t, err)
	return c
}

// TestWellFormedRepliesPass is the control for the cases above: the same
// fakes, well formed, give a transaction.
func TestWellFormedRepliesPass(t *testing.T) {
	t.Parallel()
	prevHex, prevID := txHex(t, hashA, 5000)
	goodHex, goodID := txHex(t, prevID, 4000)
	srv := httptest.NewServer(newSeq(
		map[string]any{"hex": goodHex, "txid": goodID, "blockhash": hashB},
		map[string]any{"hex": prevHex, "txid": prevID, "blockhash": hashA},
		map[string]any{"hash": hashB, "height": 9, "previousblockhash": hashA},
	))
	t.Cleanup(srv.Close)
	c := chainAt(t, srv.URL, time.Second)
	tx, err := c.Transaction(context.Background(), goodID)
	require.NoError(t, err)
	require.Equal(t, int64(9), tx.BlockHeight)
	require.Equal(t, hashB, tx.BlockHash)
	require.Equal(t, []string{prevID + ":0"}, tx.Spends)
	require.Len(t, tx.Sources, 1)
	require.Len(t, tx.Transfers, 1)
	require.Equal(t, int64(4000), tx.Transfers[0].Amount.Int64())
	require.Equal(t, uint64(3), c.Calls())
}

// TestSilentNodeTimesOut: a node that accepts but never answers costs one
// Timeout, not forever.
func TestSilentNodeTimesOut(t *testing.T) {
	t.Parallel()
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-stop }))
	t.Cleanup(func() { close(stop); srv.Close() })
	c := chainAt(t, srv.URL, 200*time.Millisecond)
	start := time.Now()
	_, err := c.Head(context.Background())
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 2*time.Second)
}

func TestNewNeedsHostAndNetwork(t *testing.T) {
	t.Parallel()
	for _, cfg := range []bitcoin.Config{
		{User: "u", Pass: "p", Params: &chaincfg.MainNetParams},
		{Host: "127.0.0.1:8334", Params: &chaincfg.MainNetParams},
		{Host: "127.0.0.1:8334", User: "u", Pass: "p"},
	} {
		_, err := bitcoin.New(cfg)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	}
}
