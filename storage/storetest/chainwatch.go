package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runDepositAddresses(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	// fakeDerive stands in for core/hdaddr: any injective index → address map
	// shows the store's allocation rules.
	fakeDerive := func(a *core.Asset) func(uint32) (string, error) {
		return func(i uint32) (string, error) {
			if a.Chain == core.ChainEthereum {
				return ETHAddress(5_000_000 + int(i)), nil
			}
			return BTCAddress(5_000_000 + int(i)), nil
		}
	}
	t.Run("OneAddressPerCustomerAndKeyIndexesInOrder", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		f.BTC.AccountXPub = "tpub-test-btc"
		c2 := MustCreateCustomer(t, f.Store, "C20002", "SA-20002")
		a1, created, err := f.Store.DepositAddressFor(ctx, f.Customer.ID, f.BTC, fakeDerive(f.BTC), audit("deposit_address.assign", "customer", "", T0))
		require.NoError(t, err)
		require.True(t, created)
		a2, created, err := f.Store.DepositAddressFor(ctx, c2.ID, f.BTC, fakeDerive(f.BTC), audit("deposit_address.assign", "customer", "", T0))
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, uint32(0), a1.KeyIndex)
		require.Equal(t, uint32(1), a2.KeyIndex)
		require.Equal(t, BTCAddress(5_000_000), a1.Address)
		require.Equal(t, f.Customer.CustomerNo, a1.CustomerNo)
		require.Equal(t, "regtest", a1.Network)

		rows := MustVerifyChain(t, f.Store)
		again, created, err := f.Store.DepositAddressFor(ctx, f.Customer.ID, f.BTC, fakeDerive(f.BTC), audit("deposit_address.assign", "customer", "", T0))
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, a1, again)
		require.Equal(t, rows, MustVerifyChain(t, f.Store), "returning an existing address writes nothing")

		got, err := f.Store.FindDepositAddresses(ctx, core.DepositAddressFilter{Address: &a2.Address})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, c2.ID, got[0].CustomerID)
	})
	t.Run("AssetsSharingAKeyShareTheAddress", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		token := MustCreateAsset(t, f.Store, "USDT", core.ChainEthereum, "dev", 6)
		f.ETH.AccountXPub, token.AccountXPub = "xpub-eth", "xpub-eth"
		a1, created, err := f.Store.DepositAddressFor(ctx, f.Customer.ID, f.ETH, fakeDerive(f.ETH), audit("deposit_address.assign", "customer", "", T0))
		require.NoError(t, err)
		require.True(t, created)
		a2, created, err := f.Store.DepositAddressFor(ctx, f.Customer.ID, token, fakeDerive(token), audit("deposit_address.assign", "customer", "", T0))
		require.NoError(t, err)
		require.False(t, created, "the token's address is the coin's")
		require.Equal(t, a1.Address, a2.Address)
	})
	t.Run("FailedDerivationStoresNothing", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		f.BTC.AccountXPub = "tpub-test-btc"
		rows := MustVerifyChain(t, f.Store)
		_, _, err := f.Store.DepositAddressFor(ctx, f.Customer.ID, f.BTC, func(uint32) (string, error) {
			return "", core.Errorf(core.EINVALID, "bad key")
		}, audit("deposit_address.assign", "customer", "", T0))
		requireCode(t, core.EINVALID, err)
		got, err := f.Store.FindDepositAddresses(ctx, core.DepositAddressFilter{})
		require.NoError(t, err)
		require.Empty(t, got)
		require.Equal(t, rows, MustVerifyChain(t, f.Store))
	})
	t.Run("ConcurrentAllocationsNeverShareAnIndex", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		f.BTC.AccountXPub = "tpub-test-btc"
		const n = 12
		customers := make([]*core.Customer, n)
		for i := range customers {
			customers[i] = MustCreateCustomer(t, f.Store, fmt.Sprintf("CC%03d", i), fmt.Sprintf("SA%03d", i))
		}
		var mu sync.Mutex
		seen := map[uint32]bool{}
		createdBy := map[int64]int{}
		errs := together(2*n, func(i int) error {
			// Every customer asks twice at once: one address each, all distinct.
			got, created, err := f.Store.DepositAddressFor(ctx, customers[i%n].ID, f.BTC, fakeDerive(f.BTC), audit("deposit_address.assign", "customer", "", T0))
			if err == nil {
				mu.Lock()
				seen[got.KeyIndex] = true
				if created {
					createdBy[got.CustomerID]++
				}
				mu.Unlock()
			}
			return err
		})
		for _, err := range errs {
			require.NoError(t, err)
		}
		all, err := f.Store.FindDepositAddresses(ctx, core.DepositAddressFilter{})
		require.NoError(t, err)
		require.Len(t, all, n)
		require.Len(t, seen, n)
		for i := range uint32(n) {
			require.True(t, seen[i], "index %d allocated", i)
		}
		for _, c := range customers {
			require.Equal(t, 1, createdBy[c.ID], "exactly one of %s's two calls stored the address", c.CustomerNo)
		}
	})
}

func runWatcherState(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("WatchedDepositsAreOpenRecordsWithATxID", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		want := map[int64]bool{}
		for i, st := range []core.DepositStatus{core.StatusVerifying, core.StatusConfirming, core.StatusCredited, core.StatusCancelled, core.StatusHeld} {
			rec := f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, i)), PathTo(st)...)
			if st == core.StatusVerifying || st == core.StatusConfirming {
				want[rec.ID] = true
			}
		}
		noTx := f.Deposit(f.BTC, f.Customer, 9)
		noTx.TxID = ""
		f.MustCreateDeposit(t, noTx)
		f.MustCreateDeposit(t, f.Deposit(f.ETH, f.Customer, 10)) // another network

		got, err := f.Store.FindWatchedDeposits(ctx, f.BTC.Net())
		require.NoError(t, err)
		ids := map[int64]bool{}
		for _, w := range got {
			ids[w.ID] = true
			require.Equal(t, "regtest", w.Network)
			require.NotEmpty(t, w.TxID)
		}
		require.Equal(t, want, ids)
	})
	t.Run("ChainStateTravelsWithTheTransition", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1))
		st := core.ChainState{Confirmations: 1, BlockHash: "00ab", BlockHeight: 500, Spends: []string{"aa:0", "bb:1"}}
		got, err := f.Store.TransitionDeposit(ctx, core.DepositTransition{ID: rec.ID, From: core.StatusVerifying, To: core.StatusConfirming,
			Remarks: "seen in block 500", Chain: &st, Audit: audit("deposit.confirming", "deposit", "", T0)})
		require.NoError(t, err)
		require.Equal(t, 1, got.Confirmations)
		require.Equal(t, "00ab", got.BlockHash)
		require.Equal(t, int64(500), got.BlockHeight)
		watched, err := f.Store.FindWatchedDeposits(ctx, f.BTC.Net())
		require.NoError(t, err)
		require.Len(t, watched, 1)
		require.Equal(t, st.Spends, watched[0].Spends)

		rows := MustVerifyChain(t, f.Store)
		require.NoError(t, f.Store.UpdateDepositChain(ctx, rec.ID, core.StatusConfirming, core.ChainState{Confirmations: 2, BlockHash: "00ab", BlockHeight: 500, Spends: st.Spends}))
		require.Equal(t, rows, MustVerifyChain(t, f.Store), "progress is an observation, not an audited decision")
		page, err := f.Store.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
		require.NoError(t, err)
		require.Equal(t, 2, page.Records[0].Confirmations)

		err = f.Store.UpdateDepositChain(ctx, rec.ID, core.StatusVerifying, core.ChainState{Confirmations: 9})
		requireCode(t, core.ECONFLICT, err)
		page, _ = f.Store.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
		require.Equal(t, 2, page.Records[0].Confirmations, "a guarded update of the wrong status changes nothing")
		requireCode(t, core.ENOTFOUND, f.Store.UpdateDepositChain(ctx, 999_999, core.StatusConfirming, core.ChainState{}))
	})
	t.Run("ChangesSinceAMarkAreEveryRecordWrittenSince", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		a := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 1))
		b := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 2))
		f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 3)), PathTo(core.StatusCredited)...)

		open, mark, err := f.Store.FindWatchedDepositChanges(ctx, f.BTC.Net(), nil)
		require.NoError(t, err)
		want, err := f.Store.FindWatchedDeposits(ctx, f.BTC.Net())
		require.NoError(t, err)
		require.Equal(t, want, open, "without a mark: the open set")

		c := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 4))
		a = f.MustTransition(t, a, core.StatusConfirming)
		st := core.ChainState{Confirmations: 1, BlockHash: "00cd", BlockHeight: 77, Spends: []string{"cc:0"}}
		require.NoError(t, f.Store.UpdateDepositChain(ctx, b.ID, core.StatusVerifying, st))
		other := f.MustCreateDeposit(t, f.Deposit(f.ETH, f.Customer, 5))

		got, mark2, err := f.Store.FindWatchedDepositChanges(ctx, f.BTC.Net(), &mark)
		require.NoError(t, err)
		byID := map[int64]*core.WatchedDeposit{}
		for _, w := range got {
			require.Equal(t, f.BTC.Net(), w.Net(), "only the network asked for")
			byID[w.ID] = w
		}
		require.Contains(t, byID, c.ID, "a new record")
		require.Equal(t, core.StatusConfirming, byID[a.ID].Status, "a transition")
		require.Equal(t, st.Spends, byID[b.ID].Spends, "chain progress")
		require.Equal(t, int64(77), byID[b.ID].BlockHeight)
		require.NotContains(t, byID, other.ID)

		f.MustTransition(t, a, core.StatusCredited)
		got, _, err = f.Store.FindWatchedDepositChanges(ctx, f.BTC.Net(), &mark2)
		require.NoError(t, err)
		left := false
		for _, w := range got {
			if w.ID == a.ID {
				left = w.Status == core.StatusCredited && !w.Watched()
			}
		}
		require.True(t, left, "a record that left the open set is returned with its new status")
	})
	t.Run("ChangesCommittedConcurrentlyAreNeverMissed", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		const writers, each = 4, 15
		recs := make([][]*core.DepositRecord, writers)
		for w := range recs {
			for i := range each {
				recs[w] = append(recs[w], f.Deposit(f.BTC, f.Customer, 100+w*each+i))
			}
		}
		_, mark, err := f.Store.FindWatchedDepositChanges(ctx, f.BTC.Net(), nil)
		require.NoError(t, err)
		var wg sync.WaitGroup
		done := make(chan struct{})
		created := make(chan int64, writers*each)
		for _, rs := range recs {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, r := range rs {
					got, _, err := f.Store.CreateDeposit(ctx, r, audit("deposit.create", "deposit", "", r.CreatedAt))
					if err != nil {
						t.Error(err)
						return
					}
					created <- got.ID
				}
			}()
		}
		go func() { wg.Wait(); close(done) }()
		seen := map[int64]bool{}
		pull := func() {
			got, next, err := f.Store.FindWatchedDepositChanges(ctx, f.BTC.Net(), &mark)
			require.NoError(t, err)
			for _, w := range got {
				seen[w.ID] = true
			}
			mark = next
		}
		for finished := false; !finished; {
			select {
			case <-done:
				finished = true
			default:
			}
			pull()
		}
		pull() // after the last commit
		close(created)
		n := 0
		for id := range created {
			n++
			require.True(t, seen[id], "record %d committed while marks were taken, never returned", id)
		}
		require.Equal(t, writers*each, n)
	})
	t.Run("BlocksAreReplacedOnReorgAndPruned", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		blocks := func(from, to int64, tag string) []core.ChainBlock {
			var out []core.ChainBlock
			for h := from; h <= to; h++ {
				out = append(out, core.ChainBlock{Height: h, Hash: fmt.Sprintf("%s%d", tag, h), ParentHash: fmt.Sprintf("%s%d", tag, h-1)})
			}
			return out
		}
		require.NoError(t, s.SaveBlocks(ctx, btcRegtest, blocks(1, 10, "a"), 5))
		got, err := s.RecentBlocks(ctx, btcRegtest)
		require.NoError(t, err)
		require.Len(t, got, 5)
		require.Equal(t, int64(10), got[0].Height)
		require.Equal(t, "a10", got[0].Hash)

		require.NoError(t, s.SaveBlocks(ctx, btcRegtest, blocks(9, 9, "b"), 5)) // reorg at 9: 10 is gone too
		got, _ = s.RecentBlocks(ctx, btcRegtest)
		require.Equal(t, "b9", got[0].Hash)
		require.Equal(t, int64(9), got[0].Height)
		require.Equal(t, "a8", got[1].Hash)

		other, err := s.RecentBlocks(ctx, core.Network{Chain: core.ChainEthereum, Name: "dev"})
		require.NoError(t, err)
		require.Empty(t, other)
	})
}

var btcRegtest = core.Network{Chain: core.ChainBitcoin, Name: "regtest"}

// runSharedNetworkName checks that Bitcoin's and Ethereum's "mainnet" are
// two networks to storage: each watcher sees only its own records and
// blocks.
func runSharedNetworkName(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("NetworksSharingANameAreKeptApart", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		btc := MustCreateAsset(t, f.Store, "BTC", core.ChainBitcoin, "mainnet", 8)
		eth := MustCreateAsset(t, f.Store, "ETH", core.ChainEthereum, "mainnet", 18)
		b := f.MustCreateDeposit(t, f.Deposit(btc, f.Customer, 1))
		e := f.MustCreateDeposit(t, f.Deposit(eth, f.Customer, 2))
		for _, c := range []struct {
			asset *core.Asset
			want  int64
		}{{btc, b.ID}, {eth, e.ID}} {
			got, err := f.Store.FindWatchedDeposits(ctx, c.asset.Net())
			require.NoError(t, err)
			require.Len(t, got, 1, "%s sees only its own records", c.asset.Net())
			require.Equal(t, c.want, got[0].ID)
		}

		require.NoError(t, f.Store.SaveBlocks(ctx, btc.Net(), []core.ChainBlock{{Height: 7, Hash: "btc7", ParentHash: "btc6"}}, 5))
		require.NoError(t, f.Store.SaveBlocks(ctx, eth.Net(), []core.ChainBlock{{Height: 7, Hash: "0xeth7", ParentHash: "0xeth6"}}, 5))
		got, err := f.Store.RecentBlocks(ctx, btc.Net())
		require.NoError(t, err)
		require.Equal(t, []core.ChainBlock{{Height: 7, Hash: "btc7", ParentHash: "btc6"}}, got)
		got, err = f.Store.RecentBlocks(ctx, eth.Net())
		require.NoError(t, err)
		require.Equal(t, []core.ChainBlock{{Height: 7, Hash: "0xeth7", ParentHash: "0xeth6"}}, got)

		assets, err := f.Store.FindAssets(ctx, core.AssetFilter{Chain: ptr(core.ChainEthereum), Network: ptr("mainnet")})
		require.NoError(t, err)
		require.Len(t, assets, 1)
		require.Equal(t, eth.ID, assets[0].ID, "the asset filter takes the chain too")
	})
}
