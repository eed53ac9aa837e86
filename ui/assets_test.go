package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestCryptocurrencyConfigurationAddsAndChangesAnAsset(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	records := b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAssets])
	p := b.ui.assets
	require.True(t, b.ui.pages[pageAssets].Visible())
	require.False(t, b.ui.pages[pageRecords].Visible(), "one page on screen at a time")
	require.Len(t, p.assets, 1)
	require.Equal(t, "1 cryptocurrency", p.summary.Text)
	require.True(t, p.editBtn.Disabled(), "nothing selected")

	b.tap(t, p.addBtn)
	f := p.form
	require.Equal(t, core.ChainBitcoin, f.chain.Selected)
	require.True(t, f.contract.Disabled(), "a Bitcoin asset has no contract")
	f.chain.SetSelected(core.ChainEthereum)
	require.Equal(t, core.ChainNetworks(core.ChainEthereum), f.network.Options)
	f.network.SetSelected("dev")
	test.Type(f.symbol, "usdt")
	test.Type(f.name, "Tether USD")
	test.Type(f.decimals, "six")
	test.Type(f.contract, "0xdAC17F958D2ee523a2206206994597C13D831ec7")
	f.minDeposit.SetText("")
	test.Type(f.minDeposit, "1.5")
	test.Type(f.confirmations, "12")
	b.tap(t, f.save)
	require.Equal(t, "Decimals must be a whole number.", f.message.Text)
	f.decimals.SetText("6")
	f.minDeposit.SetText("0.0000001")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "Minimum deposit")
	all, err := b.svc.ListAssets(b.admin, core.AssetFilter{})
	require.NoError(t, err)
	require.Len(t, all, 1, "refused input stores nothing")

	f.minDeposit.SetText("1.5")
	b.tap(t, f.save)
	require.Empty(t, f.message.Text)
	require.Len(t, p.assets, 2)
	require.Equal(t, "USDT@dev saved.", p.message.Text)
	require.Contains(t, records.asset.Options, "USDT@dev", "the records page can filter by the new asset")
	usdt := p.assets[p.selected]
	require.Equal(t, "USDT@dev", usdt.Key())
	require.Equal(t, "0xdac17f958d2ee523a2206206994597c13d831ec7", usdt.ContractAddress)
	require.Equal(t, "1500000", usdt.MinDeposit.String())

	require.False(t, p.editBtn.Disabled())
	b.tap(t, p.editBtn)
	f = p.form
	require.True(t, f.symbol.Disabled() && f.decimals.Disabled() && f.chain.Disabled() && f.network.Disabled(), "identity is fixed")
	b.tap(t, f.save)
	require.Equal(t, "Nothing was changed.", f.message.Text)
	f.confirmations.SetText("20")
	f.enabled.SetChecked(false)
	b.tap(t, f.save)
	require.Empty(t, f.message.Text)
	got, err := b.svc.ListAssets(b.admin, core.AssetFilter{Symbol: ptr("USDT")})
	require.NoError(t, err)
	require.Equal(t, 20, got[0].ConfirmationsRequired)
	require.False(t, got[0].Enabled)
	require.Equal(t, "Not accepted", assetColumns[6].text(got[0]))

	trail, err := b.svc.AuditTrail(b.admin, core.AuditFilter{Entity: ptr("asset"), EntityID: ptr("USDT@dev")})
	require.NoError(t, err)
	require.Len(t, trail, 2)
	require.Equal(t, "asset.update", trail[1].Action)
	require.Contains(t, trail[1].After, "confirmations=20")

	b.tap(t, b.ui.nav[pageRecords])
	require.True(t, b.ui.pages[pageRecords].Visible())
	require.False(t, b.ui.pages[pageAssets].Visible())
}

func TestAssetsAreReadOnlyWithoutAssetConfiguration(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	_, err := b.svc.CreateOperator(b.admin, "viewer", "viewer-password-1", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	_, err = b.svc.CreateOperator(b.admin, "canceller", "canceller-password-1", []core.Permission{core.PermCancel})
	require.NoError(t, err)

	b.loginAs(t, "viewer", "viewer-password-1")
	b.tap(t, b.ui.nav[pageAssets])
	require.Len(t, b.ui.assets.assets, 1)
	require.False(t, b.ui.assets.addBtn.Visible())
	require.False(t, b.ui.assets.editBtn.Visible())

	b.tap(t, b.ui.nav[pageRecords])
	b.ui.showLogin("")
	b.loginAs(t, "canceller", "canceller-password-1")
	require.Nil(t, b.ui.assets, "the page is not offered to an operator who may not see assets")
	require.NotContains(t, b.ui.nav, pageAssets)
}

func ptr[T any](v T) *T { return &v }

// The refund fee rate and cap are entered in the units operators use
// (sat/vB or gwei; BTC or ETH), shown back the same way, and a cleared
// rate means the node's estimate again.
func TestAssetFormRefundFeeFieldsRoundTrip(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAssets])
	p := b.ui.assets

	b.tap(t, p.addBtn)
	f := p.form
	require.Equal(t, "sat/vB", f.feeRateUnit.Text)
	require.Equal(t, "BTC", f.feeCapUnit.Text)
	require.Equal(t, "empty = the node's estimate", f.feeRate.PlaceHolder)
	f.chain.SetSelected(core.ChainEthereum)
	require.Equal(t, "gwei per gas", f.feeRateUnit.Text)
	require.Equal(t, "ETH", f.feeCapUnit.Text)
	f.network.SetSelected("dev")
	test.Type(f.symbol, "ETH")
	test.Type(f.decimals, "18")
	test.Type(f.confirmations, "12")
	test.Type(f.feeRate, "1.5")
	test.Type(f.feeCap, "0.0000000000000000001")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "Refund fee cap (ETH): ")
	f.feeCap.SetText("0.001")
	b.tap(t, f.save)
	require.Empty(t, f.message.Text)
	eth := p.assets[p.selected]
	require.Equal(t, "1500000000", eth.RefundFeeRate.String(), "1.5 gwei in wei")
	require.Equal(t, "1000000000000000", eth.RefundFeeCap.String(), "0.001 ETH in wei")

	b.tap(t, p.editBtn)
	f = p.form
	require.Equal(t, "1.5", f.feeRate.Text)
	require.Equal(t, "gwei per gas", f.feeRateUnit.Text)
	require.Equal(t, "0.001", f.feeCap.Text)
	f.feeCap.SetText("")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "Refund fee cap: ")
	f.feeCap.SetText("0.002")
	f.feeRate.SetText("")
	b.tap(t, f.save)
	require.Empty(t, f.message.Text)
	eth = p.assets[p.selected]
	require.Nil(t, eth.RefundFeeRate, "empty: the node's estimate")
	require.Equal(t, "2000000000000000", eth.RefundFeeCap.String())
	trail, err := b.svc.AuditTrail(b.admin, core.AuditFilter{Entity: ptr("asset"), EntityID: ptr("ETH@dev")})
	require.NoError(t, err)
	require.Contains(t, trail[len(trail)-1].After, "refund_fee_rate=- refund_fee_cap=2000000000000000")

	selectRow(t, p.table, p.assets, "BTC@regtest", func(a *core.Asset) bool { return a.Key() == "BTC@regtest" })
	b.tap(t, p.editBtn)
	f = p.form
	require.Empty(t, f.feeRate.Text)
	require.Empty(t, f.feeCap.Text, "no cap yet: refunds are refused until set")
	test.Type(f.feeRate, "2.5")
	test.Type(f.feeCap, "0.0001")
	b.tap(t, f.save)
	require.Contains(t, f.message.Text, "Refund fee rate (sat/vB): ")
	f.feeRate.SetText("3")
	b.tap(t, f.save)
	require.Empty(t, f.message.Text)
	b.tap(t, p.editBtn)
	require.Equal(t, "3", p.form.feeRate.Text)
	require.Equal(t, "0.0001", p.form.feeCap.Text)
	btc := p.assets[p.selected]
	require.Equal(t, "3", btc.RefundFeeRate.String())
	require.Equal(t, "10000", btc.RefundFeeCap.String(), "satoshis")
}
