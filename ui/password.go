package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// passwordForm changes the logged-in operator's own password.
type passwordForm struct {
	*formDialog
	current, next, confirm *widget.Entry
}

func newPasswordForm(win fyne.Window, svc *core.Service, ctx context.Context, done func(string)) *passwordForm {
	f := &passwordForm{current: widget.NewPasswordEntry(), next: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry()}
	f.next.SetPlaceHolder("at least 10 characters")
	form := widget.NewForm(widget.NewFormItem("Current password", f.current), widget.NewFormItem("New password", f.next),
		widget.NewFormItem("Confirm new password", f.confirm))
	f.formDialog = newFormDialog(win, "Change my password", "Change password", 480, form, func() error {
		if f.next.Text != f.confirm.Text {
			return core.Errorf(core.EINVALID, "The two new passwords differ.")
		}
		if err := svc.ChangePassword(ctx, f.current.Text, f.next.Text); err != nil {
			return err
		}
		done("Password changed.")
		return nil
	})
	win.Canvas().Focus(f.current)
	return f
}
