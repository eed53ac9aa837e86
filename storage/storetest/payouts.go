package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// coin is an output of the desk's account a Bitcoin payout spends.
func coin(outpoint string, amount int64) core.PayoutInput {
	return core.PayoutInput{Outpoint: outpoint, Amount: core.NewInt(big.NewInt(amount)), Index: 1, Address: BTCAddress(3_000_000)}
}

// btcPayout pays r's amount from inputs, with change back to the account
// at change index 4 when change > 0.
func btcPayout(r *core.Refund, change int64, inputs ...core.PayoutInput) *core.Payout {
	p := &core.Payout{Unsigned: []byte{0x02, 0x00, 0x00, 0x00, byte(len(inputs))}, To: r.Address, Amount: core.NewInt(r.Amount),
		Fee: core.NewInt(big.NewInt(1410)), FeeRate: core.NewInt(big.NewInt(10)), Inputs: inputs}
	if change > 0 {
		p.Change, p.ChangeIndex, p.ChangeAddress = core.NewInt(big.NewInt(change)), 4, BTCAddress(4_000_004)
	}
	return p
}

// outpoint is a deposit's output as a payout names it.
func outpoint(d *core.DepositRecord) string { return d.TxID + ":" + strconv.Itoa(d.TxIndex) }

func payoutJSON(t *testing.T, p *core.Payout) string {
	t.Helper()
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return string(b)
}

// payoutBundle is a store with refunds to prepare: every deposit it makes
// is credited, to the BTC account's addresses when at says so.
type payoutBundle struct {
	*Fixture
	t *testing.T
}

func setupPayouts(t *testing.T, newStore NewStoreFunc) *payoutBundle {
	return &payoutBundle{Fixture: NewFixture(t, newStore), t: t}
}

// credited stores a credited deposit of a.
func (b *payoutBundle) credited(a *core.Asset) *core.DepositRecord {
	b.t.Helper()
	return b.paid(a, 0, "", core.StatusCredited)
}

// paid stores a deposit of a in status; amount and address, when set,
// replace the fixture's.
func (b *payoutBundle) paid(a *core.Asset, amount int64, address string, status core.DepositStatus) *core.DepositRecord {
	b.t.Helper()
	d := b.Deposit(a, b.Customer, 0)
	if amount > 0 {
		d.Amount = big.NewInt(amount)
	}
	if address != "" {
		d.DestinationAddress = address
	}
	return b.MustTransition(b.t, b.MustCreateDeposit(b.t, d), PathTo(status)...)
}

// approved requests and approves a refund of rec.
func (b *payoutBundle) approved(rec *core.DepositRecord) *core.Refund {
	b.t.Helper()
	r, move := requestRefund(rec, "rita")
	require.NoError(b.t, b.Store.CreateRefund(context.Background(), r, move))
	return b.move(r, core.RefundTransition{To: core.RefundApproved, ApprovedBy: "sam"})
}

// move applies rt to r (its ID, From and audit row filled in) and
// requires it to succeed.
func (b *payoutBundle) move(r *core.Refund, rt core.RefundTransition) *core.Refund {
	b.t.Helper()
	got, err := b.Store.TransitionRefund(context.Background(), b.transition(r, rt))
	require.NoError(b.t, err)
	return got
}

func (b *payoutBundle) transition(r *core.Refund, rt core.RefundTransition) core.RefundTransition {
	rt.ID, rt.From = r.ID, r.Status
	if rt.Payout != nil {
		rt.Network = b.BTC.Net()
	}
	rt.Audit = audit("refund."+string(rt.To), "deposit", r.RecordNo, T0.Add(time.Hour))
	return rt
}

// held is every spend refunds hold on the BTC network.
func (b *payoutBundle) held() []string {
	b.t.Helper()
	got, err := b.Store.FindHeldSpends(context.Background(), core.SpendKey(b.BTC.Net(), ""))
	require.NoError(b.t, err)
	return got
}

func btcSpends(b *payoutBundle, outpoints ...string) []string {
	out := make([]string, len(outpoints))
	for i, o := range outpoints {
		out[i] = core.SpendKey(b.BTC.Net(), o)
	}
	return out
}

func runPayouts(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("PayoutSignedTransactionAndNoticeReadBackWithTheRefund", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		rec := b.credited(b.BTC)
		r := b.approved(rec)
		require.Nil(t, r.Payout)
		require.Nil(t, r.Notice)
		require.Equal(t, 3, r.ConfirmationsRequired, "the asset's")

		p := btcPayout(r, 5_000, coin(outpoint(rec), rec.Amount.Int64()+6_410))
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: p})
		require.Equal(t, core.RefundPrepared, r.Status)
		require.JSONEq(t, payoutJSON(t, p), payoutJSON(t, r.Payout))
		require.Nil(t, r.SignedTx)

		raw, txid := []byte{0x02, 0x00, 0xde, 0xad, 0xbe, 0xef}, TxID(core.ChainBitcoin, 900)
		r = b.move(r, core.RefundTransition{To: core.RefundSigned, SignedTx: raw, TxID: txid})
		require.Equal(t, raw, r.SignedTx)
		require.Equal(t, txid, r.TxID)
		require.JSONEq(t, payoutJSON(t, p), payoutJSON(t, r.Payout), "signing keeps the payout")

		r = b.move(r, core.RefundTransition{To: core.RefundBroadcast})
		require.NoError(t, b.Store.UpdateRefundChain(ctx, r.ID, core.RefundBroadcast, 2))
		r = b.move(r, core.RefundTransition{To: core.RefundConfirmed, Remarks: "seen in block 812",
			Deposit: &core.DepositTransition{ID: rec.ID, From: core.StatusRefunding, To: core.StatusRefunded, Audit: audit("deposit.refunded", "deposit", rec.RecordNo, T0)}})
		require.Equal(t, "seen in block 812", r.Remarks)
		require.Equal(t, 2, r.Confirmations)

		at := T0.Add(2 * time.Hour)
		n := core.RefundNotice{By: "nina", At: at, Channel: core.NoticeInPerson, Note: "told at the counter"}
		got, err := b.Store.NotifyRefund(ctx, r.ID, n, audit("refund.notify", "deposit", rec.RecordNo, at))
		require.NoError(t, err)
		require.Equal(t, &n, got.Notice)

		found, err := b.Store.FindRefunds(ctx, core.RefundFilter{ID: &r.ID})
		require.NoError(t, err)
		require.Len(t, found, 1)
		r = found[0]
		require.Equal(t, core.RefundConfirmed, r.Status)
		require.JSONEq(t, payoutJSON(t, p), payoutJSON(t, r.Payout))
		require.Equal(t, raw, r.SignedTx)
		require.Equal(t, txid, r.TxID)
		require.Equal(t, 2, r.Confirmations)
		require.Equal(t, 3, r.ConfirmationsRequired)
		require.Equal(t, "seen in block 812", r.Remarks)
		require.Equal(t, &n, r.Notice)
		require.Equal(t, "sam", r.ApprovedBy)
		require.Equal(t, 1, CountAudit(t, b.Store, "refund.notify", rec.RecordNo))
		MustVerifyChain(t, b.Store)
	})
	t.Run("PreparingAgainReplacesTheRefundsSpends", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		rec := b.credited(b.BTC)
		r := b.approved(rec)
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 0, coin("aa:0", 60_000), coin("bb:1", 60_000))})
		require.ElementsMatch(t, btcSpends(b, "aa:0", "bb:1"), b.held())

		again := btcPayout(r, 0, coin("cc:0", 150_000))
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: again})
		require.Equal(t, btcSpends(b, "cc:0"), b.held(), "the earlier payout's coins are free again")
		require.JSONEq(t, payoutJSON(t, again), payoutJSON(t, r.Payout))

		other := b.approved(b.credited(b.BTC))
		b.move(other, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(other, 0, coin("aa:0", 60_000), coin("bb:1", 60_000))})
		require.ElementsMatch(t, btcSpends(b, "aa:0", "bb:1", "cc:0"), b.held())
	})
	t.Run("ASpendAnotherRefundHoldsIsAConflictAndNothingChanges", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		first := b.approved(b.credited(b.BTC))
		first = b.move(first, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(first, 0, coin("aa:0", 200_000))})
		second := b.approved(b.credited(b.BTC))
		rows := MustVerifyChain(t, b.Store)

		_, err := b.Store.TransitionRefund(ctx, b.transition(second, core.RefundTransition{To: core.RefundPrepared,
			Payout: btcPayout(second, 0, coin("dd:0", 50_000), coin("aa:0", 200_000))}))
		requireCode(t, core.ECONFLICT, err)
		require.Contains(t, core.ErrorMessage(err), fmt.Sprintf("refund %d", first.ID), "names the refund holding it")

		got, err := b.Store.FindRefunds(ctx, core.RefundFilter{ID: &second.ID})
		require.NoError(t, err)
		require.Equal(t, core.RefundApproved, got[0].Status)
		require.Nil(t, got[0].Payout)
		require.Equal(t, btcSpends(b, "aa:0"), b.held(), "the coin it could claim was not claimed either")
		require.Equal(t, rows, MustVerifyChain(t, b.Store), "no audit row")
	})
	t.Run("APayoutNamingASpendTwiceIsAConflict", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		r := b.approved(b.credited(b.BTC))
		_, err := b.Store.TransitionRefund(ctx, b.transition(r, core.RefundTransition{To: core.RefundPrepared,
			Payout: btcPayout(r, 0, coin("aa:0", 60_000), coin("aa:0", 60_000))}))
		requireCode(t, core.ECONFLICT, err)
		require.Empty(t, b.held())
	})
	t.Run("ReleaseGivesTheSpendsBack", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		rec := b.credited(b.BTC)
		r := b.approved(rec)
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 0, coin("aa:0", 200_000))})
		b.move(r, core.RefundTransition{To: core.RefundRejected, Release: true,
			Deposit: &core.DepositTransition{ID: rec.ID, From: core.StatusRefunding, To: core.StatusCredited, Audit: audit("deposit.refund_rejected", "deposit", rec.RecordNo, T0)}})
		require.Empty(t, b.held())

		other := b.approved(b.credited(b.BTC))
		b.move(other, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(other, 0, coin("aa:0", 200_000))})
		require.Equal(t, btcSpends(b, "aa:0"), b.held())
	})
	t.Run("AReplacedRefundsNewPayoutVoidsItsEarlierTransaction", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		r := b.approved(b.credited(b.BTC))
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 30_000, coin("aa:0", 250_000))})
		r = b.move(r, core.RefundTransition{To: core.RefundSigned, SignedTx: []byte{0x02, 0x01}, TxID: TxID(core.ChainBitcoin, 904)})
		r = b.move(r, core.RefundTransition{To: core.RefundBroadcast})
		r = b.move(r, core.RefundTransition{To: core.RefundFailed, Remarks: "its coin was spent by another transaction"})
		require.Equal(t, "its coin was spent by another transaction", r.Remarks)
		require.Equal(t, btcSpends(b, "aa:0"), b.held(), "a failed refund holds its spends until it is replaced")

		r = b.move(r, core.RefundTransition{To: core.RefundApproved, ApprovedBy: "sue", Release: true, Remarks: "replaced: new coins"})
		require.Empty(t, b.held())
		require.Equal(t, "sue", r.ApprovedBy)
		require.Equal(t, "replaced: new coins", r.Remarks)

		p := btcPayout(r, 0, coin("cc:0", 300_000))
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: p})
		require.JSONEq(t, payoutJSON(t, p), payoutJSON(t, r.Payout))
		require.Nil(t, r.SignedTx, "the failed transaction is not this payout's")
		require.Empty(t, r.TxID)
		require.Equal(t, btcSpends(b, "cc:0"), b.held())
	})
	t.Run("AnEthereumPayersHeldNoncesAreFoundByPrefix", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		payer := ETHAddress(77)
		nonce := func(r *core.Refund, n uint64) core.RefundTransition {
			return core.RefundTransition{ID: r.ID, From: r.Status, To: core.RefundPrepared, Network: b.ETH.Net(),
				Payout: &core.Payout{Unsigned: []byte{0x02, 0xf8}, To: r.Address, Amount: core.NewInt(r.Amount), Fee: core.NewInt(big.NewInt(21_000 * 3)),
					FeeRate: core.NewInt(big.NewInt(3)), Payer: payer, Nonce: n, GasLimit: 21_000, TipCap: core.NewInt(big.NewInt(1))},
				Audit: audit("refund.prepare", "deposit", r.RecordNo, T0)}
		}
		r7 := b.approved(b.credited(b.ETH))
		_, err := b.Store.TransitionRefund(ctx, nonce(r7, 7))
		require.NoError(t, err)
		r70 := b.approved(b.credited(b.ETH))
		_, err = b.Store.TransitionRefund(ctx, nonce(r70, 70))
		require.NoError(t, err)

		held, err := b.Store.FindHeldSpends(ctx, core.SpendKey(b.ETH.Net(), payer+":"))
		require.NoError(t, err)
		require.ElementsMatch(t, []string{core.SpendKey(b.ETH.Net(), payer+":7"), core.SpendKey(b.ETH.Net(), payer+":70")}, held)
		none, err := b.Store.FindHeldSpends(ctx, core.SpendKey(b.ETH.Net(), ETHAddress(78)+":"))
		require.NoError(t, err)
		require.Empty(t, none)

		r8 := b.approved(b.credited(b.ETH))
		_, err = b.Store.TransitionRefund(ctx, nonce(r8, 7))
		requireCode(t, core.ECONFLICT, err)
	})
	t.Run("PayoutCoinsAreTheAccountsFreeOutputsLargestFirst", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		btc, err := b.Store.UpdateAsset(ctx, b.BTC.ID, core.AssetUpdate{AccountXPub: ptr("tpub-desk")}, audit("asset.update", "asset", b.BTC.Key(), T0))
		require.NoError(t, err)
		address := func(a core.Asset, xpub string, c *core.Customer, base int) *core.DepositAddress {
			a.AccountXPub = xpub
			da, _, err := b.Store.DepositAddressFor(ctx, c.ID, &a, func(i uint32) (string, error) { return BTCAddress(base + int(i)), nil },
				audit("deposit_address.assign", "customer", c.CustomerNo, T0))
			require.NoError(t, err)
			return da
		}
		c2 := MustCreateCustomer(t, b.Store, "C20002", "SA-20002")
		at1, at2 := address(*btc, "tpub-desk", b.Customer, 6_000_000), address(*btc, "tpub-desk", c2, 6_000_000)
		elsewhere := address(*btc, "tpub-other", MustCreateCustomer(t, b.Store, "C30003", "SA-30003"), 7_000_000)

		small := b.paid(btc, 250_000, at1.Address, core.StatusCredited)
		large := b.paid(btc, 1_000_000, at2.Address, core.StatusCredited) // as text it would sort below 250000
		refunded := b.paid(btc, 99_999, at1.Address, core.StatusRefunded)
		b.paid(btc, 5_000_000, at1.Address, core.StatusVerifying)                 // not credited yet
		b.paid(btc, 6_000_000, "", core.StatusCredited)                           // not the desk's address
		foreign := b.paid(btc, 7_000_000, elsewhere.Address, core.StatusCredited) // another key's address

		coins := func(f core.PayoutCoinFilter) []core.PayoutInput {
			t.Helper()
			f.AssetID, f.Network = btc.ID, btc.Net()
			if f.XPub == "" {
				f.XPub = "tpub-desk"
			}
			got, err := b.Store.FindPayoutCoins(ctx, f)
			require.NoError(t, err)
			return got
		}
		deposit := func(d *core.DepositRecord, da *core.DepositAddress) core.PayoutInput {
			return core.PayoutInput{Outpoint: outpoint(d), Amount: core.NewInt(d.Amount), Branch: 0, Index: da.KeyIndex, Address: da.Address}
		}
		require.Equal(t, []core.PayoutInput{deposit(large, at2), deposit(small, at1), deposit(refunded, at1)}, coins(core.PayoutCoinFilter{}))
		require.Equal(t, []core.PayoutInput{deposit(large, at2)}, coins(core.PayoutCoinFilter{Limit: 1}))
		require.Equal(t, []core.PayoutInput{deposit(small, at1)}, coins(core.PayoutCoinFilter{Outpoint: ptr(outpoint(small))}))
		require.Equal(t, []core.PayoutInput{deposit(foreign, elsewhere)}, coins(core.PayoutCoinFilter{XPub: "tpub-other"}))

		r := b.approved(small)
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 40_000, deposit(large, at2))})
		require.Equal(t, []core.PayoutInput{deposit(small, at1), deposit(refunded, at1)}, coins(core.PayoutCoinFilter{}),
			"a held coin is not offered; an unsigned payout's change does not exist yet")
		require.Empty(t, coins(core.PayoutCoinFilter{Outpoint: ptr(outpoint(large))}))

		txid := TxID(core.ChainBitcoin, 901)
		b.move(r, core.RefundTransition{To: core.RefundSigned, SignedTx: []byte{0x02}, TxID: txid})
		change := core.PayoutInput{Outpoint: txid + ":1", Amount: core.NewInt(big.NewInt(40_000)), Branch: 1, Index: 4, Address: BTCAddress(4_000_004)}
		require.Equal(t, []core.PayoutInput{deposit(small, at1), deposit(refunded, at1), change}, coins(core.PayoutCoinFilter{}),
			"a signed refund's change is the account's next coin")
		require.Equal(t, []core.PayoutInput{deposit(foreign, elsewhere)}, coins(core.PayoutCoinFilter{XPub: "tpub-other"}), "the change pays the asset's key only")
	})
	t.Run("TenRefundsPreparedAtOnceClaimACoinOnce", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		rs := make([]*core.Refund, 10)
		for i := range rs {
			rs[i] = b.approved(b.credited(b.BTC))
		}
		rows := MustVerifyChain(t, b.Store)
		errs := together(len(rs), func(i int) error {
			_, err := b.Store.TransitionRefund(ctx, b.transition(rs[i], core.RefundTransition{To: core.RefundPrepared,
				Payout: btcPayout(rs[i], 0, coin("aa:0", 500_000), coin(fmt.Sprintf("b%d:0", i), 1_000))}))
			return err
		})
		wins := 0
		for _, err := range errs {
			if err == nil {
				wins++
			} else {
				require.Equal(t, core.ECONFLICT, core.ErrorCode(err), err)
			}
		}
		require.Equal(t, 1, wins)
		require.Len(t, b.held(), 2, "the winner's two coins; no loser's own coin")
		prepared := core.RefundPrepared
		got, err := b.Store.FindRefunds(ctx, core.RefundFilter{Status: &prepared})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, rows+1, MustVerifyChain(t, b.Store))
	})
	t.Run("NoticeOnlyOnceAndOnlyForAConfirmedRefund", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		rec := b.credited(b.BTC)
		r := b.approved(rec)
		n := core.RefundNotice{By: "nina", At: T0, Channel: core.NoticePhone, Note: "called the customer"}
		notify := func() error {
			_, err := b.Store.NotifyRefund(ctx, r.ID, n, audit("refund.notify", "deposit", rec.RecordNo, T0))
			return err
		}
		rows := MustVerifyChain(t, b.Store)
		requireCode(t, core.ECONFLICT, notify())
		require.Equal(t, rows, MustVerifyChain(t, b.Store))

		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 0, coin("aa:0", 200_000))})
		r = b.move(r, core.RefundTransition{To: core.RefundSigned, SignedTx: []byte{0x02}, TxID: TxID(core.ChainBitcoin, 902)})
		r = b.move(r, core.RefundTransition{To: core.RefundBroadcast})
		requireCode(t, core.ECONFLICT, notify())
		b.move(r, core.RefundTransition{To: core.RefundConfirmed})
		require.NoError(t, notify())
		err := notify()
		requireCode(t, core.ECONFLICT, err)
		require.Contains(t, core.ErrorMessage(err), "already notified")
		require.Equal(t, 1, CountAudit(t, b.Store, "refund.notify", rec.RecordNo))

		_, err = b.Store.NotifyRefund(ctx, 999, n, audit("refund.notify", "deposit", rec.RecordNo, T0))
		requireCode(t, core.ENOTFOUND, err)
	})
	t.Run("ChainProgressIsRecordedOnlyWhileTheRefundStaysPut", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		r := b.approved(b.credited(b.BTC))
		r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 0, coin("aa:0", 200_000))})
		r = b.move(r, core.RefundTransition{To: core.RefundSigned, SignedTx: []byte{0x02}, TxID: TxID(core.ChainBitcoin, 903)})
		r = b.move(r, core.RefundTransition{To: core.RefundBroadcast})
		rows := MustVerifyChain(t, b.Store)

		require.NoError(t, b.Store.UpdateRefundChain(ctx, r.ID, core.RefundSigned, 5), "moved on: a no-op, not an error")
		require.NoError(t, b.Store.UpdateRefundChain(ctx, r.ID, core.RefundBroadcast, 1))
		got, err := b.Store.FindRefunds(ctx, core.RefundFilter{ID: &r.ID})
		require.NoError(t, err)
		require.Equal(t, 1, got[0].Confirmations)
		require.Equal(t, rows, MustVerifyChain(t, b.Store), "an observation, not audited")
	})
}
