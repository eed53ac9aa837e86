package ui

import (
	"context"
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// detailView is one record's detail: fields, source-address verification,
// block-confirmation progress and the audit trail.
type detailView struct {
	w        *worker
	svc      *core.Service
	recordNo string
	win      fyne.Window

	fields       *widget.Form
	values       map[string]*widget.Label
	verification *widget.Label
	progress     *confirmBar
	progressText *widget.Label
	trail        *fyne.Container // one wrapped label per audit entry, oldest first
	trailScroll  *container.Scroll
	trailEmpty   *widget.Label
	entries      []*core.AuditEntry
	refreshBtn   *widget.Button
	message      *widget.Label
	reads        lane
	live         spaced // reads for changes elsewhere, a live gap apart
	onClosed     func()
}

var detailFields = []string{"Record No", "Status", "Customer No", "Securities Account", "Asset", "Network", "Amount",
	"Source Address", "Destination Address", "TXID", "Block", "Request Time", "Sent By", "Created", "Updated", "Remarks", "Refund"}

// openDetail shows recordNo's detail in a window of the session ws.
func openDetail(w *worker, svc *core.Service, ws windows, recordNo string) *detailView {
	v := &detailView{w: w, svc: svc, recordNo: recordNo, values: map[string]*widget.Label{},
		verification: widget.NewLabel(""), progress: newConfirmBar(), progressText: widget.NewLabel(""),
		message: widget.NewLabel(""), live: spaced{gap: core.LiveGap}}
	v.fields = widget.NewForm()
	for _, f := range detailFields {
		l := widget.NewLabel("…") // until the first read is in
		l.Wrapping = fyne.TextWrapBreak
		l.Selectable = true
		v.values[f] = l
		v.fields.Append(f, l)
	}
	v.verification.Wrapping = fyne.TextWrapWord
	v.refreshBtn = widget.NewButton("Refresh", v.onRefreshTapped)
	v.trailEmpty = widget.NewLabel("No audit entries name this record.")
	v.trail = container.NewVBox()
	v.trailScroll = container.NewVScroll(v.trail)
	v.win = fyne.CurrentApp().NewWindow("Deposit record " + recordNo)
	progress := container.NewVBox(widget.NewLabelWithStyle("Block confirmations", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		v.progress, v.progressText)
	left := container.NewVScroll(v.fields)
	right := container.NewBorder(container.NewVBox(
		widget.NewLabelWithStyle("Source address verification", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.verification,
		widget.NewSeparator(), progress, widget.NewSeparator(),
		widget.NewLabelWithStyle("Audit trail (time · actor · action · remarks)", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), v.trailEmpty),
		nil, nil, nil, v.trailScroll)
	split := container.NewHSplit(left, right)
	split.Offset = 0.55
	v.win.SetContent(container.NewBorder(nil, container.NewHBox(v.refreshBtn, v.message), nil, nil, split))
	v.win.Resize(fyne.NewSize(1100, 700))
	v.win.Canvas().SetOnTypedKey(func(k *fyne.KeyEvent) {
		if k.Name == fyne.KeyEscape {
			v.win.Close()
		}
	})
	ws.show(v.win, func() {
		if v.onClosed != nil {
			v.onClosed()
		}
	})
	v.onRefreshTapped()
	return v
}

// onRefreshTapped reads the record again, saying so on the message line.
func (v *detailView) onRefreshTapped() { v.read(v.message, v.refreshBtn) }

// load reads the record again quietly after a change made elsewhere (the
// watcher's new blocks, another desk, the intake): the window follows the
// record by these announcements rather than by polling, at most once per
// live gap. A read supersedes one in flight, which may predate the change.
func (v *detailView) load() { v.live.do(v.w, func() { v.read(nil) }) }

func (v *detailView) read(line *widget.Label, controls ...fyne.Disableable) {
	run(v.w, task[*core.DepositDetail]{
		controls: controls,
		line:     line,
		lane:     &v.reads,
		call:     func(ctx context.Context) (*core.DepositDetail, error) { return v.svc.DepositDetail(ctx, v.recordNo) },
		done: func(det *core.DepositDetail, err error) {
			if err != nil {
				v.message.SetText(errorText(err))
				return
			}
			v.show(det)
		},
	})
}

// show puts det on screen.
func (v *detailView) show(det *core.DepositDetail) {
	d := det.Record
	block := "—"
	if d.BlockHeight > 0 {
		block = fmt.Sprintf("%d (%s)", d.BlockHeight, shorten(d.BlockHash, 10, 8))
	}
	for k, s := range map[string]string{
		"Record No": d.RecordNo, "Status": d.Status.Display(), "Customer No": d.CustomerNo, "Securities Account": d.SecuritiesAccount,
		"Asset": d.AssetSymbol, "Network": d.Chain + " " + d.Network, "Amount": d.AmountText() + " " + d.AssetSymbol,
		"Source Address": d.SourceAddress, "Destination Address": d.DestinationAddress, "TXID": orDash(d.TxID), "Block": block,
		"Request Time": stamp(d.RequestedAt), "Sent By": d.Submitter(), "Created": stamp(d.CreatedAt), "Updated": stamp(d.UpdatedAt), "Remarks": orDash(d.Remarks),
		"Refund": refundText(det.Refunds),
	} {
		v.values[k].SetText(s)
	}
	if w := det.SourceAddress; w == nil {
		v.verification.SetText("Not registered for this customer: the address must be verified before the deposit can proceed.")
	} else if w.Status == core.AddressVerified {
		v.verification.SetText(fmt.Sprintf("Verified by %s on %s (%s: %s)", w.VerifiedBy, stamp(w.VerifiedAt), proofMethodText(w.VerificationMethod), w.Evidence))
	} else {
		v.verification.SetText(w.Status.Display() + ": ownership of the address has not been proven yet.")
	}
	v.progress.set(d.Confirmations, d.ConfirmationsRequired)
	v.progressText.SetText(progressText(d))
	v.entries = det.Trail
	v.trail.RemoveAll()
	for i := range v.entries {
		l := wrapped(v.trailLine(i))
		l.Selectable = true
		v.trail.Add(l)
	}
	if len(v.entries) == 0 {
		v.trailEmpty.Show()
	} else {
		v.trailEmpty.Hide()
	}
	v.message.SetText("Updated " + time.Now().Format("15:04:05"))
}

// refundText is the record's newest refund in one paragraph: where it
// stands, what it pays, its transaction, fee and confirmations, and how
// the customer was told.
func refundText(rs []*core.Refund) string {
	if len(rs) == 0 {
		return "—"
	}
	r := rs[0]
	s := fmt.Sprintf("%s: %s %s to %s, requested by %s on %s", r.Progress(), r.AmountText(), r.AssetSymbol, r.Address,
		r.RequestedBy, stamp(r.CreatedAt))
	if r.ApprovedBy != "" {
		s += ", approved by " + r.ApprovedBy
	}
	if r.IdentityCheck != "" {
		s += "; " + r.Kind() + "; identity checked: " + r.IdentityCheck
	}
	if r.AdjustmentReason != "" {
		s += "; amount adjusted: " + r.AdjustmentReason
	}
	if r.Payout != nil && r.Payout.Fee != nil {
		s += "; fee " + feeText(r.Chain, r.Payout)
	}
	if r.TxID != "" {
		n := r.Confirmations
		if r.Status == core.RefundConfirmed { // confirmed at the asset's confirmations, whatever the watcher last counted
			n = max(n, r.ConfirmationsRequired)
		}
		s += fmt.Sprintf("; transaction %s, %d/%d confirmations", r.TxID, n, r.ConfirmationsRequired)
	}
	if r.Notice != nil {
		s += ". " + noticeText(r.Notice)
	}
	if len(rs) > 1 {
		s += fmt.Sprintf(" (%d earlier refunds were rejected or failed)", len(rs)-1)
	}
	return s
}

func progressText(d *core.DepositRecord) string {
	if d.TxID == "" {
		return "No transaction hash yet."
	}
	return confirmationsText(d.Confirmations, d.ConfirmationsRequired)
}

// confirmationsText is a confirmation count against the asset's required
// count: "2 of 3", "3 of 3 ✓", and past it "3 of 3 ✓ (964 seen)", since
// the watcher goes on counting blocks after the deposit is credited.
func confirmationsText(seen, required int) string {
	switch {
	case seen < required:
		return fmt.Sprintf("%d of %d", seen, required)
	case seen == required:
		return fmt.Sprintf("%d of %d ✓", required, required)
	}
	return fmt.Sprintf("%d of %d ✓ (%d seen)", required, required, seen)
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.Local().Format("2006-01-02 15:04:05")
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// trailLine is one audit entry as the trail shows it: the action in words
// and the remarks whole (an adjustment's reason, a hold's evidence).
func (v *detailView) trailLine(i int) string {
	e := v.entries[i]
	return fmt.Sprintf("%s · %s · %s\n%s", stamp(e.At), e.Actor, core.AuditActionName(e.Action), orDash(e.Remarks))
}

// confirmBar is the block-confirmation progress: an empty track at 0, a
// filled share of it as blocks confirm, full (in the success colour) once
// the required count is reached. (Fyne's ProgressBar paints its empty
// track in a shade of the fill colour, so 0 of 3 looked complete.)
type confirmBar struct {
	widget.BaseWidget
	seen, required int
	track, fill    *canvas.Rectangle
}

func newConfirmBar() *confirmBar {
	b := &confirmBar{track: canvas.NewRectangle(nil), fill: canvas.NewRectangle(nil)}
	b.ExtendBaseWidget(b)
	return b
}

// set shows seen confirmations of required.
func (b *confirmBar) set(seen, required int) {
	b.seen, b.required = seen, required
	b.Refresh()
}

// ratio is the filled share, 0 to 1.
func (b *confirmBar) ratio() float32 {
	if b.required <= 0 {
		return 0
	}
	return float32(min(b.seen, b.required)) / float32(b.required)
}

func (b *confirmBar) CreateRenderer() fyne.WidgetRenderer { return &confirmBarRenderer{b} }

type confirmBarRenderer struct{ b *confirmBar }

func (r *confirmBarRenderer) Layout(size fyne.Size) {
	r.b.track.Resize(size)
	r.b.fill.Resize(fyne.NewSize(size.Width*r.b.ratio(), size.Height))
}

func (r *confirmBarRenderer) MinSize() fyne.Size { return fyne.NewSize(100, theme.InnerPadding()*1.5) }

func (r *confirmBarRenderer) Refresh() {
	radius := theme.InputRadiusSize()
	r.b.track.FillColor, r.b.track.StrokeColor = theme.Color(theme.ColorNameInputBackground), theme.Color(theme.ColorNameInputBorder)
	r.b.track.StrokeWidth, r.b.track.CornerRadius = 1, radius
	r.b.fill.FillColor, r.b.fill.CornerRadius = theme.Color(theme.ColorNamePrimary), radius
	if r.b.ratio() >= 1 {
		r.b.fill.FillColor = theme.Color(theme.ColorNameSuccess)
	}
	r.b.fill.Hidden = r.b.ratio() == 0
	r.Layout(r.b.Size())
	r.b.track.Refresh()
	r.b.fill.Refresh()
}

func (r *confirmBarRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.b.track, r.b.fill}
}
func (r *confirmBarRenderer) Destroy() {}
