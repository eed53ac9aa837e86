package ui

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
	"depositdesk/core/station"
)

// signTimeout bounds the keyring's answer while signing: it may ask the
// operator to unlock it first.
const signTimeout = 5 * time.Minute

// StationWindow is the air-gapped signing station (depositdesk --station):
// no database, no node, no login. It opens a refund file the desk
// exported, shows what it pays in plain words with the result of the
// station's own checks (station.Sign's, stopped before the key signs),
// signs it after a second confirmation with Keys under the limits in
// LimitsPath, and saves the signed file for the desk's Import signed.
// Files and the keyring are read off the Fyne thread.
type StationWindow struct {
	win        fyne.Window
	keys       core.SigningKeys
	limitsPath string
	calls      calls
	w          *worker

	openBtn, signBtn, saveBtn *widget.Button
	fileName                  *widget.Label // the file open
	facts                     *widget.Form  // what the file says it pays
	check                     *widget.Label // the station's checks, before signing
	signedLines               *widget.Label // what was signed
	message                   *widget.Label
	again                     *widget.Button // the second confirmation's yes, for tests

	file   *station.File // the file open, when it reads
	signed *station.File // its signed form, once signed
}

// NewStationWindow builds the station's window on app: it signs with keys
// (the OS keyring in depositdesk) under the limits in limitsPath.
func NewStationWindow(app fyne.App, keys core.SigningKeys, limitsPath string) *StationWindow {
	s := &StationWindow{keys: keys, limitsPath: limitsPath}
	s.w = newWorker(context.Background(), &s.calls)
	s.win = app.NewWindow("Deposit Desk · Signing station")
	s.openBtn = widget.NewButton("Open refund file…", s.onOpenTapped)
	s.openBtn.Importance = widget.HighImportance
	s.signBtn = widget.NewButton("Sign", s.onSignTapped)
	s.signBtn.Importance = widget.DangerImportance
	s.saveBtn = widget.NewButton("Save signed file…", s.onSaveTapped)
	s.fileName = widget.NewLabel("No file open.")
	s.fileName.Truncation = fyne.TextTruncateEllipsis
	s.facts = widget.NewForm()
	s.check, s.signedLines, s.message = wrapped(""), wrapped(""), wrapped("")
	s.message.Selectable = true
	s.signedLines.Hide() // no empty lines before anything is signed
	s.signBtn.Disable()
	s.saveBtn.Disable()
	s.win.SetContent(s.build())
	s.win.Resize(fyne.NewSize(900, 650))
	s.win.SetMaster()
	return s
}

// Window is the station's window; ShowAndRun displays it.
func (s *StationWindow) Window() fyne.Window { return s.win }

func (s *StationWindow) build() fyne.CanvasObject {
	intro := wrapped("This machine signs refunds offline. Open the refund file the desk exported (Refunds › Export for station), " +
		"read what it pays, then Sign; Save writes the signed file to take back to the desk (Import signed). " +
		"This station's limits: " + s.limitsPath + ".")
	top := container.NewVBox(intro, container.NewBorder(nil, nil, s.openBtn, nil, s.fileName), widget.NewSeparator())
	// The checks' verdict and what was signed stay in sight below the facts.
	body := container.NewVScroll(s.facts)
	bottom := container.NewVBox(widget.NewSeparator(), s.check, s.signedLines, container.NewHBox(s.signBtn, s.saveBtn), s.message)
	return container.NewBorder(top, bottom, nil, nil, body)
}

func (s *StationWindow) onOpenTapped() { chooseOpen(s.win, s.openFile) }

// opened is a refund file read, and why the station would not sign it
// (errChecked when it would).
type opened struct {
	file  *station.File
	check error
}

// errChecked ends a check-only run of station.Sign: every check passed
// and the keyring holds the key; nothing was signed.
var errChecked = errors.New("checked; not signed")

// checkOnly is the station's keys for a dry run of station.Sign: its
// checks of the file against the station's limits and the decoded
// transaction, then whether the keyring holds the file's account key —
// and no signature.
type checkOnly struct{ keys core.SigningKeys }

func (c checkOnly) Put(*core.Asset, string) error {
	return core.Errorf(core.EINVALID, "A check stores no key.")
}
func (c checkOnly) Check(a *core.Asset) error { return c.keys.Check(a) }
func (c checkOnly) Sign(a *core.Asset, _ *core.Refund, _ *core.Payout) ([]byte, string, error) {
	if err := c.keys.Check(a); err != nil {
		return nil, "", err
	}
	return nil, "", errChecked
}

// openFile reads the refund file at path off the Fyne thread, shows its
// facts and whether this station would sign it; the open dialog calls it.
func (s *StationWindow) openFile(path string) {
	s.file, s.signed = nil, nil
	s.saveBtn.Disable()
	s.signBtn.Disable()
	s.fileName.SetText(path)
	s.showFacts(nil)
	s.check.SetText("")
	s.signedLines.SetText("")
	s.signedLines.Hide()
	s.message.SetText("")
	run(s.w, task[opened]{
		controls: []fyne.Disableable{s.openBtn},
		line:     s.message,
		call: func(context.Context) (opened, error) {
			b, err := readFile(path)
			if err != nil {
				return opened{}, err
			}
			f, err := station.Read(b)
			if err != nil {
				return opened{}, err
			}
			l, err := station.ReadLimits(s.limitsPath)
			if err != nil {
				return opened{f, err}, nil
			}
			_, _, err = station.Sign(f, l, checkOnly{s.keys})
			return opened{f, err}, nil
		},
		done: func(o opened, err error) {
			if err != nil {
				s.message.SetText(filepath.Base(path) + " cannot be signed: " + errorText(err))
				return
			}
			s.file = o.file
			s.showFacts(o.file)
			if !errors.Is(o.check, errChecked) {
				s.check.SetText("Not signed: " + errorText(o.check))
				s.message.SetText("This station does not sign this file.")
				return
			}
			s.check.SetText("Checked by this station: two operators it trusts signed the request and the approval of exactly these facts; the transaction, decoded again, pays exactly this amount to this address on " +
				"this network, its fee is the one stated and within this station's cap, the amount within its limit, and this " +
				"station's keyring holds the account's key. Nothing is signed until you click Sign.")
			s.signBtn.Enable()
		},
	})
}

// showFacts fills the facts form with f's, or empties it.
func (s *StationWindow) showFacts(f *station.File) {
	s.facts.Items = nil
	if f != nil {
		for _, fact := range stationFacts(f) {
			l := widget.NewLabel(fact[1])
			l.Wrapping = fyne.TextWrapBreak
			s.facts.Append(fact[0], l)
		}
	}
	s.facts.Refresh()
}

// stationFacts are a refund file's facts, label and value, in the words
// of Execute Refund on the desk.
func stationFacts(f *station.File) [][2]string {
	r := f.Refund
	kind := "at the customer's request"
	if r.Forced {
		kind = "forced by the firm"
	}
	amount := core.FormatAmount(r.Amount.Big(), f.Asset.Decimals) + " " + f.Asset.Symbol
	facts := [][2]string{
		{"Refund", "Refund " + strconv.FormatInt(r.ID, 10) + " of record " + r.RecordNo + " · customer " + r.CustomerNo},
		{"Amount", amount + " (" + kind + ")"},
		{"Refund address", r.Address},
		{"Network", f.Asset.Chain + " " + f.Asset.Network},
	}
	p := f.Payout
	facts = append(facts, [2]string{"Fee", feeText(f.Asset.Chain, p)})
	if p.Payer != "" {
		if p.Contract != "" {
			facts = append(facts, [2]string{"Token contract", p.Contract})
		}
		facts = append(facts, [2]string{"Paid from", p.Payer}, [2]string{"Nonce", strconv.FormatUint(p.Nonce, 10)})
	} else {
		facts = append(facts, [2]string{"Inputs", inputsText(f.Asset.Chain, p)}, [2]string{"Change", changeText(f.Asset.Chain, p)})
	}
	facts = append(facts,
		[2]string{"Identity check", orDash(r.IdentityCheck)},
		[2]string{"Requested by", r.RequestedBy},
		[2]string{"Approved by", orDash(r.ApprovedBy)},
		[2]string{"Account key", shorten(f.Asset.AccountXPub, 16, 8)})
	if len(f.SignedTx) > 0 {
		facts = append(facts, [2]string{"Signed", "already: transaction " + f.TxID})
	}
	return facts
}

// onSignTapped asks again, naming what is paid; its yes signs.
func (s *StationWindow) onSignTapped() {
	f := s.file
	if f == nil {
		return
	}
	s.again = confirmAgain(s.win, fmt.Sprintf("Sign refund %d: %s %s to %s plus a network fee of %s?", f.Refund.ID,
		core.FormatAmount(f.Refund.Amount.Big(), f.Asset.Decimals), f.Asset.Symbol, f.Refund.Address,
		core.FormatFee(f.Asset.Chain, f.Payout.Fee.Big())), "Yes, sign", s.sign)
}

// sign checks the file again under the limits as they are now and signs
// it with the keyring's key, off the Fyne thread; it shows what was signed.
func (s *StationWindow) sign() {
	f := s.file
	if f == nil {
		return
	}
	type answer struct {
		signed *station.File
		said   []string
	}
	run(s.w, task[answer]{
		controls: []fyne.Disableable{s.openBtn, s.signBtn},
		line:     s.message,
		timeout:  signTimeout,
		call: func(context.Context) (answer, error) {
			l, err := station.ReadLimits(s.limitsPath)
			if err != nil {
				return answer{}, err
			}
			signed, said, err := station.Sign(f, l, s.keys)
			return answer{signed, said}, err
		},
		done: func(a answer, err error) {
			if err != nil {
				s.message.SetText("Nothing was signed: " + errorText(err))
				return
			}
			s.signed = a.signed
			s.signedLines.Show()
			s.signedLines.SetText("Signed:\n" + strings.Join(a.said, "\n") + "\nTransaction " + a.signed.TxID + ".")
			s.message.SetText(fmt.Sprintf("Refund %d signed. Save the signed file and take it back to the desk: Refunds › Import signed.", f.Refund.ID))
			s.signBtn.Disable()
			s.saveBtn.Enable()
		},
	})
}

func (s *StationWindow) onSaveTapped() {
	if s.signed != nil {
		chooseSave(s.win, fmt.Sprintf("refund-%d-signed.json", s.signed.Refund.ID), s.saveTo)
	}
}

// saveTo writes the signed file to path, a new file readable by its owner
// only, off the Fyne thread; the save dialog calls it.
func (s *StationWindow) saveTo(path string) {
	signed := s.signed
	if signed == nil {
		return
	}
	run(s.w, task[struct{}]{
		controls: []fyne.Disableable{s.saveBtn},
		line:     s.message,
		call: func(context.Context) (struct{}, error) {
			b, err := signed.Marshal()
			if err != nil {
				return struct{}{}, err
			}
			return struct{}{}, writeNew(path, b)
		},
		done: func(_ struct{}, err error) {
			if err != nil {
				s.message.SetText("Not saved: " + errorText(err))
				return
			}
			s.message.SetText(fmt.Sprintf("Signed refund %d saved to %s. Take it back to the desk: Refunds › Import signed.",
				signed.Refund.ID, path))
		},
	})
}
