package ethtest

import (
	"context"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient/simulated"
)

// SimAccounts is how many funded keys Simulated makes.
const SimAccounts = 4

// SimBalance is the genesis balance of each of them, in ether.
const SimBalance = 1000

// Sim is an in-process chain (go-ethereum's simulated backend, chain id
// 1337). Nothing is mined until Commit; Fork and Rollback make reorgs.
type Sim struct {
	*Chain
	Backend  *simulated.Backend
	Accounts []*Account // funded in genesis with SimBalance ether each
}

// Simulated starts a simulated chain whose genesis funds SimAccounts test
// keys, plus whatever alloc adds, and closes it when the test ends. The keys
// are the same in every run, so a failing test reads the same twice.
func Simulated(tb testing.TB, alloc ...types.GenesisAlloc) *Sim {
	tb.Helper()
	genesis := types.GenesisAlloc{}
	accounts := make([]*Account, SimAccounts)
	for i := range accounts {
		k, err := crypto.ToECDSA(crypto.Keccak256([]byte(fmt.Sprintf("depositdesk ethtest account %d", i))))
		if err != nil {
			tb.Fatalf("ethtest: key %d: %v", i, err)
		}
		accounts[i] = &Account{Key: k, Address: crypto.PubkeyToAddress(k.PublicKey)}
		genesis[accounts[i].Address] = types.Account{Balance: Ether(SimBalance)}
	}
	for _, a := range alloc {
		maps.Copy(genesis, a)
	}
	backend := simulated.NewBackend(genesis)
	tb.Cleanup(func() {
		if err := backend.Close(); err != nil {
			tb.Errorf("ethtest: closing the simulated backend: %v", err)
		}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	id, err := backend.Client().ChainID(ctx)
	if err != nil {
		tb.Fatalf("ethtest: simulated chain id: %v", err)
	}
	s := &Sim{Backend: backend, Accounts: accounts}
	s.Chain = &Chain{tb: tb, Client: backend.Client(), ChainID: id}
	s.mine = func(tx *types.Transaction) *types.Receipt {
		tb.Helper()
		s.Commit()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		r, err := waitReceipt(ctx, s.Client, tx.Hash(), 5*time.Second)
		if err != nil {
			tb.Fatalf("ethtest: %s not mined by Commit: %v", tx.Hash().Hex(), err)
		}
		return r
	}
	return s
}

// Commit seals a block with every pending transaction and returns its hash.
func (s *Sim) Commit() common.Hash {
	return s.Backend.Commit()
}

// Rollback drops every pending transaction.
func (s *Sim) Rollback() {
	s.Backend.Rollback()
}

// Fork rewinds the canonical chain to parent; the blocks after it are
// abandoned and the next Commit builds on parent. There must be no pending
// transactions (Rollback first).
func (s *Sim) Fork(parent common.Hash) {
	s.tb.Helper()
	if err := s.Backend.Fork(parent); err != nil {
		s.tb.Fatalf("ethtest: fork at %s: %v", parent.Hex(), err)
	}
}

// Reorg replaces every block after ancestor by a new branch one block
// longer, so it would win by the longest-chain rule too, and returns its
// head. The first new block holds txs (signed transactions: from the
// abandoned blocks, to see them mined again elsewhere, or replacements);
// the abandoned blocks' other transactions vanish, as when the winning
// miner never saw them, and so do pending ones.
func (s *Sim) Reorg(ancestor common.Hash, txs ...*types.Transaction) common.Hash {
	s.tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	base, err := s.Client.HeaderByHash(ctx, ancestor)
	if err != nil {
		s.tb.Fatalf("ethtest: reorg ancestor %s: %v", ancestor.Hex(), err)
	}
	blocks := s.Height() - base.Number.Uint64() + 1
	s.Rollback()
	s.Fork(ancestor)
	// Rewinding gives the abandoned blocks' transactions back to the pool;
	// Rollback syncs the pool with the new head before it clears it.
	s.Rollback()
	for _, tx := range txs {
		s.SendRaw(tx)
	}
	var head common.Hash
	for range blocks {
		head = s.Commit()
	}
	return head
}
