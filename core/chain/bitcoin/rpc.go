// Package bitcoin is the core.Chain adapter for a btcd node (v0.24), and
// the core.BitcoinPayer, core.TransactionSource and core.Broadcaster a
// refund needs of it, over btcd's rpcclient in HTTP POST mode. The node
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
package bitcoin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/rpcclient"

	"depositdesk/core"
)

// DefaultTimeout bounds one RPC when Config.Timeout is zero.
const DefaultTimeout = 15 * time.Second

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
	// Timeout bounds each RPC (DefaultTimeout when zero). rpcclient itself
	// has none: it retries a refused connection for about 22 s and waits
	// forever on a node that accepts but never answers.
	Timeout time.Duration
}

// Chain is a core.Chain over one btcd node. It is safe for concurrent use.
type Chain struct {
	conn    rpcclient.ConnConfig
	params  *chaincfg.Params
	timeout time.Duration
	calls   atomic.Uint64
	heights heights
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
	c := &Chain{
		conn: rpcclient.ConnConfig{
			Host: cfg.Host, User: cfg.User, Pass: cfg.Pass,
			HTTPPostMode: true, DisableTLS: !cfg.TLS, Certificates: cfg.Certificates,
		},
		params:  cfg.Params,
		timeout: cfg.Timeout,
	}
	if c.timeout <= 0 {
		c.timeout = DefaultTimeout
	}
	return c, nil
}

// Calls is the number of RPCs sent so far, for benchmarks of the watcher's
// cost per block.
func (c *Chain) Calls() uint64 { return c.calls.Load() }

// errMalformed marks a reply the adapter cannot trust.
var errMalformed = errors.New("malformed reply")

func malformed(method, format string, args ...any) error {
	return fmt.Errorf("bitcoin: %s: %w: %s", method, errMalformed, fmt.Sprintf(format, args...))
}

// call sends one JSON-RPC request and decodes its result into out.
//
// It goes through rpcclient's raw request rather than its typed helpers:
// those take no context, and some send unasked round trips (getblock falls
// back to a legacy form on an invalid-params error; the version probe
// calls getinfo). Replies are decoded into this package's own structs and
// checked by the caller, so a wrong type is an error here and a missing
// field an error there.
//
// Each call uses its own rpcclient.Client: a client in HTTP POST mode
// sends one request at a time and retries a refused connection with
// growing pauses, so one shared client would queue every call behind a
// dead node. A client is cheap (HTTP POST mode opens a connection per
// request anyway), and Shutdown ends its retries when the call gives up.
func (c *Chain) call(ctx context.Context, out any, method string, params ...any) error {
	raw := make([]json.RawMessage, len(params))
	for i, p := range params {
		b, err := json.Marshal(p)
		if err != nil {
			return fmt.Errorf("bitcoin: %s: %w", method, err)
		}
		raw[i] = b
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	conn := c.conn
	cl, err := rpcclient.New(&conn, nil)
	if err != nil {
		return fmt.Errorf("bitcoin: %s: %w", method, err)
	}
	defer cl.Shutdown()
	c.calls.Add(1)
	fut := cl.RawRequestAsync(method, raw)
	var res []byte
	select {
	case r := <-fut:
		ch := make(chan *rpcclient.Response, 1)
		ch <- r
		res, err = rpcclient.ReceiveFuture(ch)
	case <-ctx.Done():
		err = ctx.Err()
	}
	if err != nil {
		return fmt.Errorf("bitcoin: %s: %w", method, err)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(res, out); err != nil {
		return malformed(method, "%v", err)
	}
	return nil
}

// rpcCode is the node's JSON-RPC error code in err, if it is one.
func rpcCode(err error) (btcjson.RPCErrorCode, bool) {
	var e *btcjson.RPCError
	if errors.As(err, &e) {
		return e.Code, true
	}
	return 0, false
}
