package ui

import (
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

const clerkPW = "clerk-password-1"

// loginClerk has the administrator create the operator clerk with perms,
// and logs clerk in.
func (b *bundle) loginClerk(t *testing.T, perms ...core.Permission) *recordsPage {
	t.Helper()
	_, err := b.svc.CreateOperator(b.admin, "clerk", clerkPW, perms)
	require.NoError(t, err)
	return b.loginAs(t, "clerk", clerkPW)
}

// openDetails opens the detail window of each record, as the Details button does.
func (b *bundle) openDetails(t *testing.T, p *recordsPage, recordNos ...string) []*detailView {
	t.Helper()
	var vs []*detailView
	for _, no := range recordNos {
		p.selectRecord(t, no)
		b.tap(t, p.detailsBtn)
		vs = append(vs, p.detail)
	}
	require.Len(t, b.secondary(t), len(recordNos))
	return vs
}

// secondary is what the desk has open besides its main window: the
// windows the test driver lists after it (before it, the driver keeps one
// of its own for rendering).
func (b *bundle) secondary(t *testing.T) []fyne.Window {
	t.Helper()
	all := b.ui.app.Driver().AllWindows()
	i := slices.Index(all, b.ui.win)
	require.GreaterOrEqual(t, i, 0, "the main window stays")
	return all[i+1:]
}

// requireSessionEnded checks the session ended as a logout does: every
// window and dialog of it closed (the detail windows' reads ended),
// and the main window showing the login with notice.
func (b *bundle) requireSessionEnded(t *testing.T, notice string, vs ...*detailView) {
	t.Helper()
	require.NotNil(t, b.ui.login, "the main window shows the login")
	require.Equal(t, notice, b.ui.login.message.Text)
	require.Nil(t, b.ui.operator)
	require.Nil(t, b.ui.records)
	require.Equal(t, "Deposit Desk", b.ui.win.Title(), "the title names no page of the ended session")
	require.Contains(t, test.LaidOutObjects(b.ui.win.Content()), fyne.CanvasObject(b.ui.login.submit), "the login is on screen")
	require.Empty(t, b.secondary(t), "the session's windows are closed")
	require.Empty(t, b.ui.windows)
	require.Nil(t, b.ui.win.Canvas().Overlays().Top(), "no dialog of the session stays over the login")
	for _, v := range vs {
		require.Error(t, v.w.ctx.Err(), "the detail window of %s reads nothing more: its session's calls ended", v.recordNo)
	}
}

// An administrator disables an operator who is logged in with a detail
// window open: whatever the operator does next is refused, and the desk
// ends the session as a logout does, saying why.
func TestDisabledOperatorsNextActionEndsTheSession(t *testing.T) {
	for _, c := range []struct {
		name string
		act  func(t *testing.T, b *bundle, p *recordsPage, v *detailView)
	}{
		{"RefreshInTheDetailWindow", func(t *testing.T, b *bundle, _ *recordsPage, v *detailView) {
			b.tap(t, v.refreshBtn)
		}},
		{"Search", func(t *testing.T, b *bundle, p *recordsPage, _ *detailView) {
			b.tap(t, p.searchBtn)
		}},
		{"TheDetailWindowFollowingAChange", func(t *testing.T, b *bundle, _ *recordsPage, v *detailView) {
			b.ui.DepositsChanged(v.recordNo) // the watcher moved it: no input needed
			b.settle(t)
		}},
		{"Cancel", func(t *testing.T, b *bundle, p *recordsPage, _ *detailView) {
			b.tap(t, p.cancelBtn) // core is asked before remarks are
			require.Nil(t, p.remarks, "no remarks are asked of a disabled operator")
		}},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := setup(t)
			recs := b.withData(t, 3)
			target := recs[1] // under verification
			p := b.loginClerk(t, core.PermDepositRecords, core.PermCancel)
			vs := b.openDetails(t, p, target.RecordNo)
			p.selectRecord(t, target.RecordNo)

			_, err := b.svc.SetOperatorDisabled(b.admin, "clerk", true, "Left the firm")
			require.NoError(t, err)
			c.act(t, b, p, vs[0])

			b.requireSessionEnded(t, `Operator "clerk" is disabled.`, vs...)
			require.Equal(t, core.StatusVerifying, mustStatus(t, b, target.RecordNo), "nothing was done")

			b.loginAs(t, "admin", adminPW)
			require.Equal(t, "admin", b.ui.operator.Name, "the next operator logs in at the same desk")
		})
	}
}

func TestLogoutClosesTheSessionsWindows(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	vs := b.openDetails(t, p, recs[0].RecordNo, recs[1].RecordNo)
	b.tap(t, p.cancelBtn) // the remarks dialog of recs[1], left open
	require.NotNil(t, b.ui.win.Canvas().Overlays().Top())

	b.tap(t, b.ui.logout)
	b.requireSessionEnded(t, "Logged out.", vs...)

	// The next session starts with none of them and closes its own.
	p = b.loginAs(t, "admin", adminPW)
	require.Empty(t, b.secondary(t))
	vs = b.openDetails(t, p, recs[2].RecordNo)
	b.tap(t, b.ui.logout)
	b.requireSessionEnded(t, "Logged out.", vs...)
}

func TestIdleLockClosesTheSessionsWindows(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	vs := b.openDetails(t, p, recs[0].RecordNo, recs[1].RecordNo)
	b.tap(t, p.cancelBtn) // the operator walked away from a cancellation
	test.Type(p.remarks.remarks, "Duplicate user request")
	b.tap(t, p.remarks.confirm)

	b.ui.lastInput = time.Now().Add(-DefaultIdleLock - time.Minute)
	b.ui.checkIdle()
	b.requireSessionEnded(t, "Locked after 15m0s without activity. Please log in again.", vs...)
}

// A permission taken away refuses the action where the operator took it;
// the operator may still do what they may, in the same session.
func TestPermissionTakenAwayRefusesTheActionOnly(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	target := recs[1] // under verification
	p := b.loginClerk(t, core.PermDepositRecords, core.PermCancel)
	vs := b.openDetails(t, p, target.RecordNo)
	p.selectRecord(t, target.RecordNo)
	require.True(t, p.cancelBtn.Visible(), "the desk was built while clerk could cancel")

	_, err := b.svc.SetOperatorPermissions(b.admin, "clerk", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	b.tap(t, p.cancelBtn)
	require.Nil(t, p.remarks, "refused before remarks are asked")
	require.Equal(t, `Operator "clerk" may not cancel deposit.`, p.message.Text, "the refusal is shown on the page")
	require.Equal(t, core.StatusVerifying, mustStatus(t, b, target.RecordNo))

	require.Nil(t, b.ui.login, "still logged in")
	require.Same(t, p, b.ui.records)
	require.Len(t, b.secondary(t), 1, "the detail window stays")
	b.tap(t, vs[0].refreshBtn)
	require.Contains(t, vs[0].message.Text, "Updated", "what clerk may still see, they see")
	b.tap(t, p.searchBtn)
	require.Len(t, p.records, 3)
	require.Empty(t, p.message.Text)
}

// ChangePassword refuses a wrong current password with the code it gives
// a disabled operator; at the desk it is a typo to correct, not a logout.
func TestWrongCurrentPasswordKeepsTheSession(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	p := b.loginClerk(t, core.PermDepositRecords)
	b.tap(t, b.ui.account)
	f := b.ui.password
	test.Type(f.current, "not-my-password")
	test.Type(f.next, "clerk-password-2")
	test.Type(f.confirm, "clerk-password-2")
	b.tap(t, f.save)
	require.Equal(t, "The current password is wrong.", f.message.Text)
	require.Nil(t, b.ui.login)
	require.Same(t, p, b.ui.records)
	require.NotNil(t, b.ui.win.Canvas().Overlays().Top(), "the dialog stays open to try again")
}
