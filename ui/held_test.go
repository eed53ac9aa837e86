package ui

import (
	"context"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestSupervisorReleasesOrRejectsAHeldRecord(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	hold := func(rec *core.DepositRecord) {
		_, err := b.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: core.StatusHeld,
			Remarks: "Amount differs from the transaction", Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "deposit.hold", Entity: "deposit"}})
		require.NoError(t, err)
	}
	hold(recs[1])
	hold(recs[2])
	_, err := b.svc.CreateOperator(b.admin, "clerk", "clerk-password-1", []core.Permission{core.PermDepositRecords, core.PermCancel})
	require.NoError(t, err)

	p := b.loginAs(t, "clerk", "clerk-password-1")
	require.False(t, p.releaseBtn.Visible(), "deciding held records is Refund Approval's")

	b.ui.showLogin("")
	p = b.loginAs(t, "admin", adminPW)
	p.selectRecord(t, recs[0].RecordNo)
	require.True(t, p.releaseBtn.Disabled(), "only a held record is decided")
	p.selectRecord(t, recs[1].RecordNo)
	b.tap(t, p.releaseBtn)
	test.Type(p.remarks.remarks, "amount matches the customer's corrected request")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.Equal(t, recs[1].RecordNo+" released to Confirming.", p.message.Text)
	require.Equal(t, core.StatusConfirming, mustStatus(t, b, recs[1].RecordNo))

	p.selectRecord(t, recs[2].RecordNo)
	b.tap(t, p.rejectBtn)
	test.Type(p.remarks.remarks, "sent from an address of another customer")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.Equal(t, core.StatusRejected, mustStatus(t, b, recs[2].RecordNo))
}
