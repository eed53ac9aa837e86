package ui

import (
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// Remarks typed in the desktop meet the same rule as everywhere else: a
// terminal escape or a text-direction override is refused, named, and
// nothing is cancelled.
func TestRemarksWithControlCharactersAreRefusedInTheDialog(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 3)
	p := b.loginAs(t, "admin", adminPW)
	target := recs[1] // under verification
	p.selectRecord(t, target.RecordNo)
	for _, c := range []struct{ remarks, says string }{
		{"Duplicate \x1b[2Jrequest", "control character (U+001B)"},
		{"Duplicate \u202Etseuqer", "text-direction control (U+202E)"},
	} {
		b.tap(t, p.cancelBtn)
		d := p.remarks
		d.remarks.SetText(c.remarks)
		b.tap(t, d.confirm)
		b.tap(t, d.again)
		require.False(t, d.succeeded)
		require.Contains(t, d.message.Text, c.says)
		require.Equal(t, core.StatusVerifying, mustStatus(t, b, target.RecordNo))
		d.dlg.Hide()
	}
}
