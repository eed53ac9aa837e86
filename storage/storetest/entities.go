package storetest

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runOperators(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	newOp := func(name string) *core.Operator {
		return &core.Operator{Name: name, PasswordHash: "$argon2id$x", Permissions: []core.Permission{core.PermCancel, core.PermDepositRecords},
			CreatedAt: T0, PasswordChangedAt: T0}
	}
	t.Run("CreatesAndFindsOperatorWithPermissions", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		n, err := s.CountOperators(ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		op := newOp("alice")
		require.NoError(t, s.CreateOperator(ctx, op, audit("operator.create", "operator", "alice", T0)))
		require.NotZero(t, op.ID)
		got, err := s.FindOperators(ctx, core.OperatorFilter{Name: &op.Name})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, []core.Permission{core.PermCancel, core.PermDepositRecords}, got[0].Permissions)
		require.Equal(t, T0, got[0].CreatedAt)
		n, _ = s.CountOperators(ctx)
		require.Equal(t, 1, n)
	})
	t.Run("RefusesDuplicateOperatorNameIgnoringCase", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		require.NoError(t, s.CreateOperator(ctx, newOp("bob"), audit("operator.create", "operator", "bob", T0)))
		requireCode(t, core.ECONFLICT, s.CreateOperator(ctx, newOp("bob"), audit("operator.create", "operator", "bob", T0)))
		requireCode(t, core.ECONFLICT, s.CreateOperator(ctx, newOp("BOB"), audit("operator.create", "operator", "BOB", T0)))
		require.Equal(t, 1, MustVerifyChain(t, s), "a refused insert writes no audit row")
	})
	t.Run("UpdatesOperatorFields", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		op := newOp("carol")
		require.NoError(t, s.CreateOperator(ctx, op, audit("operator.create", "operator", "carol", T0)))
		perms := []core.Permission{core.PermAuditView}
		later := T0.Add(time.Hour)
		got, err := s.UpdateOperator(ctx, op.ID, core.OperatorUpdate{Permissions: &perms, Disabled: ptr(true), LockedUntil: &later},
			audit("operator.update", "operator", "carol", later))
		require.NoError(t, err)
		require.Equal(t, perms, got.Permissions)
		require.True(t, got.Disabled)
		require.Equal(t, later, got.LockedUntil)
	})
	t.Run("UpdateOfMissingOperatorIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.UpdateOperator(ctx, 999, core.OperatorUpdate{Disabled: ptr(true)}, audit("operator.update", "operator", "x", T0))
		requireCode(t, core.ENOTFOUND, err)
	})
	t.Run("LoginFailuresLockAtThreshold", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		op := newOp("dave")
		require.NoError(t, s.CreateOperator(ctx, op, audit("operator.create", "operator", "dave", T0)))
		until := T0.Add(15 * time.Minute)
		for i := 1; i <= 5; i++ {
			got, err := s.RegisterLoginFailure(ctx, op.ID, 5, until, audit("operator.login_failed", "operator", "dave", T0))
			require.NoError(t, err)
			require.Equal(t, i, got.FailedLogins)
			if i < 5 {
				require.True(t, got.LockedUntil.IsZero(), "not locked after %d failures", i)
			} else {
				require.Equal(t, until, got.LockedUntil)
			}
		}
		require.Equal(t, 6, MustVerifyChain(t, s))
	})
}

func runAssets(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("CreatesAndFindsAssetWithExactMinimum", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		huge, _ := new(big.Int).SetString("115792089237316195423570985008687907853269984665640564039457584007913129639935", 10)
		a := &core.Asset{Chain: core.ChainEthereum, Network: "sepolia", Symbol: "USDT", ContractAddress: "0x" + "ab12cd34ef56ab12cd34ef56ab12cd34ef56ab12",
			Decimals: 6, MinDeposit: huge, ConfirmationsRequired: 12, Enabled: true, AccountXPub: "xpub-test", CreatedAt: T0, UpdatedAt: T0}
		require.NoError(t, s.CreateAsset(ctx, a, audit("asset.create", "asset", a.Key(), T0)))
		got, err := s.FindAssets(ctx, core.AssetFilter{Symbol: ptr("USDT"), Network: ptr("sepolia")})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, 0, huge.Cmp(got[0].MinDeposit), "78-digit amount round-trips exactly")
		require.Equal(t, a.ContractAddress, got[0].ContractAddress)
		require.Equal(t, 12, got[0].ConfirmationsRequired)
	})
	t.Run("RefusesSameSymbolOnSameNetwork", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
		MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "mainnet", 8)
		a := &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(0), ConfirmationsRequired: 1, CreatedAt: T0, UpdatedAt: T0}
		requireCode(t, core.ECONFLICT, s.CreateAsset(ctx, a, audit("asset.create", "asset", a.Key(), T0)))
	})
	t.Run("UpdatesConfirmationsAndEnabled", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := MustCreateAsset(t, s, "ETH", core.ChainEthereum, "dev", 18)
		got, err := s.UpdateAsset(ctx, a.ID, core.AssetUpdate{ConfirmationsRequired: ptr(12), Enabled: ptr(false)}, audit("asset.update", "asset", a.Key(), T0.Add(time.Minute)))
		require.NoError(t, err)
		require.Equal(t, 12, got.ConfirmationsRequired)
		require.False(t, got.Enabled)
		require.Equal(t, T0.Add(time.Minute), got.UpdatedAt)
		_, err = s.UpdateAsset(ctx, 999, core.AssetUpdate{Enabled: ptr(true)}, audit("asset.update", "asset", "x", T0))
		requireCode(t, core.ENOTFOUND, err)
	})
}

func runCustomers(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("RefusesDuplicateCustomerNo", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateCustomer(t, s, "C1", "SA1")
		c := &core.Customer{CustomerNo: "C1", SecuritiesAccount: "SA2", Name: "x", CreatedAt: T0}
		requireCode(t, core.ECONFLICT, s.CreateCustomer(ctx, c, audit("customer.create", "customer", "C1", T0)))
		got, err := s.FindCustomers(ctx, core.CustomerFilter{SecuritiesAccount: ptr("SA1")})
		require.NoError(t, err)
		require.Len(t, got, 1)
	})
	t.Run("AddressVerificationIsGuarded", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c := MustCreateCustomer(t, s, "C2", "SA2")
		w := &core.WalletAddress{CustomerID: c.ID, CustomerNo: c.CustomerNo, Chain: core.ChainBitcoin, Network: "regtest",
			Address: "bcrt1qexample", Status: core.AddressPending, CreatedAt: T0}
		require.NoError(t, s.CreateWalletAddress(ctx, w, audit("address.add", "address", w.Address, T0)))
		dup := *w
		requireCode(t, core.ECONFLICT, s.CreateWalletAddress(ctx, &dup, audit("address.add", "address", w.Address, T0)))
		other := *w
		other.Network = "mainnet"
		require.NoError(t, s.CreateWalletAddress(ctx, &other, audit("address.add", "address", w.Address, T0)), "same text on another network is another address")

		at := T0.Add(time.Hour)
		got, err := s.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressVerified,
			Method: "manual", Evidence: "doc-1", Operator: "vera"}, audit("address.verified", "address", w.Address, at))
		require.NoError(t, err)
		require.Equal(t, core.AddressVerified, got.Status)
		require.Equal(t, "vera", got.VerifiedBy)
		require.Equal(t, at, got.VerifiedAt)
		require.Equal(t, "C2", got.CustomerNo)

		_, err = s.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressPending, To: core.AddressRejected},
			audit("address.rejected", "address", w.Address, at))
		requireCode(t, core.ECONFLICT, err)
		_, err = s.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w.ID, From: core.AddressVerified, To: core.AddressPending},
			audit("address.pending", "address", w.Address, at))
		requireCode(t, core.EINVALID, err)
		_, err = s.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: 999, From: core.AddressPending, To: core.AddressVerified},
			audit("address.verified", "address", "x", at))
		requireCode(t, core.ENOTFOUND, err)

		verified := core.AddressVerified
		ws, err := s.FindWalletAddresses(ctx, core.WalletAddressFilter{CustomerNo: ptr("C2"), Status: &verified})
		require.NoError(t, err)
		require.Len(t, ws, 1)
		require.Equal(t, 4, MustVerifyChain(t, s))
	})
}

func ptr[T any](v T) *T { return &v }
