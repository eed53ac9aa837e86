package ui

import (
	"encoding/hex"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func (p *addressesPage) selectAddress(t *testing.T, address string) {
	t.Helper()
	selectRow(t, p.table, p.addresses, address, func(w *core.WalletAddress) bool { return w.Address == address })
	settle(t, p.w.calls) // Approve waits for whether a document is pending
}

func TestCustomerWalletAddressProvedBySignatureAndByApprovedDocument(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	require.NoError(t, b.svc.SetFirmName(b.admin, "Example Securities"))
	b.checker(t, "checker", "checker-password-1", core.PermAddressVerification)
	b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAddresses])
	p := b.ui.addresses
	require.True(t, b.ui.pages[pageAddresses].Visible())
	require.Len(t, p.addresses, 2, "the applications' source addresses wait as Pending")

	b.tap(t, p.addCustomerBtn)
	cf := p.customerForm
	test.Type(cf.customerNo, "c 1")
	test.Type(cf.account, "SA-30001")
	test.Type(cf.name, "Mei Wong")
	b.tap(t, cf.save)
	require.Contains(t, cf.message.Text, "must be 3 to 32 upper-case letters")
	cf.customerNo.SetText("c30001")
	b.tap(t, cf.save)
	require.Equal(t, "Customer C30001 (SA-30001) added.", p.message.Text)

	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	ethAddr := crypto.PubkeyToAddress(key.PublicKey).Hex()
	p.customerNo.SetText("C30001")
	b.tap(t, p.addAddressBtn)
	af := p.addressForm
	require.Equal(t, "C30001", af.customerNo.Text, "the searched customer is the default")
	af.chain.SetSelected(core.ChainEthereum)
	af.network.SetSelected("dev")
	test.Type(af.address, ethAddr)
	test.Type(af.label, "hot wallet")
	b.tap(t, af.save)
	require.Contains(t, p.message.Text, "is Pending until its owner proves it")
	require.Len(t, p.addresses, 1)

	p.selectAddress(t, ethAddr)
	require.True(t, p.revokeBtn.Disabled(), "only a Verified address can be revoked")
	b.tap(t, p.proveBtn)
	d := p.proof
	require.True(t, d.verifyBtn.Disabled(), "no challenge yet")
	b.tap(t, d.issueBtn)
	require.Contains(t, d.challengeText.Text, "Example Securities wallet ownership proof")
	require.Contains(t, d.challengeText.Text, ethAddr)
	sig, err := crypto.Sign(accounts.TextHash([]byte(d.challenge.Message)), key)
	require.NoError(t, err)
	sig[64] += 27
	test.Type(d.signature, "0x00")
	b.tap(t, d.verifyBtn)
	require.NotEmpty(t, d.message.Text, "a bad signature is named in the dialog")
	d.signature.SetText("0x" + hex.EncodeToString(sig))
	b.tap(t, d.verifyBtn)
	require.Contains(t, p.message.Text, "is Verified by a signed message (eip191)", d.message.Text)
	require.Empty(t, p.addresses, "the Pending list no longer shows it")
	p.status.SetSelected(allOption)
	b.tap(t, p.searchBtn)
	require.Equal(t, core.AddressVerified, p.addresses[0].Status)

	// A document: the admin submits it, the checker approves it.
	src := recs[1].SourceAddress // recs[1] is still under verification
	p.customerNo.SetText(recs[1].CustomerNo)
	b.tap(t, p.searchBtn)
	p.selectAddress(t, src)
	b.tap(t, p.proveBtn)
	d = p.proof
	b.tap(t, d.startBtn)
	require.Contains(t, d.message.Text, "account public key", "a micro-deposit needs the asset's account key; the dialog says so")
	d.tabs.SelectIndex(2)
	b.tap(t, d.submitBtn)
	require.Contains(t, d.message.Text, "required")
	test.Type(d.evidence, "Signed letter ref 2026-118")
	b.tap(t, d.submitBtn)
	require.Contains(t, p.message.Text, "waits for a second operator's approval")
	p.selectAddress(t, src)
	require.True(t, p.approveBtn.Disabled(), "nobody approves their own document")

	b.ui.showLogin("")
	b.loginAs(t, "checker", "checker-password-1")
	require.False(t, b.ui.assets.addBtn.Visible(), "Address Verification sees the assets, changes none")
	b.tap(t, b.ui.nav[pageAddresses])
	p = b.ui.addresses
	p.selectAddress(t, src)
	require.False(t, p.approveBtn.Disabled())
	b.tap(t, p.approveBtn)
	require.Contains(t, p.approval.info.Text, "Signed letter ref 2026-118")
	b.tap(t, p.approval.approve)
	require.Contains(t, p.message.Text, "is Verified on the document")

	// Revoke it: deposits from it that are not credited are held.
	p.status.SetSelected(core.AddressVerified.Display())
	b.tap(t, p.searchBtn)
	p.selectAddress(t, src)
	b.tap(t, p.revokeBtn)
	test.Type(p.remarks.remarks, "Customer reported the wallet lost")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.Contains(t, p.message.Text, "revoked")
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &src})
	require.NoError(t, err)
	require.Equal(t, core.AddressRevoked, ws[0].Status)
	require.Equal(t, core.StatusHeld, mustStatus(t, b, recs[1].RecordNo), "its not yet credited deposit is held")
}

func TestPendingAddressIsRejectedWithRemarks(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 2)
	b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAddresses])
	p := b.ui.addresses
	src := recs[0].SourceAddress
	p.selectAddress(t, src)
	b.tap(t, p.rejectBtn)
	require.True(t, p.remarks.confirm.Disabled(), "remarks are required")
	test.Type(p.remarks.remarks, "Address belongs to an exchange")
	b.tap(t, p.remarks.confirm)
	b.tap(t, p.remarks.again)
	require.Equal(t, src+" rejected.", p.message.Text)
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &src})
	require.NoError(t, err)
	require.Equal(t, core.AddressRejected, ws[0].Status)
}

func TestAddressesAreReadOnlyForDepositRecords(t *testing.T) {
	b := setup(t)
	b.withData(t, 1)
	_, err := b.svc.CreateOperator(b.admin, "viewer", "viewer-password-1", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	b.loginAs(t, "viewer", "viewer-password-1")
	b.tap(t, b.ui.nav[pageAddresses])
	p := b.ui.addresses
	require.Len(t, p.addresses, 1)
	for _, btn := range []*widget.Button{p.addCustomerBtn, p.addAddressBtn, p.proveBtn, p.approveBtn, p.rejectBtn, p.revokeBtn} {
		require.False(t, btn.Visible(), btn.Text)
	}
}
