package ui

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/station"
	"depositdesk/internal/stationtest"
)

// stationLimits lets a station sign the refund desk's BTC@regtest refunds.
const stationLimits = "[[asset]]\nasset = 'BTC@regtest'\nchain = 'bitcoin'\nmax_amount = '0.01'\nmax_fee = '0.0001'\n"

// writeLimits writes a station's folder: station.toml with limits and the
// desk's exported trust list; it returns station.toml's path.
func (d *refundDesk) writeLimits(t *testing.T, text string) string {
	t.Helper()
	trusted, err := d.svc.ExportOperatorKeys(d.admin)
	require.NoError(t, err)
	return stationtest.Write(t, text, trusted)
}

// preparedRefundPage has sam approve the desk's refund and admin prepare
// it, and returns admin's Refunds page with it selected.
func (d *refundDesk) preparedRefundPage(t *testing.T) (*refundsPage, *core.Refund) {
	t.Helper()
	r := d.request(t)
	_, err := d.svc.ApproveRefund(d.operatorCtx(t, "sam"), r.ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(d.admin, r.ID)
	require.NoError(t, err)
	rp := d.refundsAs(t, "admin", adminPW)
	rp.table.Select(widget.TableCellID{Row: 0})
	require.Equal(t, core.RefundPrepared, rp.current().Status)
	return rp, rp.current()
}

// The station's file out and back on the Refunds page: Export for station
// writes a new file readable by its owner only (never over one with
// anything in it); a file for another refund and an unsigned file are
// refused on Import signed; the station's signed file makes the refund
// Signed, to be broadcast.
func TestARefundGoesToTheStationAndComesBackSigned(t *testing.T) {
	d := setupRefundDesk(t)
	rp, r := d.preparedRefundPage(t)
	require.False(t, rp.exportBtn.Disabled())
	require.False(t, rp.importBtn.Disabled())
	dir := t.TempDir()

	out := filepath.Join(dir, "refund-1.json")
	rp.exportTo(r, out)
	d.settle(t)
	require.Equal(t, "Refund 1 of "+d.rec.RecordNo+" written to "+out+
		". Sign it on the station (depositdesk --station or depositctl sign), then Import signed.", rp.message.Text)
	fi, err := os.Stat(out)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
	b, err := os.ReadFile(out)
	require.NoError(t, err)
	f, err := station.Read(b)
	require.NoError(t, err)
	require.Equal(t, r.ID, f.Refund.ID)
	require.Equal(t, d.rec.SourceAddress, f.Refund.Address)

	rp.exportTo(r, out)
	d.settle(t)
	require.Contains(t, rp.message.Text, "Refund 1 was not exported: "+out+" exists already and is not overwritten")
	again, err := os.ReadFile(out)
	require.NoError(t, err)
	require.Equal(t, b, again)

	psbtPath := filepath.Join(dir, "refund-1.psbt")
	require.NoError(t, os.WriteFile(psbtPath, nil, 0o644)) // as Fyne's save dialog leaves it
	rp.exportTo(r, psbtPath)
	d.settle(t)
	require.Contains(t, rp.message.Text, "written to "+psbtPath+". Sign it in the other wallet")
	pb, err := os.ReadFile(psbtPath)
	require.NoError(t, err)
	require.True(t, bytes.HasPrefix(pb, []byte("psbt\xff")), "a binary BIP-174 PSBT")

	rp.importFrom(r, out)
	d.settle(t)
	require.Equal(t, "Refund 1 was not imported: refund-1.json is not signed yet: take it to the signing station first.", rp.message.Text)

	signed, said, err := station.Sign(f, d.mustLimits(t, stationLimits), d.svc.Keys)
	require.NoError(t, err)
	require.Contains(t, said[1], "Pays 0.001 BTC to "+d.rec.SourceAddress)

	other := *signed
	other.Refund.ID = 99
	otherPath := filepath.Join(dir, "refund-99-signed.json")
	ob, err := other.Marshal()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(otherPath, ob, 0o600))
	rp.importFrom(r, otherPath)
	d.settle(t)
	require.Equal(t, "Refund 1 was not imported: refund-99-signed.json is refund 99's file, not refund 1's; nothing was stored.", rp.message.Text)
	got, err := d.svc.Refund(d.admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundPrepared, got.Status)

	signedPath := filepath.Join(dir, "refund-1-signed.json")
	sb, err := signed.Marshal()
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(signedPath, sb, 0o600))
	rp.importFrom(r, signedPath)
	d.settle(t)
	require.Equal(t, "Refund 1 of "+d.rec.RecordNo+" signed at the station: transaction "+signed.TxID+
		" verified and stored. Broadcast sends it to the network.", rp.message.Text)
	require.Equal(t, core.RefundSigned, rp.refunds[0].Status)
	require.Equal(t, signed.TxID, rp.refunds[0].TxID)
	require.True(t, rp.exportBtn.Disabled() && rp.importBtn.Disabled(), "signed once")
	require.False(t, rp.broadcastBtn.Disabled())
}

func (d *refundDesk) mustLimits(t *testing.T, text string) *station.Limits {
	t.Helper()
	l, err := station.ReadLimits(d.writeLimits(t, text))
	require.NoError(t, err)
	return l
}
