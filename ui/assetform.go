package ui

import (
	"context"
	"math/big"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// assetForm adds a cryptocurrency, or changes one. What identifies an asset
// (chain, network, symbol, decimals, contract) is fixed once it exists:
// records and balances refer to it; only the rest can be changed.
type assetForm struct {
	*formDialog
	cur *core.Asset // nil when adding

	chain, network                   *widget.Select
	symbol, name, decimals, contract *widget.Entry
	minDeposit, confirmations        *widget.Entry
	xpub                             *widget.Entry
	feeRate, feeCap                  *widget.Entry // refunds' network fee: rate, and the most one may pay
	feeRateUnit, feeCapUnit          *widget.Label // their units on the chosen chain
	enabled                          *widget.Check
}

// newAssetForm shows the form; do stores the asset off the Fyne thread,
// then done runs on it.
func newAssetForm(win fyne.Window, w *worker, cur *core.Asset, done func(*core.Asset), do func(context.Context, *core.Asset) error) *assetForm {
	f := &assetForm{cur: cur}
	f.network = widget.NewSelect(nil, nil)
	f.chain = widget.NewSelect([]string{core.ChainBitcoin, core.ChainEthereum}, f.onChainChanged)
	f.symbol, f.name, f.decimals = entry("e.g. BTC, ETH, USDT"), entry("e.g. Bitcoin"), entry("8 for BTC, 18 for ETH, 6 for USDT")
	f.contract = entry("ERC-20 token contract 0x…; empty for the network's own coin")
	f.minDeposit, f.confirmations = entry("in the asset's units, e.g. 0.0001"), entry("e.g. 3 for BTC, 12 for ETH")
	f.xpub = entry("account extended public key (xpub/tpub, zpub…); never a private key")
	f.feeRate, f.feeCap = entry(""), entry("")
	f.feeRateUnit, f.feeCapUnit = widget.NewLabel(""), widget.NewLabel("")
	f.enabled = widget.NewCheck("Accept deposits", nil)
	title := "Add cryptocurrency"
	if cur == nil {
		f.chain.SetSelected(core.ChainBitcoin)
		f.minDeposit.SetText("0")
		f.enabled.SetChecked(true)
	} else {
		title = "Change " + cur.Key()
		f.chain.SetSelected(cur.Chain)
		f.network.SetSelected(cur.Network)
		f.symbol.SetText(cur.Symbol)
		f.name.SetText(cur.Name)
		f.decimals.SetText(strconv.Itoa(cur.Decimals))
		f.contract.SetText(cur.ContractAddress)
		f.minDeposit.SetText(core.FormatAmount(cur.MinDeposit, cur.Decimals))
		f.confirmations.SetText(strconv.Itoa(cur.ConfirmationsRequired))
		f.xpub.SetText(cur.AccountXPub)
		f.feeRate.SetText(feeRateText(cur.Chain, cur.RefundFeeRate))
		if cur.RefundFeeCap != nil {
			_, dec := core.Coin(cur.Chain)
			f.feeCap.SetText(core.FormatAmount(cur.RefundFeeCap, dec))
		}
		f.enabled.SetChecked(cur.Enabled)
		for _, w := range []fyne.Disableable{f.chain, f.network, f.symbol, f.decimals, f.contract} {
			w.Disable()
		}
	}
	form := widget.NewForm(
		widget.NewFormItem("Chain", f.chain), widget.NewFormItem("Network", f.network),
		widget.NewFormItem("Symbol", f.symbol), widget.NewFormItem("Name", f.name),
		widget.NewFormItem("Decimals", f.decimals), widget.NewFormItem("Token contract", f.contract),
		widget.NewFormItem("Minimum deposit", f.minDeposit), widget.NewFormItem("Confirmations", f.confirmations),
		widget.NewFormItem("Account key", f.xpub),
		widget.NewFormItem("Refund fee rate", container.NewBorder(nil, nil, nil, f.feeRateUnit, f.feeRate)),
		widget.NewFormItem("Refund fee cap", container.NewBorder(nil, nil, nil, f.feeCapUnit, f.feeCap)),
		widget.NewFormItem("", f.enabled),
	)
	f.formDialog = newFormDialog(win, w, title, "Save", 640, form, func() error {
		a, err := f.asset()
		if err != nil {
			return err
		}
		submit(f.formDialog, func(ctx context.Context) (*core.Asset, error) { return a, do(ctx, a) }, done)
		return nil
	})
	return f
}

// onChainChanged offers the chain's networks and names its fee units; a
// Bitcoin asset has no contract.
func (f *assetForm) onChainChanged(chain string) {
	sym, _ := core.Coin(chain)
	f.feeRateUnit.SetText(feeRateUnit(chain))
	f.feeCapUnit.SetText(sym)
	f.feeRate.SetPlaceHolder("empty = the node's estimate")
	f.feeCap.SetPlaceHolder("the most one refund's network fee may be; refunds are refused until set")
	f.network.Options = core.ChainNetworks(chain)
	if f.cur == nil {
		f.network.SetSelected(f.network.Options[0])
		if chain == core.ChainBitcoin {
			f.contract.SetText("")
			f.contract.Disable()
		} else {
			f.contract.Enable()
		}
	}
	f.network.Refresh()
}

// asset reads the form; what cannot be parsed is EINVALID naming the field.
func (f *assetForm) asset() (*core.Asset, error) {
	a := &core.Asset{}
	if f.cur != nil {
		*a = *f.cur
	}
	a.Chain, a.Network = f.chain.Selected, f.network.Selected
	a.Symbol = strings.ToUpper(strings.TrimSpace(f.symbol.Text))
	a.Name = strings.TrimSpace(f.name.Text)
	a.ContractAddress = strings.TrimSpace(f.contract.Text)
	a.AccountXPub = strings.TrimSpace(f.xpub.Text)
	a.Enabled = f.enabled.Checked
	var err error
	if a.Decimals, err = formInt("Decimals", f.decimals.Text); err != nil {
		return nil, err
	}
	if a.ConfirmationsRequired, err = formInt("Confirmations", f.confirmations.Text); err != nil {
		return nil, err
	}
	if a.MinDeposit, err = parseMinimum(f.minDeposit.Text, a.Decimals); err != nil {
		return nil, err
	}
	if a.RefundFeeRate, err = parseFeeRate(a.Chain, f.feeRate.Text); err != nil {
		return nil, err
	}
	if a.RefundFeeCap, err = parseFeeCap(a.Chain, f.feeCap.Text); err != nil {
		return nil, err
	}
	if f.cur != nil && f.cur.RefundFeeCap != nil && a.RefundFeeCap == nil {
		return nil, core.Errorf(core.EINVALID, "Refund fee cap: enter the most one refund's fee may be; it cannot be removed once set.")
	}
	return a, nil
}

// feeRateUnit is the unit operators write a chain's refund fee rate in.
func feeRateUnit(chain string) string {
	if chain == core.ChainEthereum {
		return "gwei per gas"
	}
	return "sat/vB"
}

// feeRateText is a fee rate as the form shows it: core.FormatFeeRate's
// number without the unit the placeholder names; "" for the node's estimate.
func feeRateText(chain string, v *big.Int) string {
	if v == nil {
		return ""
	}
	s := core.FormatFeeRate(chain, v)
	return s[:strings.LastIndex(s, " ")]
}

// parseFeeRate reads the Refund fee rate field: empty (or zero) takes the
// node's estimate.
func parseFeeRate(chain, s string) (*big.Int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	v, err := core.ParseFeeRate(chain, strings.TrimSpace(s))
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Refund fee rate (%s): %s", feeRateUnit(chain), core.ErrorMessage(err))
	}
	if v.Sign() == 0 {
		return nil, nil
	}
	return v, nil
}

// parseFeeCap reads the Refund fee cap field, in the chain's own coin.
func parseFeeCap(chain, s string) (*big.Int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	sym, dec := core.Coin(chain)
	v, err := core.ParseAmount(strings.TrimSpace(s), dec)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Refund fee cap (%s): %s", sym, core.ErrorMessage(err))
	}
	return v, nil
}

func formInt(field, s string) (int, error) {
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, core.Errorf(core.EINVALID, "%s must be a whole number.", field)
	}
	return n, nil
}

func parseMinimum(s string, decimals int) (*big.Int, error) {
	if decimals < 0 || decimals > core.MaxDecimals {
		return nil, core.Errorf(core.EINVALID, "Decimals must be between 0 and %d.", core.MaxDecimals)
	}
	v, err := core.ParseAmount(strings.TrimSpace(s), decimals)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Minimum deposit: %s", core.ErrorMessage(err))
	}
	return v, nil
}
