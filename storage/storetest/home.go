package storetest

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runHome(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("EachQueueCountsItsOwnRowsUpToTheLimit", func(t *testing.T) {
		t.Parallel()
		b := setupPayouts(t, newStore)
		for range 3 {
			b.paid(b.BTC, 0, "", core.StatusHeld)
		}
		b.paid(b.BTC, 0, "", core.StatusCredited) // not held
		n, err := b.Store.CountDepositsInStatus(ctx, core.StatusHeld, 10)
		require.NoError(t, err)
		require.EqualValues(t, 3, n)
		n, err = b.Store.CountDepositsInStatus(ctx, core.StatusHeld, 2)
		require.NoError(t, err)
		require.EqualValues(t, 2, n, "counting stops at the limit")

		w1 := MustCreateWalletAddress(t, b.Store, b.Customer, b.BTC, BTCAddress(501))
		MustCreateWalletAddress(t, b.Store, b.Customer, b.BTC, BTCAddress(502))
		w3 := MustCreateWalletAddress(t, b.Store, b.Customer, b.BTC, BTCAddress(503))
		_, err = b.Store.SetWalletAddressStatus(ctx, core.AddressStatusChange{ID: w3.ID, From: core.AddressPending, To: core.AddressRejected,
			Operator: "vera"}, audit("address.rejected", "address", w3.Address, T0))
		require.NoError(t, err)
		n, err = b.Store.CountWalletAddresses(ctx, core.AddressPending, 10)
		require.NoError(t, err)
		require.EqualValues(t, 2, n)
		n, err = b.Store.CountWalletAddresses(ctx, core.AddressPending, 1)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)

		n, err = b.Store.CountManualVerifications(ctx, 10)
		require.NoError(t, err)
		require.Zero(t, n)
		require.NoError(t, b.Store.CreateManualVerification(ctx, &core.ManualVerification{AddressID: w1.ID, Evidence: "passport scan 17",
			RequestedBy: "vera", RequestedAt: T0}, audit("address.evidence", "address", w1.Address, T0)))
		n, err = b.Store.CountManualVerifications(ctx, 10)
		require.NoError(t, err)
		require.EqualValues(t, 1, n)
		// The list behind the queue: the Pending addresses with a document waiting.
		waiting, err := b.Store.FindWalletAddresses(ctx, core.WalletAddressFilter{AwaitingApproval: true})
		require.NoError(t, err)
		require.Len(t, waiting, 1)
		require.Equal(t, w1.ID, waiting[0].ID)

		// One refund requested, two approved, two confirmed of which one notified.
		r, move := requestRefund(b.credited(b.BTC), "rita")
		require.NoError(t, b.Store.CreateRefund(ctx, r, move))
		b.approved(b.credited(b.BTC))
		b.approved(b.credited(b.BTC))
		for i := range 2 {
			rec := b.credited(b.BTC)
			r := b.approved(rec)
			r = b.move(r, core.RefundTransition{To: core.RefundPrepared, Payout: btcPayout(r, 0, coin(outpoint(rec), rec.Amount.Int64()+6_410))})
			r = b.move(r, core.RefundTransition{To: core.RefundSigned, SignedTx: []byte{0x02}, TxID: TxID(core.ChainBitcoin, 950+i)})
			r = b.move(r, core.RefundTransition{To: core.RefundBroadcast})
			r = b.move(r, core.RefundTransition{To: core.RefundConfirmed})
			if i == 0 {
				_, err := b.Store.NotifyRefund(ctx, r.ID, core.RefundNotice{By: "nina", At: T0, Channel: core.NoticePhone, Note: "called"},
					audit("refund.notify", "deposit", rec.RecordNo, T0))
				require.NoError(t, err)
			}
		}
		for _, c := range []struct {
			status     core.RefundStatus
			unnotified bool
			limit      int
			want       int64
		}{
			{core.RefundRequested, false, 10, 1},
			{core.RefundApproved, false, 10, 2},
			{core.RefundApproved, false, 1, 1},
			{core.RefundConfirmed, false, 10, 2},
			{core.RefundConfirmed, true, 10, 1},
			{core.RefundFailed, false, 10, 0},
		} {
			n, err := b.Store.CountRefunds(ctx, c.status, c.unnotified, c.limit)
			require.NoError(t, err)
			require.Equal(t, c.want, n, "%s unnotified=%v limit %d", c.status, c.unnotified, c.limit)
		}
	})
	t.Run("DepositStatsSumByUTCDayAndAssetExactlyWithinTheRange", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		day0 := T0.Truncate(24 * time.Hour)
		wei := func(s string) *big.Int {
			n, ok := new(big.Int).SetString(s, 10)
			require.True(t, ok)
			return n
		}
		add := func(a *core.Asset, minutes int, amount *big.Int, status core.DepositStatus) {
			d := f.Deposit(a, f.Customer, minutes)
			d.Amount = amount
			f.MustTransition(t, f.MustCreateDeposit(t, d), PathTo(status)...)
		}
		// Day 0 (T0 is 09:30 UTC): two credited ETH beyond 2^64 wei, one held.
		add(f.ETH, 0, wei("12345678901234567890123"), core.StatusCredited)
		add(f.ETH, 60, wei("10000000000000000000000"), core.StatusRefunded)
		add(f.ETH, 120, wei("5"), core.StatusHeld)
		max256 := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)) // 78 digits, the most an amount has
		add(f.ETH, 180, max256, core.StatusRefunding)
		add(f.BTC, 30, big.NewInt(150_000), core.StatusCredited)
		// Day 1, 23:59 UTC is still day 1.
		add(f.BTC, 24*60+14*60+29, big.NewInt(2_000), core.StatusCredited)
		add(f.BTC, 24*60+14*60+28, big.NewInt(7_000), core.StatusVerifying)
		// Day 2: outside [day0, day0+2).
		add(f.BTC, 24*60+14*60+31, big.NewInt(9_999), core.StatusCredited)

		st, err := f.Store.DepositStats(ctx, day0, day0.AddDate(0, 0, 2))
		require.NoError(t, err)
		require.True(t, st.From.Equal(day0))
		type row struct {
			day      time.Time
			asset    int64
			records  int64
			credited string
		}
		var got []row
		for _, d := range st.Days {
			got = append(got, row{d.Day.UTC(), d.AssetID, d.Records, d.Credited.String()})
		}
		require.Equal(t, []row{
			{day0, f.BTC.ID, 1, "150000"},
			{day0, f.ETH.ID, 4, new(big.Int).Add(max256, wei("22345678901234567890123")).String()},
			{day0.AddDate(0, 0, 1), f.BTC.ID, 2, "2000"},
		}, got)
		require.Equal(t, map[core.DepositStatus]int64{core.StatusCredited: 3, core.StatusRefunded: 1, core.StatusRefunding: 1, core.StatusHeld: 1,
			core.StatusVerifying: 1}, st.Statuses)

		empty, err := f.Store.DepositStats(ctx, day0.AddDate(0, 0, -30), day0)
		require.NoError(t, err)
		require.Empty(t, empty.Days)
		require.Empty(t, empty.Statuses)
	})
}
