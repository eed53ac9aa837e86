package ui

import (
	"context"
	"fmt"
	"strconv"

	"depositdesk/core"
	"depositdesk/core/station"
)

// onExportTapped asks where to write the selected prepared refund for the
// air-gapped signing station: a refund file (.json), or a BIP-174 PSBT
// (.psbt, Bitcoin) for another wallet.
func (p *refundsPage) onExportTapped() {
	if r := p.current(); r != nil {
		chooseSave(p.win, fmt.Sprintf("refund-%d.json", r.ID), func(path string) { p.exportTo(r, path) })
	}
}

// exportTo writes prepared refund r to path, a new file, off the Fyne
// thread: the desk checks it against the audit log first (StationRefund),
// so a refund rewritten in the database never leaves for the station.
func (p *refundsPage) exportTo(r *core.Refund, path string) {
	id := strconv.FormatInt(r.ID, 10)
	run(p.w, task[struct{}]{
		controls: p.actions(),
		line:     p.message,
		call: func(ctx context.Context) (struct{}, error) {
			b, err := station.Export(ctx, p.svc, r.ID, path)
			if err != nil {
				return struct{}{}, err
			}
			return struct{}{}, writeNew(path, b)
		},
		done: func(_ struct{}, err error) {
			if err != nil {
				p.message.SetText("Refund " + id + " was not exported: " + errorText(err))
				return
			}
			how := "Sign it on the station (depositdesk --station or depositctl sign), then Import signed."
			if station.IsPSBT(path) {
				how = "Sign it in the other wallet, then Import signed."
			}
			p.message.SetText("Refund " + id + " of " + r.RecordNo + " written to " + path + ". " + how)
		},
	})
}

// onImportTapped asks for what the station signed for the selected
// prepared refund: its signed refund file or a signed PSBT.
func (p *refundsPage) onImportTapped() {
	if r := p.current(); r != nil {
		chooseOpen(p.win, func(path string) { p.importFrom(r, path) })
	}
}

// importFrom reads path off the Fyne thread and stores its signed
// transaction for refund r once the desk has verified it is exactly the
// prepared one (ImportSignedRefund); a file for another refund, or not
// signed, is refused before.
func (p *refundsPage) importFrom(r *core.Refund, path string) {
	id := strconv.FormatInt(r.ID, 10)
	run(p.w, task[*core.Refund]{
		controls: p.actions(),
		line:     p.message,
		call: func(ctx context.Context) (*core.Refund, error) {
			raw, err := p.signedTransaction(ctx, r.ID, path)
			if err != nil {
				return nil, err
			}
			return p.svc.ImportSignedRefund(ctx, r.ID, raw)
		},
		done: func(got *core.Refund, err error) {
			if err != nil {
				p.message.SetText("Refund " + id + " was not imported: " + errorText(err))
				return
			}
			p.saved("Refund " + id + " of " + got.RecordNo + " signed at the station: transaction " + got.TxID +
				" verified and stored. Broadcast sends it to the network.")
		},
	})
}

// signedTransaction is what the station signed for refund id in the file
// at path: a signed PSBT's transaction, or a signed refund file's.
func (p *refundsPage) signedTransaction(ctx context.Context, id int64, path string) ([]byte, error) {
	b, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return station.SignedTransaction(ctx, id, path, b, p.svc.StationRefund)
}
