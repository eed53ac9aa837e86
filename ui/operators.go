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
	w   *worker
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
	reads                                   lane
}

func newOperatorsPage(w *worker, svc *core.Service, op *core.Operator, win fyne.Window) *operatorsPage {
	p := &operatorsPage{w: w, svc: svc, op: op, win: win, selected: -1}
	p.addBtn = widget.NewButton("Add operator", func() { p.form = newOperatorForm(p.win, p.w, p.svc, nil, p.saved) })
	p.addBtn.Importance = widget.HighImportance
	p.permsBtn = widget.NewButton("Change permissions", func() {
		if o := p.current(); o != nil {
			p.form = newOperatorForm(p.win, p.w, p.svc, o, p.saved)
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
	firm := container.NewBorder(nil, nil, caption("Firm name (stated in every ownership challenge)"), p.firmBtn, p.firm)
	top := container.NewVBox(firm, widget.NewSeparator())
	actions := container.NewHBox(p.addBtn, p.selection, p.permsBtn, p.disableBtn, p.enableBtn)
	bottom := container.NewVBox(widget.NewSeparator(), actions, p.message)
	return container.NewBorder(top, bottom, nil, nil, p.table)
}

// operatorList is what the page shows: the operators and the firm's name
// (nil when it could not be read).
type operatorList struct {
	operators []*core.Operator
	firm      *string
}

// load reads the operators and the firm's name again.
func (p *operatorsPage) load() {
	var keep string
	if o := p.current(); o != nil {
		keep = o.Name
	}
	run(p.w, task[operatorList]{
		line: p.message,
		lane: &p.reads,
		call: func(ctx context.Context) (operatorList, error) {
			ops, err := p.svc.ListOperators(ctx)
			if err != nil {
				return operatorList{}, err
			}
			l := operatorList{operators: ops}
			if firm, err := p.svc.FirmName(ctx); err == nil { // the list is worth showing without it
				l.firm = &firm
			}
			return l, nil
		},
		done: func(l operatorList, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			if l.firm != nil {
				p.firm.SetText(*l.firm)
			}
			p.operators, p.selected = l.operators, -1
			oneLineRows(p.table, len(l.operators))
			p.table.UnselectAll()
			for i, o := range l.operators {
				if o.Name == keep {
					p.table.Select(widget.TableCellID{Row: i})
				}
			}
			p.table.Refresh()
			p.updateActions()
		},
	})
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

// saved says what was stored and reloads the list; the message stays.
func (p *operatorsPage) saved(what string) {
	p.message.SetText(what)
	p.load()
}

func (p *operatorsPage) setDisabled(disabled bool) {
	o := p.current()
	if o == nil {
		return
	}
	verb, consequence, control := "Disable", " can no longer log in. Enter the reason.", p.disableBtn
	if !disabled {
		verb, consequence, control = "Enable", " can log in again (a lockout is cleared). Enter the reason.", p.enableBtn
	}
	p.remarks = newRemarksDialog(p.win, p.w, remarksAction{
		title: verb + " operator " + o.Name, explain: "Operator " + o.Name + consequence, confirm: verb + " operator",
		question: verb + " operator " + o.Name + "?",
		call: func(ctx context.Context, reason string) error {
			_, err := p.svc.SetOperatorDisabled(ctx, o.Name, disabled, reason)
			return err
		},
		ok:   func() { p.saved("Operator " + o.Name + " " + strings.ToLower(verb) + "d.") },
		hold: []fyne.Disableable{control},
	})
}

func (p *operatorsPage) onFirmTapped() {
	name := p.firm.Text
	run(p.w, task[struct{}]{
		controls: []fyne.Disableable{p.firmBtn},
		line:     p.message,
		call:     func(ctx context.Context) (struct{}, error) { return struct{}{}, p.svc.SetFirmName(ctx, name) },
		done: func(_ struct{}, err error) {
			if err != nil {
				p.message.SetText(errorText(err))
				return
			}
			p.saved("Firm name saved; new challenges state it.")
		},
	})
}

// operatorForm adds an operator, or changes an operator's permissions.
type operatorForm struct {
	*formDialog
	name, password, confirm *widget.Entry
	perms                   *widget.CheckGroup
}

func newOperatorForm(win fyne.Window, w *worker, svc *core.Service, cur *core.Operator, saved func(string)) *operatorForm {
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
		f.formDialog = newFormDialog(win, w, "Permissions of "+cur.Name, "Save permissions", 520, form, func() error {
			perms := selected()
			submit(f.formDialog, func(ctx context.Context) (*core.Operator, error) {
				return svc.SetOperatorPermissions(ctx, cur.Name, perms)
			}, func(*core.Operator) { saved("Permissions of " + cur.Name + " saved.") })
			return nil
		})
		return f
	}
	form := widget.NewForm(widget.NewFormItem("Operator", f.name), widget.NewFormItem("Password", f.password),
		widget.NewFormItem("Confirm password", f.confirm), widget.NewFormItem("Permissions", f.perms))
	f.formDialog = newFormDialog(win, w, "Add operator", "Add operator", 560, form, func() error {
		if f.password.Text != f.confirm.Text {
			return core.Errorf(core.EINVALID, "The two passwords differ.")
		}
		name, pw, perms := strings.TrimSpace(f.name.Text), f.password.Text, selected()
		submit(f.formDialog, func(ctx context.Context) (*core.Operator, error) { return svc.CreateOperator(ctx, name, pw, perms) },
			func(o *core.Operator) { saved("Operator " + o.Name + " added.") })
		return nil
	})
	return f
}
