package storetest

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// MaxUint256 is the largest amount either chain can express (78 digits).
var MaxUint256, _ = new(big.Int).SetString("115792089237316195423570985008687907853269984665640564039457584007913129639935", 10)

func runAssets(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("CreatesAndFindsAssetWithExactMinimum", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		contract, err := core.NormalizeEthereumAddress("0xdac17f958d2ee523a2206206994597c13d831ec7")
		require.NoError(t, err)
		a := &core.Asset{Chain: core.ChainEthereum, Network: "sepolia", Symbol: "USDT", Name: "Tether USD", ContractAddress: contract,
			Decimals: 6, MinDeposit: MaxUint256, ConfirmationsRequired: 12, Enabled: true, AccountXPub: "xpub6CUGRUonZSQ4TWtTMmzXdrXDtypWKiKrhko4egpiMZbpiaQL2jkwSB1icqYh2cfDfVxdx4df189oLKnC5fSwqPfgyP3hooxujYzAu3fDVmz",
			CreatedAt: T0, UpdatedAt: T0}
		require.NoError(t, s.CreateAsset(ctx, a, audit("asset.create", "asset", a.Key(), T0)))
		require.NotZero(t, a.ID)
		got, err := s.FindAssets(ctx, core.AssetFilter{Symbol: ptr("USDT"), Network: ptr("sepolia")})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, a, got[0], "every field round-trips, the 78-digit minimum exactly")
	})
	t.Run("RefusesSameSymbolOnSameNetwork", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
		MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "mainnet", 8)
		a := &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(0), ConfirmationsRequired: 1, CreatedAt: T0, UpdatedAt: T0}
		requireCode(t, core.ECONFLICT, s.CreateAsset(ctx, a, audit("asset.create", "asset", a.Key(), T0)))
		require.Equal(t, 2, MustVerifyChain(t, s))
	})
	t.Run("FindsAssetsOrderedBySymbolAndNetworkByFilter", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateAsset(t, s, "USDT", core.ChainEthereum, "dev", 6)
		MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "regtest", 8)
		eth := MustCreateAsset(t, s, "ETH", core.ChainEthereum, "dev", 18)
		MustCreateAsset(t, s, "BTC", core.ChainBitcoin, "mainnet", 8)
		_, err := s.UpdateAsset(ctx, eth.ID, core.AssetUpdate{Enabled: ptr(false)}, audit("asset.disable", "asset", eth.Key(), T0))
		require.NoError(t, err)
		all, err := s.FindAssets(ctx, core.AssetFilter{})
		require.NoError(t, err)
		var keys []string
		for _, a := range all {
			keys = append(keys, a.Key())
		}
		require.Equal(t, []string{"BTC@mainnet", "BTC@regtest", "ETH@dev", "USDT@dev"}, keys)
		enabled, err := s.FindAssets(ctx, core.AssetFilter{Enabled: ptr(true), Network: ptr("dev")})
		require.NoError(t, err)
		require.Len(t, enabled, 1)
		require.Equal(t, "USDT", enabled[0].Symbol)
		byID, err := s.FindAssets(ctx, core.AssetFilter{ID: &eth.ID})
		require.NoError(t, err)
		require.Len(t, byID, 1)
		require.False(t, byID[0].Enabled)
	})
	t.Run("UpdatesOnlyTheGivenFields", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := MustCreateAsset(t, s, "ETH", core.ChainEthereum, "dev", 18)
		at := T0.Add(time.Minute)
		got, err := s.UpdateAsset(ctx, a.ID, core.AssetUpdate{ConfirmationsRequired: ptr(12), Enabled: ptr(false), MinDeposit: MaxUint256,
			AccountXPub: ptr("xpub-new"), Name: ptr("Ether (dev)")}, audit("asset.update", "asset", a.Key(), at))
		require.NoError(t, err)
		require.Equal(t, 12, got.ConfirmationsRequired)
		require.False(t, got.Enabled)
		require.Equal(t, 0, MaxUint256.Cmp(got.MinDeposit))
		require.Equal(t, "xpub-new", got.AccountXPub)
		require.Equal(t, "Ether (dev)", got.Name)
		require.Equal(t, at, got.UpdatedAt, "updated at the audited time")
		require.Equal(t, T0, got.CreatedAt)
		require.Equal(t, a.Decimals, got.Decimals)
		require.Equal(t, 2, MustVerifyChain(t, s))
	})
	t.Run("RefundFeeRateAndCapRoundTripAndAZeroRateClearsTheRate", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		a := &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(0), ConfirmationsRequired: 1,
			RefundFeeRate: big.NewInt(25), RefundFeeCap: MaxUint256, CreatedAt: T0, UpdatedAt: T0}
		require.NoError(t, s.CreateAsset(ctx, a, audit("asset.create", "asset", a.Key(), T0)))
		fees := func(a *core.Asset) [2]string {
			var out [2]string
			for i, v := range []*big.Int{a.RefundFeeRate, a.RefundFeeCap} {
				if v != nil {
					out[i] = v.String()
				}
			}
			return out
		}
		got, err := s.FindAssets(ctx, core.AssetFilter{ID: &a.ID})
		require.NoError(t, err)
		require.Equal(t, [2]string{"25", MaxUint256.String()}, fees(got[0]))

		up, err := s.UpdateAsset(ctx, a.ID, core.AssetUpdate{RefundFeeRate: big.NewInt(40), RefundFeeCap: big.NewInt(100_000)}, audit("asset.update", "asset", a.Key(), T0))
		require.NoError(t, err)
		require.Equal(t, [2]string{"40", "100000"}, fees(up))
		up, err = s.UpdateAsset(ctx, a.ID, core.AssetUpdate{RefundFeeRate: new(big.Int)}, audit("asset.update", "asset", a.Key(), T0))
		require.NoError(t, err)
		require.Equal(t, [2]string{"", "100000"}, fees(up), "the node's estimate again; the cap stays")
		up, err = s.UpdateAsset(ctx, a.ID, core.AssetUpdate{Name: ptr("Bitcoin")}, audit("asset.update", "asset", a.Key(), T0))
		require.NoError(t, err)
		require.Equal(t, [2]string{"", "100000"}, fees(up), "an update without them leaves them alone")
	})
	t.Run("UpdateOfMissingAssetIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.UpdateAsset(ctx, 999, core.AssetUpdate{Enabled: ptr(true)}, audit("asset.update", "asset", "x", T0))
		requireCode(t, core.ENOTFOUND, err)
		require.Zero(t, MustVerifyChain(t, s))
	})
}
