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

func newPasswordForm(win fyne.Window, w *worker, svc *core.Service, done func(string)) *passwordForm {
	f := &passwordForm{current: widget.NewPasswordEntry(), next: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry()}
	f.next.SetPlaceHolder("at least 10 characters")
	form := widget.NewForm(widget.NewFormItem("Current password", f.current), widget.NewFormItem("New password", f.next),
		widget.NewFormItem("Confirm new password", f.confirm))
	f.formDialog = newFormDialog(win, w, "Change my password", "Change password", 480, form, func() error {
		if f.next.Text != f.confirm.Text {
			return core.Errorf(core.EINVALID, "The two new passwords differ.")
		}
		current, next := f.current.Text, f.next.Text
		submit(f.formDialog, func(ctx context.Context) (struct{}, error) { return struct{}{}, svc.ChangePassword(ctx, current, next) },
			func(struct{}) { done("Password changed.") })
		return nil
	})
	win.Canvas().Focus(f.current)
	return f
}
