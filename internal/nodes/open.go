package nodes

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/big"
	"net/url"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/core/chain/ethereum"
)

// OpenAdapter is the production Opener: a btcd or Ethereum JSON-RPC
// adapter for n, with the network's parameters from the registry. It sends
// nothing; the password is read here, so only a node that is used needs one.
func OpenAdapter(n Node, p *core.NetworkParams, timeout time.Duration) (core.Chain, error) {
	pw, err := n.Password()
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(n.URL) // checked by Parse
	switch n.Chain {
	case core.ChainBitcoin:
		return bitcoin.New(bitcoin.Config{Host: u.Host, User: n.User, Pass: pw, TLS: u.Scheme == "https", Params: p.Bitcoin, Timeout: timeout})
	case core.ChainEthereum:
		var opts []rpc.ClientOption
		if n.User != "" || pw != "" {
			basic := base64.StdEncoding.EncodeToString([]byte(n.User + ":" + pw))
			opts = append(opts, rpc.WithHeader("Authorization", "Basic "+basic))
		}
		// Dialling an http(s) URL only prepares the client; nothing is sent yet.
		c, err := rpc.DialOptions(context.Background(), n.URL, opts...)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Label(), err)
		}
		return ethereum.New(ethclient.NewClient(c), ethereum.Config{ChainID: new(big.Int).SetUint64(p.ChainID)}), nil
	}
	return nil, core.Errorf(core.EINVALID, "%s: chain %q has no adapter.", FileName, n.Chain)
}
