package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// wizardPage names the firm and creates the first administrator on an
// empty database.
type wizardPage struct {
	w       *worker
	svc     *core.Service
	done    func(*core.Operator)
	firm    *widget.Entry
	name    *widget.Entry
	pw      *widget.Entry
	confirm *widget.Entry
	create  *widget.Button
	message *widget.Label
}

func newWizardPage(w *worker, svc *core.Service, done func(*core.Operator)) *wizardPage {
	p := &wizardPage{w: w, svc: svc, done: done, firm: widget.NewEntry(), name: widget.NewEntry(), pw: widget.NewPasswordEntry(),
		confirm: widget.NewPasswordEntry(), message: widget.NewLabel("")}
	p.firm.SetPlaceHolder("e.g. Example Securities Co., Ltd.")
	p.name.SetPlaceHolder("e.g. admin")
	p.pw.SetPlaceHolder("at least 10 characters")
	p.confirm.OnSubmitted = func(string) { p.onCreateTapped() }
	p.create = widget.NewButton("Create administrator", p.onCreateTapped)
	p.create.Importance = widget.HighImportance
	p.message.Wrapping = fyne.TextWrapWord
	return p
}

func (p *wizardPage) build() fyne.CanvasObject {
	form := widget.NewForm(
		widget.NewFormItem("Firm name", p.firm),
		widget.NewFormItem("Administrator name", p.name),
		widget.NewFormItem("Password", p.pw),
		widget.NewFormItem("Confirm password", p.confirm),
	)
	intro := widget.NewLabel("This database has no operators yet. Name the firm, as customers will read it in every\n" +
		"wallet ownership challenge, and create the administrator, who holds every permission and\n" +
		"creates the other operators. Every action from now on is recorded in the audit log.")
	card := widget.NewCard("Welcome to Deposit Desk", "First-run setup", container.NewVBox(intro, form, p.message, p.create))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(620, card.MinSize().Height+30), card)) // room for a second line of message
}

func (p *wizardPage) onCreateTapped() {
	// The name is checked before the administrator exists, so a bad one
	// leaves the database as empty as it was.
	firm, err := core.ValidateFirmName(p.firm.Text)
	if err != nil {
		p.message.SetText(errorText(err))
		return
	}
	if p.pw.Text != p.confirm.Text {
		p.message.SetText("The two passwords differ.")
		return
	}
	name, pw := p.name.Text, p.pw.Text
	run(p.w, task[*core.Operator]{
		controls: []fyne.Disableable{p.create, p.firm, p.name, p.pw, p.confirm},
		line:     p.message,
		call: func(ctx context.Context) (*core.Operator, error) {
			op, err := p.svc.Bootstrap(ctx, name, pw)
			if err != nil {
				return nil, err
			}
			// The operator comes back with the error: it exists, only the name is missing.
			return op, p.svc.SetFirmName(core.NewContextWithOperator(ctx, op), firm)
		},
		done: func(op *core.Operator, err error) {
			switch {
			case err != nil && op != nil:
				p.message.SetText("The administrator was created, but the firm's name was not stored: " + errorText(err) +
					" Log in and set it with depositctl firm set NAME.")
			case err != nil:
				p.message.SetText(errorText(err))
			default:
				p.done(op)
			}
		},
	})
}
