package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// pressEscape types Escape into win as the desktop driver does: to the
// focused widget when there is one, else to the window's key handler.
func pressEscape(win fyne.Window) {
	ev := &fyne.KeyEvent{Name: fyne.KeyEscape}
	if f := win.Canvas().Focused(); f != nil {
		f.TypedKey(ev)
	} else if h := win.Canvas().OnTypedKey(); h != nil {
		h(ev)
	}
}

// cellsOf are the laid-out cells of t that hold full.
func cellsOf(t *testing.T, table *widget.Table, full string) []*hoverCell {
	t.Helper()
	var out []*hoverCell
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch o := o.(type) {
		case *hoverCell:
			if o.full == full {
				out = append(out, o)
			}
		case *fyne.Container:
			for _, c := range o.Objects {
				walk(c)
			}
		case fyne.Widget:
			for _, c := range test.WidgetRenderer(o).Objects() {
				walk(c)
			}
		}
	}
	walk(table)
	require.NotEmpty(t, out, "no cell holds %q", full)
	return out
}

// addressesAs logs in as name and opens Customer Wallet Address with
// every status listed.
func (b *bundle) addressesAs(t *testing.T, name, pw string) *addressesPage {
	t.Helper()
	b.loginAs(t, name, pw)
	b.tap(t, b.ui.nav[pageAddresses])
	p := b.ui.addresses
	p.status.SetSelected(allOption)
	b.tap(t, p.searchBtn)
	return p
}

func TestAddressCellsEndInAnEllipsisAndShowWholeOnHover(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	// Longer than the window: no spare width lets the column show it whole.
	label := strings.TrimSpace(strings.Repeat("hardware wallet kept in the branch safe, second shelf; ", 5))
	w, err := b.svc.AddWalletAddress(b.admin, "C10001", core.ChainBitcoin, "regtest", regtestAddress(t), label)
	require.NoError(t, err)
	p := b.addressesAs(t, "admin", adminPW)
	b.ui.win.Resize(fyne.NewSize(1280, 800))

	c := cellsOf(t, p.table, label)[0]
	require.True(t, strings.HasSuffix(c.text.Text, "…"), c.text.Text)
	require.True(t, strings.HasPrefix(label, strings.TrimSuffix(c.text.Text, "…")), "the cell shows the label's beginning")
	require.LessOrEqual(t, fyne.MeasureText(c.text.Text, c.text.TextSize, c.text.TextStyle).Width, c.Size().Width,
		"the text stays in its column: it no longer runs into Status")
	require.Equal(t, label, cellFull(c))

	c.MouseIn(nil)
	require.Equal(t, "Label: "+label, p.hover.Text, "hovering shows the whole text")
	c.MouseOut()
	require.Empty(t, p.hover.Text)
	whole := cellsOf(t, p.table, "C10001")[0]
	whole.MouseIn(nil)
	require.Empty(t, p.hover.Text, "a cell shown whole needs no more")

	p.selectAddress(t, w.Address)
	require.Contains(t, p.selection.Text, w.Address+" ("+label+")", "the selected address is shown whole")
}

func TestColumnsFitWhatTheyHold(t *testing.T) {
	test.NewTempApp(t)
	cols := []tableColumn[string]{{"Label", "hardware wallet", func(s string) string { return s }}}
	table := newTable(cols, func() []string { return nil }, func(int) {})
	long := "a label far longer than any usual one"
	require.Equal(t, []float32{columnWidth("Label", "")}, fitColumns(table, cols, []string{"cold"}), "a short column is as wide as its title")
	require.Equal(t, []float32{textWidth("hardware wallet")}, fitColumns(table, cols, []string{long}),
		"with no room to spare, the sample bounds it")
	table.Resize(fyne.NewSize(1000, 300))
	require.Equal(t, []float32{textWidth(long)}, fitColumns(table, cols, []string{long}), "room to spare goes to the cut-short column")
}

func TestProofColumnShowsAPendingDocumentAndApproveSaysWhy(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	b.checker(t, "checker", "checker-password-1", core.PermAddressVerification)
	src := recs[1].SourceAddress
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &src})
	require.NoError(t, err)
	_, err = b.svc.SubmitManualEvidence(b.admin, ws[0].ID, "Signed letter ref 2026-118")
	require.NoError(t, err)

	p := b.addressesAs(t, "admin", adminPW)
	require.Equal(t, "Select an address: Prove ownership and Reject take a Pending one, Approve document one with a document "+
		"awaiting approval, Revoke a Verified one.", p.reason.Text)
	cellsOf(t, p.table, "Document awaiting approval (from admin)")
	p.selectAddress(t, src)
	require.True(t, p.approveBtn.Disabled())
	require.Contains(t, p.reason.Text, "Approve document: Waiting for a second operator: you submitted this document.")
	p.selectAddress(t, recs[0].SourceAddress)
	require.True(t, p.approveBtn.Disabled())
	require.Contains(t, p.reason.Text, "Approve document: Select an address with a document awaiting approval")

	b.ui.showLogin("")
	p = b.addressesAs(t, "checker", "checker-password-1")
	p.selectAddress(t, src)
	require.False(t, p.approveBtn.Disabled(), "the second operator may approve")
	require.NotContains(t, p.reason.Text, "Approve")
	b.tap(t, p.approveBtn)
	b.tap(t, p.approval.approve)
	p.selectAddress(t, src)
	require.Equal(t, "Document", proofText(p.current()))
	require.Equal(t, "Prove ownership, Approve document and Reject: the address is Verified already.", p.reason.Text)
}

func TestCancelAndDeleteSayWhyTheyAreGreyedOut(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	g := newRecordGuard(p.w, p.svc, p.op, p.cancelBtn, p.deleteBtn)
	guarded := func(recordNo string) {
		p.selectRecord(t, recordNo) // the page enables by status and permission
		g.update(p.current())
		b.settle(t)
	}

	guarded(recs[1].RecordNo) // under verification, with a TXID; the test desk has a regtest node
	require.False(t, p.cancelBtn.Disabled())
	require.False(t, p.deleteBtn.Disabled())
	require.Empty(t, g.line.Text)

	b.svc.Nodes = core.NodeMap{} // no node for bitcoin/regtest
	guarded(recs[1].RecordNo)
	require.True(t, p.cancelBtn.Disabled(), "the desk cannot check the chain")
	require.Equal(t, "Cancel: No bitcoin/regtest node is configured (nodes.toml). The desk cannot check that transaction "+
		recs[1].TxID+" has not reached the chain, so the record cannot be cancelled.", g.line.Text)
	require.False(t, p.deleteBtn.Disabled(), "deleting an abnormal application does not depend on the chain")

	guarded(recs[0].RecordNo) // credited
	require.True(t, p.cancelBtn.Disabled())
	require.True(t, p.deleteBtn.Disabled())
	require.Equal(t, "Cancel: Only a record in \"Wallet Address Under Verification\" can be cancelled; this one is \"Credited\".\n"+
		"Delete: Only an application in \"Wallet Address Under Verification\" can be deleted; this one is \"Credited\".", g.line.Text)

	// Asked anyway (the button greyed out, the action started): refused
	// before remarks.
	b.svc.Nodes = core.NodeMap{}
	p.selectRecord(t, recs[1].RecordNo)
	require.True(t, p.cancelBtn.Disabled())
	require.Contains(t, p.guard.line.Text, "Cancel: No bitcoin/regtest node is configured", "the records page's own guard says why")
	b.meanwhile(p.onCancelTapped)
	b.settle(t)
	require.Nil(t, p.remarks, "no remarks are asked for a cancel core refuses")
	require.Contains(t, p.message.Text, "The desk cannot check that transaction "+recs[1].TxID)
}

func TestTrailShowsWholeRemarksAndActionsInWords(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	remarks := strings.Repeat("The customer asked twice by phone and once by email; the second request is the duplicate. ", 4)
	_, err := b.svc.CancelDeposit(b.admin, recs[1].RecordNo, remarks)
	require.NoError(t, err)
	p := b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, recs[1].RecordNo)
	b.tap(t, p.detailsBtn)
	v := p.detail
	defer v.win.Close()
	last := v.trail.Objects[len(v.trail.Objects)-1].(*widget.Label)
	require.Contains(t, last.Text, "admin · Cancelled\n"+strings.TrimSpace(remarks), "the remarks whole, the action in words")
	require.NotContains(t, last.Text, "deposit.cancel")
	require.Equal(t, fyne.TextWrapWord, last.Wrapping)
	require.Equal(t, fyne.TextTruncateOff, last.Truncation)
	first := v.trail.Objects[0].(*widget.Label)
	require.Contains(t, first.Text, "admin · Application received")
}

func TestConfirmationsReadAsCountsAndAnEmptyBarIsEmpty(t *testing.T) {
	test.NewTempApp(t)
	require.Equal(t, "0 of 3", confirmationsText(0, 3))
	require.Equal(t, "2 of 3", confirmationsText(2, 3))
	require.Equal(t, "3 of 3 ✓", confirmationsText(3, 3))
	require.Equal(t, "3 of 3 ✓ (964 seen)", confirmationsText(964, 3))

	bar := newConfirmBar()
	w := test.NewTempWindow(t, bar)
	w.Resize(fyne.NewSize(300, 40))
	bar.set(0, 3)
	require.True(t, bar.fill.Hidden, "at 0 nothing is filled")
	require.False(t, bar.track.Hidden)
	bar.set(2, 3)
	require.False(t, bar.fill.Hidden)
	require.InDelta(t, bar.track.Size().Width*2/3, bar.fill.Size().Width, 0.5)
	bar.set(964, 3)
	require.Equal(t, bar.track.Size().Width, bar.fill.Size().Width, "complete, however many blocks followed")
}

func TestEscapeClosesTheDialogsAndTheDetailWindow(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	win := b.ui.win
	open := func() bool { return win.Canvas().Overlays().Top() != nil }

	p.selectRecord(t, recs[1].RecordNo)
	b.tap(t, p.cancelBtn)
	require.True(t, open())
	require.Same(t, p.remarks.remarks, win.Canvas().Focused(), "the remarks have the focus")
	pressEscape(win)
	require.False(t, open(), "Escape in the remarks entry closes the dialog")

	b.tap(t, p.cancelBtn)
	test.Type(p.remarks.remarks, "Duplicate user request")
	b.tap(t, p.remarks.confirm)
	require.Equal(t, 2, len(win.Canvas().Overlays().List()))
	pressEscape(win)
	require.Equal(t, 1, len(win.Canvas().Overlays().List()), "Escape closes the second confirmation only")
	pressEscape(win)
	require.False(t, open())

	b.tap(t, p.detailsBtn)
	v := p.detail
	require.Contains(t, b.ui.windows, v.win)
	pressEscape(v.win)
	require.NotContains(t, b.ui.windows, v.win, "Escape closes the detail window")

	p.selectRecord(t, recs[0].RecordNo) // credited
	b.tap(t, p.refundBtn)
	require.True(t, open())
	pressEscape(win)
	require.False(t, open(), "Escape closes Request Refund")

	b.tap(t, b.ui.nav[pageAddresses])
	a := b.ui.addresses
	for name, tap := range map[string]*widget.Button{"Add customer": a.addCustomerBtn, "Add address": a.addAddressBtn} {
		b.tap(t, tap)
		require.True(t, open(), name)
		pressEscape(win)
		require.False(t, open(), "Escape closes %s", name)
	}
	a.selectAddress(t, recs[1].SourceAddress)
	b.tap(t, a.proveBtn)
	win.Canvas().Focus(a.proof.signature)
	pressEscape(win)
	require.False(t, open(), "Escape closes Prove ownership")

	// Keys other than Escape still reach the window's own handler.
	typed := 0
	win.Canvas().SetOnTypedKey(func(*fyne.KeyEvent) { typed++ })
	b.tap(t, a.rejectBtn)
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyDown})
	require.Equal(t, 1, typed)
	pressEscape(win)
	require.False(t, open())
	win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: fyne.KeyEscape})
	require.Equal(t, 2, typed, "once the dialog is closed, the window has its handler back")
}

func TestEscapeClosesTheApprovalDialog(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	b.checker(t, "checker", "checker-password-1", core.PermAddressVerification)
	src := recs[1].SourceAddress
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &src})
	require.NoError(t, err)
	_, err = b.svc.SubmitManualEvidence(b.admin, ws[0].ID, "Signed letter ref 2026-118")
	require.NoError(t, err)
	p := b.addressesAs(t, "checker", "checker-password-1")
	p.selectAddress(t, src)
	b.tap(t, p.approveBtn)
	require.NotNil(t, b.ui.win.Canvas().Overlays().Top())
	pressEscape(b.ui.win)
	require.Nil(t, b.ui.win.Canvas().Overlays().Top())
}

// A refusal long enough to fill the dialog wraps and scrolls above its
// buttons: they stay inside the dialog, where they were.
func TestALongErrorStaysInsideTheDialog(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	p := b.loginAs(t, "admin", adminPW)
	b.ui.win.Resize(fyne.NewSize(1280, 800))
	p.selectRecord(t, recs[1].RecordNo)
	b.tap(t, p.cancelBtn)
	d := p.remarks
	abs := func(o fyne.CanvasObject) fyne.Position {
		return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
	}
	box := b.ui.win.Canvas().Overlays().Top().(*widget.PopUp).Content
	backAt, confirmAt := abs(d.back), abs(d.confirm)

	long := core.Errorf(core.ECONFLICT, "%s", "Node bitcoin/regtest did not answer in 5s. The desk cannot check that transaction "+
		recs[1].TxID+" has not reached the chain, so the record cannot be cancelled. "+strings.Repeat("Try again when the node answers. ", 30))
	d.message.SetText(errorText(long))
	b.ui.win.Resize(fyne.NewSize(1279, 800))
	b.ui.win.Resize(fyne.NewSize(1280, 800))

	require.Equal(t, backAt, abs(d.back), "the buttons keep their place")
	require.Equal(t, confirmAt, abs(d.confirm))
	bottom := abs(box).Y + box.Size().Height
	for _, btn := range []*widget.Button{d.back, d.confirm} {
		require.LessOrEqual(t, abs(btn).Y+btn.Size().Height, bottom, "%s is inside the dialog", btn.Text)
		require.True(t, btn.Visible())
	}
	require.LessOrEqual(t, d.message.Size().Width, box.Size().Width, "the message wraps within the dialog's width")

	// The second confirmation quotes the remarks; long ones scroll too.
	test.Type(d.remarks, strings.Repeat("Duplicate user request, see ticket 4471. ", 20))
	b.tap(t, d.confirm)
	again := b.ui.win.Canvas().Overlays().Top().(*widget.PopUp).Content
	bottom = abs(again).Y + again.Size().Height
	require.LessOrEqual(t, abs(d.again).Y+d.again.Size().Height, bottom, "Yes, confirm is inside its dialog")
}
