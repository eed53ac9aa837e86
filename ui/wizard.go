package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// wizardPage creates the first administrator on an empty database.
type wizardPage struct {
	svc     *core.Service
	done    func(*core.Operator)
	name    *widget.Entry
	pw      *widget.Entry
	confirm *widget.Entry
	create  *widget.Button
	message *widget.Label
}

func newWizardPage(svc *core.Service, done func(*core.Operator)) *wizardPage {
	p := &wizardPage{svc: svc, done: done, name: widget.NewEntry(), pw: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(),
		message: widget.NewLabel("")}
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
		widget.NewFormItem("Administrator name", p.name),
		widget.NewFormItem("Password", p.pw),
		widget.NewFormItem("Confirm password", p.confirm),
	)
	intro := widget.NewLabel("This database has no operators yet. Create the administrator, who holds every permission\n" +
		"and creates the other operators. Every action from now on is recorded in the audit log.")
	card := widget.NewCard("Welcome to Deposit Desk", "First-run setup", container.NewVBox(intro, form, p.message, p.create))
	return container.NewCenter(container.NewGridWrap(fyne.NewSize(620, card.MinSize().Height+30), card)) // room for a second line of message
}

func (p *wizardPage) onCreateTapped() {
	if p.pw.Text != p.confirm.Text {
		p.message.SetText("The two passwords differ.")
		return
	}
	op, err := p.svc.Bootstrap(context.Background(), p.name.Text, p.pw.Text)
	if err != nil {
		p.message.SetText(errorText(err))
		return
	}
	p.done(op)
}
