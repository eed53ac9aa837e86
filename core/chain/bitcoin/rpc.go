// Package bitcoin is the core.Chain adapter for a btcd node (v0.24), and
// the core.BitcoinPayer, core.TransactionSource and core.Broadcaster a
// refund needs of it, over btcd's JSON-RPC in HTTP POST mode. The node
// must run with --txindex (to find mined transactions by hash) and
// --addrindex (to name the transaction that spent an output, for
// Conflict).
//
// Round trips per method (Calls counts them):
//
//	Head            2  getbestblockhash, getblockheader
//	Block           2  getblockhash, getblock (verbosity 1)
//	Transaction     mined: 2 + one getrawtransaction per distinct spent tx
//	                (none for a coinbase), 1 fewer when the block is one
//	                Head or Block read lately (see heights); in the
//	                mempool: 1 + that + 1
//	                (gettxout; more only after a reorg, see reconcile)
//	Conflict        per distinct spent tx 1 getrawtransaction, then per
//	                outpoint 1 searchrawtransactions page (usually one)
//	Unspent         2  gettxspendingprevout, gettxout
//	FeeRate         1  estimatefee
//	Send            1  sendrawtransaction; + getrawtransaction when refused
//	RawTransaction  1  getrawtransaction
//
// Transactions (several at once) makes the same RPCs as a Transaction
// call each, but in batches: one round trip for all the transactions, one
// for all they spend and the headers of their blocks, then the mempool
// checks one by one as Transaction makes them. Trips counts round trips.
package bitcoin

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/chaincfg"

	"depositdesk/core"
)

// DefaultTimeout bounds one round trip when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

// maxReply bounds a reply read: far above a page of searchrawtransactions
// or a batch of transactions, it only stops a broken node filling memory.
const maxReply = 256 << 20

// Config says how to reach a btcd node.
type Config struct {
	Host string // host:port of the RPC server
	User string
	Pass string
	// TLS uses https; Certificates (PEM) then names the CAs to trust, the
	// system's when empty. btcd serves a self-signed rpc.cert by default.
	TLS          bool
	Certificates []byte
	// Params is the network the node runs; it decides how output scripts
	// are written as addresses (see Params).
	Params *chaincfg.Params
	// Timeout bounds each round trip, one RPC or one batch of them
	// (DefaultTimeout when zero): a node that accepts but never answers
	// costs one Timeout.
	Timeout time.Duration
}

// Chain is a core.Chain over one btcd node. It is safe for concurrent use.
type Chain struct {
	url        string
	user, pass string
	client     *http.Client
	params     *chaincfg.Params
	timeout    time.Duration
	ids        atomic.Uint64
	calls      atomic.Uint64
	trips      atomic.Uint64
	heights    heights
}

var _ core.Chain = (*Chain)(nil)

// New checks cfg and returns a Chain. It does not contact the node.
func New(cfg Config) (*Chain, error) {
	if cfg.Host == "" {
		return nil, core.Errorf(core.EINVALID, "Bitcoin node host is required.")
	}
	if cfg.User == "" || cfg.Pass == "" { // btcd has no cookie file
		return nil, core.Errorf(core.EINVALID, "Bitcoin node RPC user and password are required.")
	}
	if cfg.Params == nil {
		return nil, core.Errorf(core.EINVALID, "Bitcoin network is required.")
	}
	scheme := "http"
	var tlsConfig *tls.Config
	if cfg.TLS {
		scheme = "https"
		if len(cfg.Certificates) > 0 {
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(cfg.Certificates) {
				return nil, core.Errorf(core.EINVALID, "The Bitcoin node certificate is not PEM.")
			}
			tlsConfig = &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}
		}
	}
	// No proxy from the environment: the node is named by host, as it was
	// configured. btcd closes each connection after its reply, so idle
	// connections are kept only for a server that allows it.
	tr := &http.Transport{TLSClientConfig: tlsConfig, MaxIdleConnsPerHost: 2, IdleConnTimeout: 30 * time.Second}
	c := &Chain{
		url: scheme + "://" + cfg.Host, user: cfg.User, pass: cfg.Pass,
		client: &http.Client{Transport: tr},
		params: cfg.Params, timeout: cfg.Timeout,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	return c, nil
}

// Calls is the number of RPCs sent so far, each RPC of a batch counted,
// for benchmarks of the watcher's cost per block.
func (c *Chain) Calls() uint64 { return c.calls.Load() }

// Trips is the number of HTTP round trips so far: a batch of RPCs is one.
func (c *Chain) Trips() uint64 { return c.trips.Load() }

// errMalformed marks a reply the adapter cannot trust.
var errMalformed = errors.New("malformed reply")

func malformed(method, format string, args ...any) error {
	return fmt.Errorf("bitcoin: %s: %w: %s", method, errMalformed, fmt.Sprintf(format, args...))
}

// rpc is one request of a batch: its reply is decoded into out, or its
// error left in err.
type rpc struct {
	method string
	params []any
	out    any
	err    error
}

type request struct {
	JSONRPC string            `json:"jsonrpc"`
	Method  string            `json:"method"`
	Params  []json.RawMessage `json:"params"`
	ID      uint64            `json:"id"`
}

type response struct {
	Result json.RawMessage   `json:"result"`
	Error  *btcjson.RPCError `json:"error"`
	ID     *uint64           `json:"id"`
}

// call sends one JSON-RPC request and decodes its result into out. Replies
// are decoded into this package's own structs and checked by the caller,
// so a wrong type is an error here and a missing field an error there. A
// node's error is a *btcjson.RPCError (see rpcCode).
func (c *Chain) call(ctx context.Context, out any, method string, params ...any) error {
	r := rpc{method: method, params: params, out: out}
	if err := c.batch(ctx, []*rpc{&r}); err != nil {
		return err
	}
	return r.err
}

// batch sends rs in one round trip, as a JSON-RPC batch when there is more
// than one (btcd answers the array in order, each RPC with its own result
// or error), and sets each one's err. The returned error is the round
// trip's own (the node unreachable, silent past Timeout, or answering
// something else than JSON-RPC): then no RPC of the batch has an answer.
func (c *Chain) batch(ctx context.Context, rs []*rpc) error {
	if len(rs) == 0 {
		return nil
	}
	reqs := make([]request, len(rs))
	for i, r := range rs {
		raw := make([]json.RawMessage, len(r.params)) // btcd refuses null params
		for j, p := range r.params {
			b, err := json.Marshal(p)
			if err != nil {
				return fmt.Errorf("bitcoin: %s: %w", r.method, err)
			}
			raw[j] = b
		}
		reqs[i] = request{JSONRPC: "1.0", Method: r.method, Params: raw, ID: c.ids.Add(1)}
	}
	var body any = reqs
	if len(reqs) == 1 {
		body = reqs[0]
	}
	what := rs[0].method
	if len(rs) > 1 {
		what = fmt.Sprintf("batch of %d (%s…)", len(rs), what)
	}
	c.calls.Add(uint64(len(rs)))
	c.trips.Add(1)
	reply, err := c.post(ctx, body)
	if err != nil {
		return fmt.Errorf("bitcoin: %s: %w", what, err)
	}
	var resps []response
	if len(reqs) == 1 {
		var one response
		err = json.Unmarshal(reply.body, &one)
		resps = []response{one}
	} else {
		err = json.Unmarshal(reply.body, &resps)
	}
	if err != nil {
		return fmt.Errorf("bitcoin: %s: status code: %d, response: %q", what, reply.status, truncate(reply.body))
	}
	byID := make(map[uint64]*response, len(resps))
	for i := range resps {
		if resps[i].ID != nil {
			byID[*resps[i].ID] = &resps[i]
		}
	}
	for i, r := range rs {
		resp := byID[reqs[i].ID]
		if len(reqs) == 1 {
			resp = &resps[0] // a single reply is the answer, whatever id it echoes
		}
		r.err = r.decode(resp)
	}
	return nil
}

// decode sets the RPC's result from its reply.
func (r *rpc) decode(resp *response) error {
	switch {
	case resp == nil:
		return malformed(r.method, "no reply in the batch")
	case resp.Error != nil:
		return fmt.Errorf("bitcoin: %s: %w", r.method, resp.Error)
	case r.out == nil:
		return nil
	}
	if err := json.Unmarshal(resp.Result, r.out); err != nil {
		return malformed(r.method, "%v", err)
	}
	return nil
}

type reply struct {
	status int
	body   []byte
}

// post sends body with the node's credentials, bounded by Timeout.
func (c *Chain) post(ctx context.Context, body any) (reply, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return reply{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(b))
	if err != nil {
		return reply{}, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.SetBasicAuth(c.user, c.pass)
	resp, err := c.client.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, maxReply))
	if err != nil {
		return reply{}, fmt.Errorf("error reading json reply: %w", err)
	}
	return reply{status: resp.StatusCode, body: got}, nil
}

// truncate keeps an error message about a non-JSON reply readable.
func truncate(b []byte) string {
	if len(b) > 200 {
		return string(b[:200]) + "…"
	}
	return string(b)
}

// rpcCode is the node's JSON-RPC error code in err, if it is one.
func rpcCode(err error) (btcjson.RPCErrorCode, bool) {
	var e *btcjson.RPCError
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}
