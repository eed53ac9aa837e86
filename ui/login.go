package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// loginPage asks for the operator's name and password.
type loginPage struct {
	w       *worker
	svc     *core.Service
	done    func(*core.Operator)
	name    *widget.Entry
	pw      *widget.Entry
	submit  *widget.Button
	message *widget.Label
}

func newLoginPage(w *worker, svc *core.Service, notice string, done func(*core.Operator)) *loginPage {
	p := &loginPage{w: w, svc: svc, done: done, name: widget.NewEntry(), pw: widget.NewPasswordEntry(), message: widget.NewLabel(notice)}
	p.name.OnSubmitted = func(string) { p.onLoginTapped() }
	p.pw.OnSubmitted = func(string) { p.onLoginTapped() }
	p.submit = widget.NewButton("Log in", p.onLoginTapped)
	p.submit.Importance = widget.HighImportance
	p.message.Wrapping = fyne.TextWrapWord
	return p
}

func (p *loginPage) build() fyne.CanvasObject {
	form := widget.NewForm(widget.NewFormItem("Operator", p.name), widget.NewFormItem("Password", p.pw))
	card := widget.NewCard("Deposit Desk", "Virtual Asset Management · Deposit/Withdrawal · Deposit", container.NewVBox(form, p.message, p.submit))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(520, card.MinSize().Height+30), card)) // room for a second line of message
}

// onLoginTapped checks the password off the Fyne thread. The fields are
// disabled meanwhile, so Enter cannot log in twice.
func (p *loginPage) onLoginTapped() {
	name, pw := p.name.Text, p.pw.Text
	run(p.w, task[*core.Operator]{
		controls: []fyne.Disableable{p.submit, p.name, p.pw},
		line:     p.message,
		call:     func(ctx context.Context) (*core.Operator, error) { return p.svc.Login(ctx, name, pw) },
		done: func(op *core.Operator, err error) {
			if err != nil {
				p.pw.SetText("")
				p.message.SetText(errorText(err))
				return
			}
			p.done(op)
		},
	})
}
