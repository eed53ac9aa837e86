package storetest

// The refund actions of the property run: they need Credited records, so
// credit takes one there the watcher's way.

import (
	"pgregory.net/rapid"

	"depositdesk/core"
)

// credit runs the watcher's happy path on a record under verification or
// confirming: Confirming, then Credited. Random watcher moves rarely get
// there before a cancel or delete, and refunds start from Credited.
func (r *propertyRun) credit(rt *rapid.T) {
	m := r.pick(rt)
	var path []core.DepositStatus
	switch m.status {
	case core.StatusVerifying:
		path = []core.DepositStatus{core.StatusConfirming, core.StatusCredited}
	case core.StatusConfirming:
		path = []core.DepositStatus{core.StatusCredited}
	default:
		rt.Skip("only a record on its way is credited")
	}
	for _, to := range path {
		r.tick()
		if _, err := r.store.TransitionDeposit(r.ctx, core.DepositTransition{ID: m.rec.ID, From: m.status, To: to, Remarks: "watcher",
			Audit: core.AuditEntry{At: r.now, Actor: "watcher", Action: "deposit.watch", Entity: "deposit"}}); err != nil {
			rt.Fatalf("%s %s → %s: %v", m.rec.RecordNo, m.status, to, err)
		}
		m.move(to)
	}
}

// refund requests a refund of a record: only a Credited one gets it, to the
// customer's Verified address; anything else is EINVALID and changes nothing.
func (r *propertyRun) refund(rt *rapid.T) {
	m := r.pick(rt)
	r.tick()
	got, err := r.svc.RequestRefund(r.ctx, m.rec.RecordNo, core.RefundRequest{IdentityCheck: "checked by the property run", AddressID: r.refundTo[m.rec.Network]})
	if m.status != core.StatusCredited {
		if core.ErrorCode(err) != core.EINVALID {
			rt.Fatalf("refund of %s (%s): got %v, want EINVALID", m.rec.RecordNo, m.status, err)
		}
		return
	}
	if err != nil {
		rt.Fatalf("refund of credited %s: %v", m.rec.RecordNo, err)
	}
	m.move(core.StatusRefunding)
	m.refund = got
}

// decideRefund approves (as the second operator) or rejects a live refund.
func (r *propertyRun) decideRefund(rt *rapid.T) {
	m := r.pick(rt)
	if m.refund == nil {
		rt.Skip("no live refund")
	}
	r.tick()
	if rapid.Bool().Draw(rt, "approve") {
		_, err := r.svc.ApproveRefund(r.approver, m.refund.ID)
		if m.refund.Status != core.RefundRequested {
			if core.ErrorCode(err) != core.EINVALID {
				rt.Fatalf("approve %s refund again: got %v, want EINVALID", m.refund.Status, err)
			}
			return
		}
		if err != nil {
			rt.Fatalf("approve refund of %s: %v", m.rec.RecordNo, err)
		}
		m.refund.Status = core.RefundApproved
		return
	}
	if _, err := r.svc.RejectRefund(r.approver, m.refund.ID, "customer withdrew the refund request"); err != nil {
		rt.Fatalf("reject refund of %s: %v", m.rec.RecordNo, err)
	}
	m.move(core.StatusCredited)
	m.refund = nil
}

// checkRefunds holds a record to the refund invariant: a live refund
// exists exactly while the record is Refunding, and the model knows it.
func (r *propertyRun) checkRefunds(rt *rapid.T, d *core.DepositRecord, m *modelRecord) {
	rs, err := r.store.FindRefunds(r.ctx, core.RefundFilter{DepositID: &d.ID})
	if err != nil {
		rt.Fatalf("refunds of %s: %v", d.RecordNo, err)
	}
	live := 0
	for _, x := range rs {
		if x.Status != core.RefundRejected && x.Status != core.RefundFailed {
			live++
		}
	}
	if want := map[bool]int{true: 1, false: 0}[m.refund != nil]; live != want || (m.refund != nil) != (d.Status == core.StatusRefunding) {
		rt.Fatalf("%s is %s with %d live refunds; the model has refund=%v", d.RecordNo, d.Status, live, m.refund != nil)
	}
}
