package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/station"
)

// stationBundle is a signing station's window beside a refund desk, with
// the desk's prepared refund exported to a file.
type stationBundle struct {
	*refundDesk
	station  *StationWindow
	page     *refundsPage
	refund   *core.Refund
	dir      string
	exported string // the prepared refund's file, as Export for station wrote it
}

func setupStation(t *testing.T, limits string) *stationBundle {
	t.Helper()
	d := setupRefundDesk(t)
	rp, r := d.preparedRefundPage(t)
	s := &stationBundle{refundDesk: d, page: rp, refund: r, dir: t.TempDir()}
	s.exported = filepath.Join(s.dir, "refund-1.json")
	rp.exportTo(r, s.exported)
	d.settle(t)
	require.Contains(t, rp.message.Text, "written to "+s.exported)
	// The station holds the account key the desk's own Execute Refund uses.
	s.station = NewStationWindow(fyne.CurrentApp(), d.svc.Keys, d.writeLimits(t, limits))
	t.Cleanup(func() { settle(t, &s.station.calls) })
	return s
}

// open opens path in the station as its open dialog does.
func (s *stationBundle) open(t *testing.T, path string) map[string]string {
	t.Helper()
	s.station.openFile(path)
	settle(t, &s.station.calls)
	return facts(s.station.facts)
}

// tap taps o as the operator would, on the Fyne thread between answers,
// and waits for what it started.
func (s *stationBundle) tap(t *testing.T, o fyne.Tappable) {
	t.Helper()
	meanwhile(&s.station.calls, func() { test.Tap(o) })
	settle(t, &s.station.calls)
}

// The station's window: a refund file's facts in plain words and the
// station's checks before anything is signed; a file whose address was
// changed after export is refused with the reason; a good one is signed
// after a second confirmation, saved as a new file, and the desk imports
// it, Signed.
func TestTheStationWindowSignsWhatItShowsAndTheDeskImportsIt(t *testing.T) {
	s := setupStation(t, stationLimits)
	st := s.station
	require.True(t, st.signBtn.Disabled(), "nothing open, nothing to sign")
	require.True(t, st.saveBtn.Disabled())

	b, err := os.ReadFile(s.exported)
	require.NoError(t, err)
	elsewhere := regtestAddress(t)
	altered := filepath.Join(s.dir, "refund-1-altered.json")
	require.NoError(t, os.WriteFile(altered, bytes.ReplaceAll(b, []byte(s.rec.SourceAddress), []byte(elsewhere)), 0o600))
	f := s.open(t, altered)
	require.Equal(t, elsewhere, f["Refund address"], "the file's facts, as it states them")
	require.True(t, strings.HasPrefix(st.check.Text, "Not signed: "), st.check.Text)
	require.Contains(t, st.check.Text, "request signature by admin does not hold over the file's facts",
		"the operators signed another address than the file now states")
	require.Equal(t, "This station does not sign this file.", st.message.Text)
	require.True(t, st.signBtn.Disabled())

	require.NoError(t, os.WriteFile(filepath.Join(s.dir, "garbage.json"), []byte("{\"format\": 1}"), 0o600))
	f = s.open(t, filepath.Join(s.dir, "garbage.json"))
	require.Empty(t, f)
	require.Contains(t, st.message.Text, "garbage.json cannot be signed: The refund file does not read")
	require.True(t, st.signBtn.Disabled())

	f = s.open(t, s.exported)
	require.Equal(t, "Refund 1 of record "+s.rec.RecordNo+" · customer C10001", f["Refund"])
	require.Equal(t, "0.001 BTC (at the customer's request)", f["Amount"])
	require.Equal(t, s.rec.SourceAddress, f["Refund address"])
	require.Equal(t, "bitcoin regtest", f["Network"])
	p := s.refund.Payout
	require.Equal(t, core.FormatFee(core.ChainBitcoin, p.Fee.Big())+" at 2 sat/vB", f["Fee"])
	require.Contains(t, f["Change"], " to "+p.ChangeAddress+" (the account's change address 1)")
	require.Equal(t, "admin", f["Requested by"])
	require.Equal(t, "sam", f["Approved by"])
	require.True(t, strings.HasPrefix(st.check.Text, "Checked by this station: "), st.check.Text)
	require.Empty(t, st.message.Text)
	require.False(t, st.signBtn.Disabled())

	s.tap(t, st.signBtn)
	require.Equal(t, "Yes, sign", st.again.Text)
	s.tap(t, st.again)
	require.Contains(t, st.message.Text, "Refund 1 signed. Save the signed file")
	require.Contains(t, st.signedLines.Text, "Pays 0.001 BTC to "+s.rec.SourceAddress+" on bitcoin/regtest.")
	require.Contains(t, st.signedLines.Text, "this station's cap: 0.0001 BTC")
	require.True(t, st.signBtn.Disabled(), "signed once")
	require.False(t, st.saveBtn.Disabled())

	out := filepath.Join(s.dir, "refund-1-signed.json")
	st.saveTo(out)
	settle(t, &st.calls)
	require.Equal(t, "Signed refund 1 saved to "+out+". Take it back to the desk: Refunds › Import signed.", st.message.Text)
	fi, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	st.saveTo(out)
	settle(t, &st.calls)
	require.Contains(t, st.message.Text, "Not saved: "+out+" exists already and is not overwritten")
	sb, err := os.ReadFile(out)
	require.NoError(t, err)
	signed, err := station.Read(sb)
	require.NoError(t, err)
	require.NotEmpty(t, signed.SignedTx)

	f = s.open(t, out)
	require.Equal(t, "already: transaction "+signed.TxID, f["Signed"])
	require.Contains(t, st.check.Text, "signed already")
	require.True(t, st.signBtn.Disabled())

	s.page.importFrom(s.refund, out)
	s.settle(t)
	require.Contains(t, s.page.message.Text, "signed at the station: transaction "+signed.TxID+" verified and stored")
	got, err := s.svc.Refund(s.admin, s.refund.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundSigned, got.Status)
}

// The station signs nothing without its own limits, and within them only.
func TestTheStationSignsWithinItsOwnLimits(t *testing.T) {
	s := setupStation(t, stationLimits)
	s.station.limitsPath = filepath.Join(s.dir, "missing.toml")
	s.open(t, s.exported)
	require.Contains(t, s.station.check.Text, "Not signed: The station's limits ("+s.station.limitsPath+") cannot be read")
	require.True(t, s.station.signBtn.Disabled())

	s.station.limitsPath = s.writeLimits(t, strings.Replace(stationLimits, "max_amount = '0.01'", "max_amount = '0.0005'", 1))
	s.open(t, s.exported)
	require.Contains(t, s.station.check.Text, "above this station's limit of 0.0005 BTC per refund")
	require.True(t, s.station.signBtn.Disabled())
}
