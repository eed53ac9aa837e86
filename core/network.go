package core

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"
)

// Network identifies one blockchain network. Bitcoin and Ethereum both call
// their main network "mainnet", so the pair — never the name alone — keys
// nodes, watchers, their locks and remembered blocks.
type Network struct {
	Chain string // ChainBitcoin or ChainEthereum
	Name  string // mainnet, testnet3, regtest, sepolia, dev, …
}

// String is the network as operators and configuration files write it:
// "bitcoin/mainnet".
func (n Network) String() string { return n.Chain + "/" + n.Name }

// JoinNetworks names networks as a list reads: "bitcoin/mainnet, ethereum/mainnet".
func JoinNetworks(networks []Network) string {
	names := make([]string, len(networks))
	for i, n := range networks {
		names[i] = n.String()
	}
	return strings.Join(names, ", ")
}

// ParseNetwork reads "chain/name" and checks the registry knows it.
func ParseNetwork(s string) (Network, error) {
	chain, name, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Network{}, Errorf(EINVALID, "Network %q must be written chain/name, e.g. bitcoin/mainnet or ethereum/sepolia.", truncate(s, 40))
	}
	n := Network{Chain: chain, Name: name}
	if _, err := LookupNetwork(n); err != nil {
		return Network{}, err
	}
	return n, nil
}

// NetworkParams is everything the desk knows about a network before asking
// any node: how its addresses and keys are written, and how to tell that a
// node really serves it.
type NetworkParams struct {
	Network
	// Bitcoin holds the address and extended-key encodings (Bitcoin only).
	Bitcoin *chaincfg.Params
	// ChainID is the EIP-155 chain id (Ethereum only).
	ChainID uint64
	// GenesisHash is the hash of block 0, in the form the chain's nodes
	// print it, or "" where every node makes its own (regtest-like
	// Ethereum dev chains).
	GenesisHash string
	// NodeChainNames are the names a Bitcoin node gives the network in
	// getblockchaininfo.chain: btcd uses its params' name, Bitcoin Core its
	// own short one.
	NodeChainNames []string
	// Test is true for networks whose coins have no value.
	Test bool
}

// testnet4's genesis block; btcd v0.24 has no parameters for it, and its
// addresses and extended keys are written exactly like testnet3's.
const testnet4Genesis = "00000000da84f2bafbbc53dee25a72ae507ff4914b867c565be350b0da8bf043"

// networks is the registry: the one place that says which networks the desk
// supports and what identifies each. core/chain/ethereum's tests check the
// Ethereum entries against go-ethereum's own parameters.
var networks = []NetworkParams{
	bitcoinNetwork("mainnet", &chaincfg.MainNetParams, "", false, "main"),
	bitcoinNetwork("testnet3", &chaincfg.TestNet3Params, "", true, "test"),
	bitcoinNetwork("testnet4", &chaincfg.TestNet3Params, testnet4Genesis, true),
	bitcoinNetwork("signet", &chaincfg.SigNetParams, "", true),
	bitcoinNetwork("regtest", &chaincfg.RegressionNetParams, "", true),
	bitcoinNetwork("simnet", &chaincfg.SimNetParams, "", true),
	{Network: Network{ChainEthereum, "mainnet"}, ChainID: 1,
		GenesisHash: "0xd4e56740f876aef8c010b86a40d5f56745a118d0906a34e69aec8c0db1cb8fa3"},
	{Network: Network{ChainEthereum, "sepolia"}, ChainID: 11155111, Test: true,
		GenesisHash: "0x25a5cc106eea7138acab33231d7160d69cb777ee0c2c553fcddf5138993e6dd9"},
	{Network: Network{ChainEthereum, "hoodi"}, ChainID: 560048, Test: true,
		GenesisHash: "0xbbe312868b376a3001692a646dd2d7d1e4406380dfd86b98aa8a34d1557c971b"},
	// geth --dev and go-ethereum's simulated backend both use chain id 1337
	// and a genesis of their own.
	{Network: Network{ChainEthereum, "dev"}, ChainID: 1337, Test: true},
	{Network: Network{ChainEthereum, "simulated"}, ChainID: 1337, Test: true},
}

func bitcoinNetwork(name string, p *chaincfg.Params, genesis string, test bool, coreName ...string) NetworkParams {
	if genesis == "" {
		genesis = p.GenesisHash.String()
	}
	return NetworkParams{Network: Network{ChainBitcoin, name}, Bitcoin: p, GenesisHash: genesis, Test: test,
		NodeChainNames: append([]string{name}, coreName...)}
}

// LookupNetwork returns the registry's entry for n; EINVALID when the desk
// does not support it.
func LookupNetwork(n Network) (*NetworkParams, error) {
	for i := range networks {
		if networks[i].Network == n {
			return &networks[i], nil
		}
	}
	if len(ChainNetworks(n.Chain)) == 0 {
		return nil, Errorf(EINVALID, "Chain must be %q or %q.", ChainBitcoin, ChainEthereum)
	}
	return nil, Errorf(EINVALID, "Network %q is not a %s network (one of %s).", truncate(n.Name, 30), n.Chain, strings.Join(ChainNetworks(n.Chain), ", "))
}

// ChainNetworks returns the names of the networks the desk supports on chain.
func ChainNetworks(chain string) []string {
	var out []string
	for _, p := range networks {
		if p.Chain == chain {
			out = append(out, p.Name)
		}
	}
	return out
}

// Coin is a chain's own coin, in which its network fees are paid: its
// symbol and decimals, for fees and caps as operators read them.
func Coin(chain string) (symbol string, decimals int) {
	if chain == ChainBitcoin {
		return "BTC", 8
	}
	return "ETH", 18
}

// FormatFee writes a fee of chain in its coin: "0.00001410 BTC".
func FormatFee(chain string, v *big.Int) string {
	sym, dec := Coin(chain)
	return FormatAmount(v, dec) + " " + sym
}

// ParseFeeRate reads a refund fee rate as operators write it: sat/vB on
// Bitcoin, gwei per gas on Ethereum; the result is sat/vB or wei per gas.
func ParseFeeRate(chain, s string) (*big.Int, error) {
	decimals := 0
	if chain == ChainEthereum {
		decimals = 9
	}
	return ParseAmount(s, decimals)
}

// FormatFeeRate writes a fee rate as ParseFeeRate reads it, with its unit.
func FormatFeeRate(chain string, v *big.Int) string {
	if chain == ChainEthereum {
		return FormatAmount(v, 9) + " gwei"
	}
	return v.String() + " sat/vB"
}

// Net is the network the asset is accepted on.
func (a *Asset) Net() Network { return Network{a.Chain, a.Network} }

// Net is the network the deposit was made on.
func (d *DepositRecord) Net() Network { return Network{d.Chain, d.Network} }

// Net is the network the address belongs to.
func (w *WalletAddress) Net() Network { return Network{w.Chain, w.Network} }

// NodeIdentity is what a node says about the network it serves.
type NodeIdentity struct {
	ChainName   string // Bitcoin: getblockchaininfo.chain
	ChainID     uint64 // Ethereum: eth_chainId
	GenesisHash string // the node's block 0
}

// NodeIdentifier is a node that can say which network it serves; every
// chain adapter is one.
type NodeIdentifier interface {
	Identify(ctx context.Context) (NodeIdentity, error)
}

// CheckNode refuses a node that does not serve the network: a Sepolia node
// configured as mainnet would otherwise vouch for test coins. EINVALID
// names what the node serves.
func (p *NetworkParams) CheckNode(id NodeIdentity) error {
	if p.Serves(id) {
		return nil
	}
	return Errorf(EINVALID, "The node serves %s, not %s: refused.", describeNode(p.Chain, id), p.Network)
}

// describeNode names the network a node serves, from the registry when it
// knows it.
func describeNode(chain string, id NodeIdentity) string {
	var known []string
	for _, p := range networks {
		if p.Chain == chain && p.Serves(id) {
			known = append(known, p.String())
		}
	}
	facts := fmt.Sprintf("chain %q", id.ChainName)
	if chain == ChainEthereum {
		facts = fmt.Sprintf("chain id %d", id.ChainID)
	}
	facts += ", genesis " + shortHash(id.GenesisHash)
	if len(known) > 0 {
		return strings.Join(known, " or ") + " (" + facts + ")"
	}
	return "an unknown " + chain + " network (" + facts + ")"
}

// Serves tells whether a node with identity id serves this network.
func (p *NetworkParams) Serves(id NodeIdentity) bool {
	switch p.Chain {
	case ChainBitcoin:
		if !slices.Contains(p.NodeChainNames, id.ChainName) {
			return false
		}
	case ChainEthereum:
		if id.ChainID != p.ChainID {
			return false
		}
	}
	return p.GenesisHash == "" || strings.EqualFold(strings.TrimPrefix(id.GenesisHash, "0x"), strings.TrimPrefix(p.GenesisHash, "0x"))
}

// BitcoinParams returns the address and extended-key encodings of the
// Bitcoin network called name.
func BitcoinParams(name string) (*chaincfg.Params, error) {
	p, err := LookupNetwork(Network{ChainBitcoin, name})
	if err != nil {
		return nil, err
	}
	return p.Bitcoin, nil
}

// MarshalText writes the network as String does.
func (n Network) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText reads "chain/name" (ParseNetwork).
func (n *Network) UnmarshalText(b []byte) error {
	v, err := ParseNetwork(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// shortHash is enough of a block hash to tell networks apart in a message.
func shortHash(h string) string {
	if len(h) > 14 {
		return h[:12] + "…"
	}
	return h
}
