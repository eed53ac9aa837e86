package payout_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
)

func TestFeeBumpKeepsInputsAndPaymentAndTakesTheFeeFromTheChange(t *testing.T) {
	a, acct := btcAccount(t)
	own, other := coin(t, a, 0, 3, 100_000, 0), coin(t, a, 0, 4, 50_000, 1)
	r := &core.Refund{ID: 8, Address: customer(t), Amount: big.NewInt(100_000), Decimals: 8}
	p, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{own, other}, nil, nodeWith(own, other))
	require.NoError(t, err)
	r.Payout = p
	r.SignedTx, r.TxID, err = payout.Sign(a, r, p, acct)
	require.NoError(t, err)

	bumped, err := payout.Builder{}.Bump(a, r, big.NewInt(30))
	require.NoError(t, err)
	require.Equal(t, p.ChainSpends(), bumped.ChainSpends())
	require.Equal(t, int64(209*30), bumped.Fee.Int64(), "209 vB at 30 sat/vB")
	require.Equal(t, p.Change.Int64()+p.Fee.Int64()-bumped.Fee.Int64(), bumped.Change.Int64(), "the extra fee comes from the change")
	require.Equal(t, r.TxID, bumped.Earlier[0].TxID)
	raw, _, err := payout.Sign(a, r, bumped, acct)
	require.NoError(t, err, "a bump signs like any prepared transaction")
	require.NotEqual(t, r.SignedTx, raw)

	_, err = payout.Builder{}.Bump(a, r, big.NewInt(11))
	require.NoError(t, err, "1 sat/vB more pays BIP125's increment")
	// Change below the dust limit goes to the fee; no change left means
	// no bump at all.
	rate := big.NewInt((p.Change.Int64()+p.Fee.Int64())/209 - 1)
	drained, err := payout.Builder{}.Bump(a, r, rate)
	require.NoError(t, err)
	require.Nil(t, drained.Change, "the dust change went to the fee")
	require.Equal(t, int64(50_000), drained.Fee.Int64(), "all but the payment")
	r2 := *r
	r2.Payout, r2.SignedTx, r2.TxID = drained, []byte{1}, "ab"
	_, err = payout.Builder{}.Bump(a, &r2, new(big.Int).Add(rate, big.NewInt(50)))
	require.Contains(t, core.ErrorMessage(err), "no change left")

	swapped := *bumped
	swapped.Earlier = []core.EarlierTx{{Payout: &core.Payout{Inputs: []core.PayoutInput{own}}, TxID: "x"}}
	_, _, err = payout.Sign(a, r, &swapped, acct)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a replacement of a transaction spending other outputs is refused: both could be mined")
}
