package storetest

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runMicroDeposits(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (*Fixture, *core.WalletAddress, *core.MicroDeposit) {
		f := NewFixture(t, newStore)
		w := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(77))
		md := &core.MicroDeposit{AddressID: w.ID, AssetID: f.BTC.ID, Amount: big.NewInt(4321), DepositAddress: BTCAddress(78),
			CreatedBy: "vera", CreatedAt: T0, ExpiresAt: T0.Add(core.ChallengeTTL)}
		require.NoError(t, f.Store.CreateMicroDeposit(ctx, md, audit("address.micro_deposit", "address", w.Address, T0)))
		return f, w, md
	}
	verify := func(w *core.WalletAddress) core.AddressStatusChange {
		return core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressVerified, Method: core.ProofMicroDeposit, Evidence: "tx", Operator: "vera"}
	}
	t.Run("ProvesItsAddressOnceWithOneTransaction", func(t *testing.T) {
		t.Parallel()
		f, w, md := setup(t)
		got, err := f.Store.FindMicroDeposits(ctx, w.ID, 0)
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, "4321", got[0].Amount.String())
		require.True(t, got[0].UsedAt.IsZero())

		at := T0.Add(time.Hour)
		txid := TxID(core.ChainBitcoin, 1)
		addr, err := f.Store.UseMicroDeposit(ctx, md.ID, txid, verify(w), audit("address.verified", "address", w.Address, at))
		require.NoError(t, err)
		require.Equal(t, core.AddressVerified, addr.Status)
		got, _ = f.Store.FindMicroDeposits(ctx, 0, md.ID)
		require.Equal(t, txid, got[0].TxID)
		require.Equal(t, at, got[0].UsedAt)

		_, err = f.Store.UseMicroDeposit(ctx, md.ID, txid, verify(w), audit("address.verified", "address", w.Address, at))
		requireCode(t, core.ECONFLICT, err)

		// The same transaction cannot prove a second address.
		w2 := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(79))
		md2 := &core.MicroDeposit{AddressID: w2.ID, AssetID: f.BTC.ID, Amount: big.NewInt(4321), DepositAddress: BTCAddress(78),
			CreatedBy: "vera", CreatedAt: T0, ExpiresAt: T0.Add(core.ChallengeTTL)}
		require.NoError(t, f.Store.CreateMicroDeposit(ctx, md2, audit("address.micro_deposit", "address", w2.Address, T0)))
		rows := MustVerifyChain(t, f.Store)
		_, err = f.Store.UseMicroDeposit(ctx, md2.ID, txid, verify(w2), audit("address.verified", "address", w2.Address, at))
		requireCode(t, core.ECONFLICT, err)
		require.Equal(t, rows, MustVerifyChain(t, f.Store))
		ws, _ := f.Store.FindWalletAddresses(ctx, core.WalletAddressFilter{ID: &w2.ID})
		require.Equal(t, core.AddressPending, ws[0].Status)
	})
	t.Run("ExpiredChangesNothing", func(t *testing.T) {
		t.Parallel()
		f, w, md := setup(t)
		_, err := f.Store.UseMicroDeposit(ctx, md.ID, TxID(core.ChainBitcoin, 2), verify(w), audit("address.verified", "address", w.Address, md.ExpiresAt))
		requireCode(t, core.ECONFLICT, err)
		ws, _ := f.Store.FindWalletAddresses(ctx, core.WalletAddressFilter{ID: &w.ID})
		require.Equal(t, core.AddressPending, ws[0].Status)
		_, err = f.Store.UseMicroDeposit(ctx, 9999, TxID(core.ChainBitcoin, 3), verify(w), audit("address.verified", "address", w.Address, T0))
		requireCode(t, core.ENOTFOUND, err)
	})
}
