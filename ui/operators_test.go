package ui

import (
	"context"
	"testing"

	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func (p *operatorsPage) selectOperator(t *testing.T, name string) {
	t.Helper()
	selectRow(t, p.table, p.operators, "operator "+name, func(o *core.Operator) bool { return o.Name == name })
}

func TestOperatorsAddedChangedDisabledAndTheFirmNamed(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageOperators])
	p := b.ui.operators
	require.Len(t, p.operators, 1)
	require.Equal(t, "All (administrator)", operatorColumns[2].text(p.operators[0]))
	p.selectOperator(t, "admin")
	require.True(t, p.disableBtn.Disabled(), "nobody disables themself")

	b.tap(t, p.addBtn)
	f := p.form
	test.Type(f.name, "wei.chan")
	test.Type(f.password, "clerk-password-1")
	test.Type(f.confirm, "clerk-password-2")
	f.perms.SetSelected([]string{string(core.PermDepositRecords), string(core.PermCancel)})
	b.tap(t, f.save)
	require.Equal(t, "The two passwords differ.", f.message.Text)
	f.confirm.SetText("clerk-password-1")
	b.tap(t, f.save)
	require.Equal(t, "Operator wei.chan added.", p.message.Text)
	require.Len(t, p.operators, 2)

	p.selectOperator(t, "wei.chan")
	b.tap(t, p.permsBtn)
	f = p.form
	require.ElementsMatch(t, []string{string(core.PermDepositRecords), string(core.PermCancel)}, f.perms.Selected)
	f.perms.SetSelected(append(f.perms.Selected, string(core.PermAuditView)))
	b.tap(t, f.save)
	require.Equal(t, "Permissions of wei.chan saved.", p.message.Text)

	b.tap(t, p.disableBtn)
	test.Type(p.remarks.remarks, "Left the firm")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.Equal(t, "Operator wei.chan disabled.", p.message.Text)
	_, err := b.svc.Login(context.Background(), "wei.chan", "clerk-password-1")
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	require.False(t, p.enableBtn.Disabled())

	p.firm.SetText("Example\nSecurities")
	b.tap(t, p.firmBtn)
	require.Contains(t, p.message.Text, "one line")
	p.firm.SetText("Example Securities Co., Ltd.")
	b.tap(t, p.firmBtn)
	firm, err := b.svc.FirmName(b.admin)
	require.NoError(t, err)
	require.Equal(t, "Example Securities Co., Ltd.", firm)
}

func TestOperatorChangesOwnPassword(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	_, err := b.svc.CreateOperator(b.admin, "viewer", "viewer-password-1", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	b.loginAs(t, "viewer", "viewer-password-1")
	require.Nil(t, b.ui.operators, "the Operators page is for Operator Admin")
	require.NotContains(t, b.ui.nav, pageOperators)

	b.tap(t, b.ui.account)
	f := b.ui.password
	test.Type(f.current, "wrong-password-0")
	test.Type(f.next, "viewer-password-2")
	test.Type(f.confirm, "viewer-password-2")
	b.tap(t, f.save)
	require.Equal(t, "The current password is wrong.", f.message.Text)
	f.current.SetText("viewer-password-1")
	b.tap(t, f.save)
	require.Equal(t, "Password changed.", b.ui.notice.Text)
	_, err = b.svc.Login(context.Background(), "viewer", "viewer-password-2")
	require.NoError(t, err)
}
