package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runChallenges(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (core.Store, *core.WalletAddress, *core.AddressChallenge) {
		s := newStore(t)
		c := MustCreateCustomer(t, s, "C1", "SA1")
		w := &core.WalletAddress{CustomerID: c.ID, CustomerNo: c.CustomerNo, Chain: core.ChainBitcoin, Network: "regtest",
			Address: "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080", Status: core.AddressPending, CreatedAt: T0}
		require.NoError(t, s.CreateWalletAddress(ctx, w, audit("address.add", "address", w.Address, T0)))
		ch := &core.AddressChallenge{AddressID: w.ID, Message: "prove it", Nonce: fmt.Sprintf("n-%d", w.ID), CreatedBy: "vera",
			CreatedAt: T0, ExpiresAt: T0.Add(core.ChallengeTTL)}
		require.NoError(t, s.CreateAddressChallenge(ctx, ch, audit("address.challenge", "address", w.Address, T0)))
		return s, w, ch
	}
	verify := func(w *core.WalletAddress) core.AddressStatusChange {
		return core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressVerified, Method: core.ProofBIP322, Evidence: "sig", Operator: "vera"}
	}
	t.Run("ChallengeVerifiesItsAddressOnce", func(t *testing.T) {
		t.Parallel()
		s, w, ch := setup(t)
		got, err := s.FindAddressChallenges(ctx, core.ChallengeFilter{AddressID: &w.ID})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, ch.Message, got[0].Message)
		require.True(t, got[0].UsedAt.IsZero())

		at := T0.Add(time.Hour)
		addr, err := s.UseAddressChallenge(ctx, ch.ID, verify(w), audit("address.verified", "address", w.Address, at))
		require.NoError(t, err)
		require.Equal(t, core.AddressVerified, addr.Status)
		require.Equal(t, core.ProofBIP322, addr.VerificationMethod)
		got, _ = s.FindAddressChallenges(ctx, core.ChallengeFilter{ID: &ch.ID})
		require.Equal(t, at, got[0].UsedAt)

		before := MustVerifyChain(t, s)
		_, err = s.UseAddressChallenge(ctx, ch.ID, verify(w), audit("address.verified", "address", w.Address, at))
		requireCode(t, core.ECONFLICT, err)
		require.Equal(t, before, MustVerifyChain(t, s))
	})
	t.Run("ExpiredChallengeChangesNothing", func(t *testing.T) {
		t.Parallel()
		s, w, ch := setup(t)
		_, err := s.UseAddressChallenge(ctx, ch.ID, verify(w), audit("address.verified", "address", w.Address, ch.ExpiresAt))
		requireCode(t, core.ECONFLICT, err)
		ws, _ := s.FindWalletAddresses(ctx, core.WalletAddressFilter{ID: &w.ID})
		require.Equal(t, core.AddressPending, ws[0].Status)
	})
	t.Run("ChallengeOfAnotherAddressIsRefused", func(t *testing.T) {
		t.Parallel()
		s, w, ch := setup(t)
		other := &core.WalletAddress{CustomerID: w.CustomerID, CustomerNo: w.CustomerNo, Chain: core.ChainBitcoin, Network: "regtest",
			Address: "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry", Status: core.AddressPending, CreatedAt: T0}
		require.NoError(t, s.CreateWalletAddress(ctx, other, audit("address.add", "address", other.Address, T0)))
		_, err := s.UseAddressChallenge(ctx, ch.ID, verify(other), audit("address.verified", "address", other.Address, T0))
		requireCode(t, core.ECONFLICT, err)
		_, err = s.UseAddressChallenge(ctx, 999, verify(w), audit("address.verified", "address", w.Address, T0))
		requireCode(t, core.ENOTFOUND, err)
	})
	t.Run("ConcurrentProofsUseTheChallengeOnce", func(t *testing.T) {
		t.Parallel()
		s, w, ch := setup(t)
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for range 10 {
			wg.Go(func() {
				_, err := s.UseAddressChallenge(ctx, ch.ID, verify(w), audit("address.verified", "address", w.Address, T0.Add(time.Minute)))
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					wins++
				}
			})
		}
		wg.Wait()
		require.Equal(t, 1, wins)
		MustVerifyChain(t, s)
	})
}
