package ui

import (
	"bytes"
	"fmt"
	"math/big"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// The records page as an operator first sees it, as markup: three records
// at fixed times, the count line, the pager, the actions.
func TestRecordsPageRendersAsItsGolden(t *testing.T) {
	local := time.Local
	time.Local = time.UTC
	t.Cleanup(func() { time.Local = local })
	at := time.Date(2026, 11, 25, 9, 30, 0, 0, time.UTC)
	b := setup(t)
	b.svc.Now = func() time.Time { return at }
	op, err := b.svc.Bootstrap(t.Context(), "admin", adminPW)
	require.NoError(t, err)
	b.admin = core.NewContextWithOperator(t.Context(), op)
	require.NoError(t, b.svc.CreateAsset(b.admin, &core.Asset{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8,
		MinDeposit: big.NewInt(1000), ConfirmationsRequired: 3, Enabled: true}))
	require.NoError(t, b.svc.CreateCustomer(b.admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-C10001", Name: "Wei Chan"}))
	for i := range 3 {
		a, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{byte(i + 1)}, 20), &chaincfg.RegressionNetParams)
		require.NoError(t, err)
		src := a.EncodeAddress()
		_, _, err = b.svc.SubmitApplication(b.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: fmt.Sprint("g", i), CustomerNo: "C10001",
			SecuritiesAccount: "SA-C10001", AssetSymbol: "BTC", Network: "regtest", Amount: fmt.Sprintf("0.%d5", i+1),
			RequestedAt: at.Add(-time.Duration(i) * time.Minute), SourceAddress: src, DestinationAddress: src,
			TxID: fmt.Sprintf("%064x", i+0xabc)})
		require.NoError(t, err)
	}
	p := b.loginAs(t, "admin", adminPW)
	p.clock = func() time.Time { return at }
	b.tap(t, b.ui.nav[pageRecords])
	b.tap(t, p.searchBtn)
	b.ui.win.Resize(fyne.NewSize(1280, 800))
	test.AssertRendersToMarkup(t, "records.xml", b.ui.win.Canvas())
}
