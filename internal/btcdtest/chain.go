package btcdtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcjson"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Generate mines count blocks on the node (including its mempool) and
// returns their hashes, lowest first.
func (n *Node) Generate(tb testing.TB, count uint32) []*chainhash.Hash {
	tb.Helper()
	hashes, err := n.client.Generate(count)
	if err != nil {
		tb.Fatalf("btcdtest: generate %d: %v", count, err)
	}
	return hashes
}

// Mature mines up to MatureHeight, so segwit is active and the coinbases
// below 433 can be spent. Mining 533 blocks takes a few seconds.
func (n *Node) Mature(tb testing.TB) {
	tb.Helper()
	if err := n.mature(); err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
}

func (n *Node) mature() error {
	h, err := n.client.GetBlockCount()
	if err != nil {
		return err
	}
	if h >= MatureHeight {
		return nil
	}
	// One generate call per 100 blocks keeps each request short.
	for h < MatureHeight {
		step := min(MatureHeight-h, 100)
		if _, err := n.client.Generate(uint32(step)); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
		h += step
	}
	return nil
}

// Height is the node's tip height.
func (n *Node) Height(tb testing.TB) int64 {
	tb.Helper()
	h, err := n.client.GetBlockCount()
	if err != nil {
		tb.Fatalf("btcdtest: getblockcount: %v", err)
	}
	return h
}

// BestHash is the hash of the node's tip.
func (n *Node) BestHash(tb testing.TB) string {
	tb.Helper()
	h, err := n.client.GetBestBlockHash()
	if err != nil {
		tb.Fatalf("btcdtest: getbestblockhash: %v", err)
	}
	return h.String()
}

// InMempool reports whether txid is in the node's mempool.
func (n *Node) InMempool(tb testing.TB, txid string) bool {
	tb.Helper()
	pool, err := n.client.GetRawMempool()
	if err != nil {
		tb.Fatalf("btcdtest: getrawmempool: %v", err)
	}
	for _, h := range pool {
		if h.String() == txid {
			return true
		}
	}
	return false
}

// Fork starts a second node that shares this node's chain (it syncs over
// P2P, then the link is cut) and its wallet, so the two can mine competing
// chains. Mempools are not copied. Connect joins them again.
func (n *Node) Fork(tb testing.TB) *Node {
	tb.Helper()
	other, err := launch(n.wallet)
	if err != nil {
		tb.Fatalf("btcdtest: %v", err)
	}
	tb.Cleanup(other.Stop)
	other.Connect(tb, n)
	other.Disconnect(tb, n)
	return other
}

// Connect links the node to other and waits until both have the same tip:
// the one with the shorter chain reorganises onto the longer one. With
// chains of equal length each keeps its own tip, so the wait fails.
func (n *Node) Connect(tb testing.TB, other *Node) {
	tb.Helper()
	temp := "temp"
	if err := n.client.Node(btcjson.NConnect, other.P2PHost, &temp); err != nil {
		tb.Fatalf("btcdtest: node connect %s: %v", other.P2PHost, err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		a, b := n.BestHash(tb), other.BestHash(tb)
		if a == b {
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("btcdtest: tips still differ after 30 s: %s at %d, %s at %d",
				a, n.Height(tb), b, other.Height(tb))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Disconnect drops the link between the node and other, and waits until
// neither lists the other as a peer.
func (n *Node) Disconnect(tb testing.TB, other *Node) {
	tb.Helper()
	if err := n.client.Node(btcjson.NDisconnect, other.P2PHost, nil); err != nil {
		tb.Fatalf("btcdtest: node disconnect %s: %v", other.P2PHost, err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for n.peers(tb)+other.peers(tb) > 0 {
		if time.Now().After(deadline) {
			tb.Fatalf("btcdtest: nodes still connected after 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (n *Node) peers(tb testing.TB) int {
	tb.Helper()
	c, err := n.client.GetConnectionCount()
	if err != nil {
		tb.Fatalf("btcdtest: getconnectioncount: %v", err)
	}
	return int(c)
}

// Shared is one matured node for a whole test binary, started by the first
// test that asks for it and stopped by TestMain:
//
//	var node btcdtest.Shared
//	func TestMain(m *testing.M) { code := m.Run(); node.Stop(); os.Exit(code) }
//	func TestX(t *testing.T) { n := node.Get(t); … }
//
// Tests sharing it may run in parallel; each must tolerate blocks the
// others mine (count confirmations from the head it reads, not absolute
// heights) and must not reorganise it (use Start or Fork for that).
type Shared struct {
	once sync.Once
	node *Node
	err  error
}

// Get returns the shared node, starting and maturing it on first use; a
// failure to start fails every test that asks.
func (s *Shared) Get(tb testing.TB) *Node {
	tb.Helper()
	s.once.Do(func() {
		s.node, s.err = Launch()
		if s.err == nil {
			s.err = s.node.mature()
		}
	})
	if s.err != nil {
		tb.Fatalf("btcdtest: shared node: %v", s.err)
	}
	return s.node
}

// Stop stops the shared node if it was started.
func (s *Shared) Stop() {
	if s.node != nil {
		s.node.Stop()
	}
}
