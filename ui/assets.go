package ui

import (
	"context"
	"math/big"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

var assetColumns = []tableColumn[*core.Asset]{
	{"Asset", "USDT@mainnet", func(a *core.Asset) string { return a.Key() }},
	{"Name", "Tether USD (ERC-20)", func(a *core.Asset) string { return a.Name }},
	{"Chain", "ethereum", func(a *core.Asset) string { return a.Chain }},
	{"Decimals", "18", func(a *core.Asset) string { return strconv.Itoa(a.Decimals) }},
	{"Minimum\nDeposit", "0.000000000001", func(a *core.Asset) string { return core.FormatAmount(a.MinDeposit, a.Decimals) }},
	{"Confirmations", "1000", func(a *core.Asset) string { return strconv.Itoa(a.ConfirmationsRequired) }},
	{"Deposits", "Accepted", func(a *core.Asset) string {
		if a.Enabled {
			return "Accepted"
		}
		return "Not accepted"
	}},
	{"Contract", "0xdac1…1ec7", func(a *core.Asset) string { return shorten(a.ContractAddress, 6, 4) }},
	{"Deposit\nAddresses", "from the account key", func(a *core.Asset) string {
		if a.AccountXPub == "" {
			return "not configured"
		}
		return "from the account key"
	}},
}

// assetsPage is Cryptocurrency Configuration: which currencies the desk
// accepts on which network, with their decimals, minimum deposit and
// confirmations. Operators with Asset Configuration add and change them;
// the others see the list. The Service audits every change.
type assetsPage struct {
	w         *worker
	svc       *core.Service
	win       fyne.Window
	canEdit   bool
	onChanged func() // an asset was added or changed

	table            *widget.Table
	addBtn, editBtn  *widget.Button
	message, summary *widget.Label

	assets   []*core.Asset
	selected int
	reads    lane
	form     *assetForm // the open add/change dialog, for tests
}

func newAssetsPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window, onChanged func()) *assetsPage {
	p := &assetsPage{w: w, svc: svc, win: win, canEdit: op.Can(core.ActionConfigureAssets), onChanged: onChanged, selected: -1}
	p.addBtn = widget.NewButton("Add cryptocurrency", p.onAddTapped)
	p.addBtn.Importance = widget.HighImportance
	p.editBtn = widget.NewButton("Change", p.onEditTapped)
	p.message, p.summary = widget.NewLabel(""), widget.NewLabel("")
	p.message.Wrapping = fyne.TextWrapWord
	p.table = newTable(assetColumns, func() []*core.Asset { return p.assets }, func(row int) {
		p.selected = row
		p.updateActions()
	})
	hideUnless(p.canEdit, p.addBtn, p.editBtn)
	p.updateActions()
	return p
}

func (p *assetsPage) build() fyne.CanvasObject {
	intro := wrapped("Configure the cryptocurrencies customers may deposit before they deposit them. " +
		"A deposit counts as credited after the asset's confirmations; its source address must be verified first.")
	actions := container.NewHBox(p.addBtn, p.editBtn)
	bottom := container.NewVBox(widget.NewSeparator(), container.NewBorder(nil, nil, actions, p.summary), p.message)
	return container.NewBorder(intro, bottom, nil, nil, p.table)
}

// load reads the assets again, keeping the selected one selected.
func (p *assetsPage) load() {
	var keep string
	if p.selected >= 0 && p.selected < len(p.assets) {
		keep = p.assets[p.selected].Key()
	}
	p.loadSelecting(keep)
}

// loadSelecting reads the assets again and selects the one keyed keep.
func (p *assetsPage) loadSelecting(keep string) {
	run(p.w, task[[]*core.Asset]{
		line: p.message,
		lane: &p.reads,
		call: func(ctx context.Context) ([]*core.Asset, error) { return p.svc.ListAssets(ctx, core.AssetFilter{}) },
		done: func(as []*core.Asset, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.assets, p.selected = as, -1
			oneLineRows(p.table, len(as))
			p.table.UnselectAll()
			for i, a := range as {
				if a.Key() == keep {
					p.selected = i
					p.table.Select(widget.TableCellID{Row: i})
				}
			}
			p.table.Refresh()
			switch len(as) {
			case 0:
				p.summary.SetText("No cryptocurrency configured yet")
			case 1:
				p.summary.SetText("1 cryptocurrency")
			default:
				p.summary.SetText(strconv.Itoa(len(as)) + " cryptocurrencies")
			}
			p.updateActions()
		},
	})
}

func (p *assetsPage) updateActions() {
	if p.selected >= 0 && p.selected < len(p.assets) {
		p.editBtn.Enable()
	} else {
		p.editBtn.Disable()
	}
}

func (p *assetsPage) onAddTapped() {
	p.message.SetText("")
	p.form = newAssetForm(p.win, p.w, nil, p.saved, p.create)
}

func (p *assetsPage) onEditTapped() {
	if p.selected < 0 || p.selected >= len(p.assets) {
		return
	}
	p.message.SetText("")
	cur := p.assets[p.selected]
	p.form = newAssetForm(p.win, p.w, cur, p.saved, func(ctx context.Context, a *core.Asset) error { return p.update(ctx, cur, a) })
}

func (p *assetsPage) create(ctx context.Context, a *core.Asset) error {
	return p.svc.CreateAsset(ctx, a)
}

// update sends only what the operator changed, so the audit row's before
// and after differ exactly there. It reads no widget: the form's asset
// is read before the call leaves the Fyne thread.
func (p *assetsPage) update(ctx context.Context, cur, next *core.Asset) error {
	var upd core.AssetUpdate
	changed := false
	if next.Name != cur.Name {
		upd.Name, changed = &next.Name, true
	}
	if next.MinDeposit.Cmp(cur.MinDeposit) != 0 {
		upd.MinDeposit, changed = next.MinDeposit, true
	}
	if next.ConfirmationsRequired != cur.ConfirmationsRequired {
		upd.ConfirmationsRequired, changed = &next.ConfirmationsRequired, true
	}
	if next.Enabled != cur.Enabled {
		upd.Enabled, changed = &next.Enabled, true
	}
	if next.AccountXPub != cur.AccountXPub {
		upd.AccountXPub, changed = &next.AccountXPub, true
	}
	if !sameAmount(next.RefundFeeRate, cur.RefundFeeRate) {
		upd.RefundFeeRate, changed = next.RefundFeeRate, true
		if next.RefundFeeRate == nil {
			upd.RefundFeeRate = new(big.Int) // zero clears it: the node's estimate
		}
	}
	if !sameAmount(next.RefundFeeCap, cur.RefundFeeCap) {
		upd.RefundFeeCap, changed = next.RefundFeeCap, true
	}
	if !changed {
		return core.Errorf(core.EINVALID, "Nothing was changed.")
	}
	_, err := p.svc.UpdateAsset(ctx, cur.ID, upd)
	return err
}

// sameAmount compares optional amounts; nil is unset.
func sameAmount(a, b *big.Int) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Cmp(b) == 0
}

// saved says so and shows the list with a selected.
func (p *assetsPage) saved(a *core.Asset) {
	p.message.SetText(a.Key() + " saved.")
	p.loadSelecting(a.Key())
	p.onChanged()
}
