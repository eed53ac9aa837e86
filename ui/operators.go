package ui

import (
	"context"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

var operatorColumns = []tableColumn[*core.Operator]{
	{"Operator", "seed-checker", func(o *core.Operator) string { return o.Name }},
	{"State", "Locked until 23:59", func(o *core.Operator) string {
		switch {
		case o.Disabled:
			return "Disabled"
		case o.LockedUntil.After(time.Now()):
			return "Locked until " + o.LockedUntil.Local().Format("15:04")
		}
		return "Active"
	}},
	{"Permissions", strings.Repeat("Deposit Application, ", 4), func(o *core.Operator) string {
		if len(o.Permissions) == len(core.AllPermissions()) {
			return "All (administrator)"
		}
		names := make([]string, len(o.Permissions))
		for i, p := range o.Permissions {
			names[i] = string(p)
		}
		return strings.Join(names, ", ")
	}},
	{"Created", "2026-11-24 23:30", func(o *core.Operator) string { return o.CreatedAt.Local().Format("2006-01-02 15:04") }},
	{"Password\nChanged", "2026-11-24 23:30", func(o *core.Operator) string {
		return o.PasswordChangedAt.Local().Format("2006-01-02 15:04")
	}},
}

// operatorsPage is Operator Admin's page: who may use the desk with which
// of the guide's permissions, disabling and re-enabling them with remarks,
// and the firm's name that ownership challenges state.
type operatorsPage struct {
	ctx context.Context
	svc *core.Service
	op  *core.Operator
	win fyne.Window

	table                                   *widget.Table
	addBtn, permsBtn, disableBtn, enableBtn *widget.Button
	firm                                    *widget.Entry
	firmBtn                                 *widget.Button
	message, selection                      *widget.Label
	operators                               []*core.Operator
	selected                                int
	form                                    *operatorForm  // the open add/permissions dialog, for tests
	remarks                                 *remarksDialog // the open disable/enable dialog, for tests
}

func newOperatorsPage(ctx context.Context, svc *core.Service, op *core.Operator, win fyne.Window) *operatorsPage {
	p := &operatorsPage{ctx: ctx, svc: svc, op: op, win: win, selected: -1}
	p.addBtn = widget.NewButton("Add operator", func() { p.form = newOperatorForm(p.win, p.svc, p.ctx, nil, p.saved) })
	p.addBtn.Importance = widget.HighImportance
	p.permsBtn = widget.NewButton("Change permissions", func() {
		if o := p.current(); o != nil {
			p.form = newOperatorForm(p.win, p.svc, p.ctx, o, p.saved)
		}
	})
	p.disableBtn = widget.NewButton("Disable", func() { p.setDisabled(true) })
	p.enableBtn = widget.NewButton("Enable", func() { p.setDisabled(false) })
	p.firm = entry("e.g. Example Securities Co., Ltd.")
	p.firmBtn = widget.NewButton("Save firm name", p.onFirmTapped)
	p.message, p.selection = widget.NewLabel(""), widget.NewLabel("Select an operator")
	p.message.Wrapping = fyne.TextWrapWord
	p.table = newTable(operatorColumns, func() []*core.Operator { return p.operators }, func(row int) {
		p.selected = row
		p.updateActions()
	})
	p.updateActions()
	return p
}

func (p *operatorsPage) build() fyne.CanvasObject {
	firm := container.NewBorder(nil, nil, widget.NewLabelWithStyle("Firm name (stated in every ownership challenge)", fyne.TextAlignLeading,
		fyne.TextStyle{Italic: true}), p.firmBtn, p.firm)
	top := container.NewVBox(firm, widget.NewSeparator())
	actions := container.NewHBox(p.addBtn, p.selection, p.permsBtn, p.disableBtn, p.enableBtn)
	bottom := container.NewVBox(widget.NewSeparator(), actions, p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

// load reads the operators and the firm's name again.
func (p *operatorsPage) load() {
	var keep string
	if o := p.current(); o != nil {
		keep = o.Name
	}
	ops, err := p.svc.ListOperators(p.ctx)
	if err != nil {
		p.message.SetText(errorText(err))
		return
	}
	if name, err := p.svc.FirmName(p.ctx); err == nil {
		p.firm.SetText(name)
	}
	p.operators, p.selected = ops, -1
	oneLineRows(p.table, len(ops))
	p.table.UnselectAll()
	for i, o := range ops {
		if o.Name == keep {
			p.table.Select(widget.TableCellID{Row: i})
		}
	}
	p.table.Refresh()
	p.updateActions()
}

func (p *operatorsPage) current() *core.Operator {
	if p.selected >= 0 && p.selected < len(p.operators) {
		return p.operators[p.selected]
	}
	return nil
}

func (p *operatorsPage) updateActions() {
	o := p.current()
	enable(p.permsBtn, o != nil)
	enable(p.disableBtn, o != nil && !o.Disabled && o.Name != p.op.Name)
	enable(p.enableBtn, o != nil && o.Disabled)
	if o != nil {
		p.selection.SetText("Selected: " + o.Name)
	} else {
		p.selection.SetText("Select an operator")
	}
}

func (p *operatorsPage) saved(what string) {
	p.load()
	p.message.SetText(what)
}

func (p *operatorsPage) setDisabled(disabled bool) {
	o := p.current()
	if o == nil {
		return
	}
	verb, consequence := "Disable", " can no longer log in. Enter the reason."
	if !disabled {
		verb, consequence = "Enable", " can log in again (a lockout is cleared). Enter the reason."
	}
	p.remarks = newRemarksDialog(p.win, verb+" operator "+o.Name, "Operator "+o.Name+consequence, verb+" operator",
		verb+" operator "+o.Name+"?", func(reason string) error {
			if _, err := p.svc.SetOperatorDisabled(p.ctx, o.Name, disabled, reason); err != nil {
				return err
			}
			p.saved("Operator " + o.Name + " " + strings.ToLower(verb) + "d.")
			return nil
		})
}

func (p *operatorsPage) onFirmTapped() {
	if err := p.svc.SetFirmName(p.ctx, p.firm.Text); err != nil {
		p.message.SetText(errorText(err))
		return
	}
	p.saved("Firm name saved; new challenges state it.")
}

// operatorForm adds an operator, or changes an operator's permissions.
type operatorForm struct {
	*formDialog
	name, password, confirm *widget.Entry
	perms                   *widget.CheckGroup
}

func newOperatorForm(win fyne.Window, svc *core.Service, ctx context.Context, cur *core.Operator, saved func(string)) *operatorForm {
	names := make([]string, 0, len(core.AllPermissions()))
	for _, p := range core.AllPermissions() {
		names = append(names, string(p))
	}
	f := &operatorForm{name: entry("e.g. wei.chan"), password: widget.NewPasswordEntry(), confirm: widget.NewPasswordEntry(),
		perms: widget.NewCheckGroup(names, nil)}
	f.password.SetPlaceHolder("at least 10 characters")
	selected := func() []core.Permission {
		out := make([]core.Permission, len(f.perms.Selected))
		for i, s := range f.perms.Selected {
			out[i] = core.Permission(s)
		}
		return out
	}
	if cur != nil {
		f.name.SetText(cur.Name)
		f.name.Disable()
		for _, p := range cur.Permissions {
			f.perms.Selected = append(f.perms.Selected, string(p))
		}
		f.perms.Refresh()
		form := widget.NewForm(widget.NewFormItem("Operator", f.name), widget.NewFormItem("Permissions", f.perms))
		f.formDialog = newFormDialog(win, "Permissions of "+cur.Name, "Save permissions", 520, form, func() error {
			if _, err := svc.SetOperatorPermissions(ctx, cur.Name, selected()); err != nil {
				return err
			}
			saved("Permissions of " + cur.Name + " saved.")
			return nil
		})
		return f
	}
	form := widget.NewForm(widget.NewFormItem("Operator", f.name), widget.NewFormItem("Password", f.password),
		widget.NewFormItem("Confirm password", f.confirm), widget.NewFormItem("Permissions", f.perms))
	f.formDialog = newFormDialog(win, "Add operator", "Add operator", 560, form, func() error {
		if f.password.Text != f.confirm.Text {
			return core.Errorf(core.EINVALID, "The two passwords differ.")
		}
		o, err := svc.CreateOperator(ctx, strings.TrimSpace(f.name.Text), f.password.Text, selected())
		if err != nil {
			return err
		}
		saved("Operator " + o.Name + " added.")
		return nil
	})
	return f
}
