package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runCustomers(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("CreatesAndFindsCustomersByNumberAndAccount", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		b := MustCreateCustomer(t, s, "C20002", "SA-30002")
		a := MustCreateCustomer(t, s, "C10001", "SA-20001")
		require.NotZero(t, a.ID)
		all, err := s.FindCustomers(ctx, core.CustomerFilter{})
		require.NoError(t, err)
		require.Equal(t, []*core.Customer{a, b}, all, "every field round-trips, ordered by customer number")
		got, err := s.FindCustomers(ctx, core.CustomerFilter{SecuritiesAccount: ptr("SA-30002")})
		require.NoError(t, err)
		require.Equal(t, []*core.Customer{b}, got)
		got, err = s.FindCustomers(ctx, core.CustomerFilter{CustomerNo: ptr("C10001"), ID: &a.ID})
		require.NoError(t, err)
		require.Equal(t, []*core.Customer{a}, got)
		got, err = s.FindCustomers(ctx, core.CustomerFilter{Limit: 1})
		require.NoError(t, err)
		require.Equal(t, []*core.Customer{a}, got)
	})
	t.Run("RefusesDuplicateCustomerNo", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateCustomer(t, s, "C1001", "SA-1001")
		c := &core.Customer{CustomerNo: "C1001", SecuritiesAccount: "SA-1002", Name: "Someone Else", CreatedAt: T0}
		requireCode(t, core.ECONFLICT, s.CreateCustomer(ctx, c, audit("customer.create", "customer", "C1001", T0)))
		got, err := s.FindCustomers(ctx, core.CustomerFilter{})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, "SA-1001", got[0].SecuritiesAccount)
		require.Equal(t, 1, MustVerifyChain(t, s))
	})
	t.Run("RefusesSameAddressTwiceForOneCustomerOnOneNetwork", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		other := MustCreateCustomer(t, f.Store, "C20002", "SA-30002")
		w := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(1))
		dup := *w
		dup.ID = 0
		requireCode(t, core.ECONFLICT, f.Store.CreateWalletAddress(ctx, &dup, audit("address.add", "address", w.Address, T0)))
		mainnet := MustCreateAsset(t, f.Store, "BTC", core.ChainBitcoin, "mainnet", 8)
		MustCreateWalletAddress(t, f.Store, f.Customer, mainnet, w.Address) // the same text on another network is another address
		MustCreateWalletAddress(t, f.Store, other, f.BTC, w.Address)        // shared wallets are each customer's own claim
		eth := MustCreateWalletAddress(t, f.Store, f.Customer, f.ETH, ETHAddress(1))
		got, err := f.Store.FindWalletAddresses(ctx, core.WalletAddressFilter{Address: &eth.Address})
		require.NoError(t, err)
		require.Equal(t, []*core.WalletAddress{eth}, got, "every field round-trips, EIP-55 case kept")
	})
	t.Run("FindsAddressesByEveryFilterInOrder", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		other := MustCreateCustomer(t, f.Store, "C00001", "SA-00001")
		a1 := MustCreateWalletAddress(t, f.Store, f.Customer, f.ETH, ETHAddress(2))
		a2 := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(2))
		a3 := MustCreateWalletAddress(t, f.Store, other, f.BTC, BTCAddress(3))
		verified, err := f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: a2.ID, From: core.AddressPending, To: core.AddressVerified,
			Method: "bip322", Evidence: "sig", Operator: "vera"}, audit("address.verify", "address", a2.Address, T0))
		require.NoError(t, err)
		find := func(f2 core.WalletAddressFilter) []int64 {
			t.Helper()
			ws, err := f.Store.FindWalletAddresses(ctx, f2)
			require.NoError(t, err)
			var ids []int64
			for _, w := range ws {
				ids = append(ids, w.ID)
			}
			return ids
		}
		require.Equal(t, []int64{a3.ID, a1.ID, a2.ID}, find(core.WalletAddressFilter{}), "by customer number, network, address")
		require.Equal(t, []int64{a1.ID, a2.ID}, find(core.WalletAddressFilter{CustomerID: &f.Customer.ID}))
		require.Equal(t, []int64{a3.ID}, find(core.WalletAddressFilter{CustomerNo: ptr("C00001")}))
		require.Equal(t, []int64{a3.ID, a2.ID}, find(core.WalletAddressFilter{Network: ptr("regtest")}))
		require.Equal(t, []int64{a1.ID}, find(core.WalletAddressFilter{Chain: ptr(core.ChainEthereum)}))
		require.Equal(t, []int64{verified.ID}, find(core.WalletAddressFilter{Status: ptr(core.AddressVerified)}))
		require.Equal(t, []int64{a1.ID}, find(core.WalletAddressFilter{ID: &a1.ID, Network: ptr("dev")}))
		require.Equal(t, []int64{a3.ID, a1.ID}, find(core.WalletAddressFilter{Limit: 2}), "the first two in the same order")
	})
	t.Run("AddressVerificationIsGuarded", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		w := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(9))
		at := T0.Add(time.Hour)
		got, err := f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressVerified,
			Method: "manual", Evidence: "doc-1", Operator: "vera"}, audit("address.verify", "address", w.Address, at))
		require.NoError(t, err)
		require.Equal(t, core.AddressVerified, got.Status)
		require.Equal(t, "manual", got.VerificationMethod)
		require.Equal(t, "doc-1", got.Evidence)
		require.Equal(t, "vera", got.VerifiedBy)
		require.Equal(t, at, got.VerifiedAt)
		require.Equal(t, f.Customer.CustomerNo, got.CustomerNo)
		before := MustVerifyChain(t, f.Store)

		_, err = f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressRejected},
			audit("address.reject", "address", w.Address, at))
		requireCode(t, core.ECONFLICT, err)
		_, err = f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressVerified, To: core.AddressPending},
			audit("address.pending", "address", w.Address, at))
		requireCode(t, core.EINVALID, err)
		_, err = f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: 999, From: core.AddressPending, To: core.AddressVerified},
			audit("address.verify", "address", "x", at))
		requireCode(t, core.ENOTFOUND, err)
		require.Equal(t, before, MustVerifyChain(t, f.Store), "refused changes write no audit row")

		revoked, err := f.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressVerified, To: core.AddressRevoked,
			Operator: "vera"}, audit("address.revoke", "address", w.Address, at.Add(time.Hour)))
		require.NoError(t, err)
		require.Equal(t, core.AddressRevoked, revoked.Status)
		require.Equal(t, "doc-1", revoked.Evidence, "revoking keeps the evidence it was verified with")
		require.Equal(t, before+1, MustVerifyChain(t, f.Store))
	})
	t.Run("FindsWhoSubmittedTheDocumentWaitingOnAnAddress", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		w := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(11))
		other := MustCreateWalletAddress(t, f.Store, f.Customer, f.BTC, BTCAddress(12))
		require.NoError(t, f.Store.CreateManualVerification(ctx, &core.ManualVerification{AddressID: w.ID, Evidence: "letter 2026-118",
			RequestedBy: "maker", RequestedAt: T0}, audit("address.evidence", "address", w.Address, T0)))
		ws, err := f.Store.FindWalletAddresses(ctx, core.WalletAddressFilter{CustomerID: &f.Customer.ID})
		require.NoError(t, err)
		by := map[int64]string{}
		for _, a := range ws {
			by[a.ID] = a.DocumentBy
		}
		require.Equal(t, map[int64]string{w.ID: "maker", other.ID: ""}, by)

		got, err := f.Store.ApproveManualVerification(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressVerified,
			Method: core.ProofManual, Evidence: "letter 2026-118", Operator: "checker"}, audit("address.verified", "address", w.Address, T0))
		require.NoError(t, err)
		require.Empty(t, got.DocumentBy, "the approved document no longer waits")
	})
}
