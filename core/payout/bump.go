package payout

import (
	"math/big"
	"slices"

	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

// incrementalRate is the least a replacement must add to the fee per vbyte
// of its own size (BIP125 rule 4 at Bitcoin Core's and btcd's default
// incremental relay fee).
const incrementalRate = 1

// Bump implements core.PayoutBuilder: the same inputs and payment at rate,
// the extra fee taken from the change, so the new transaction and every
// earlier one spend the same outputs and at most one of them is mined.
func (Builder) Bump(a *core.Asset, r *core.Refund, rate *big.Int) (*core.Payout, error) {
	cur := r.Payout
	switch {
	case a.Chain != core.ChainBitcoin:
		return nil, core.Errorf(core.EINVALID, "Only a Bitcoin refund's fee is bumped; an Ethereum refund waits for its nonce.")
	case cur == nil || len(r.SignedTx) == 0:
		return nil, core.Errorf(core.EINVALID, "Refund %d has no signed transaction to replace.", r.ID)
	case rate == nil || rate.Cmp(cur.FeeRate.Big()) <= 0:
		return nil, core.Errorf(core.EINVALID, "A fee bump needs a higher rate than the transaction's %s sat/vB.", cur.FeeRate.Big())
	case a.RefundFeeCap == nil:
		return nil, core.Errorf(core.EINVALID, "%s has no refund fee cap; set one in Cryptocurrency Configuration.", a.Key())
	}
	params, err := core.BitcoinParams(a.Network)
	if err != nil {
		return nil, err
	}
	toScript, err := addressScript(cur.To, params)
	if err != nil {
		return nil, err
	}
	in := new(big.Int)
	for _, c := range cur.Inputs {
		in.Add(in, c.Amount.Big())
	}
	next := *cur
	next.Earlier = append([]core.EarlierTx{{Payout: withoutEarlier(cur), SignedTx: slices.Clone(r.SignedTx), TxID: r.TxID}}, cur.Earlier...)
	next.FeeRate = core.NewInt(rate)
	outs := []*wire.TxOut{wire.NewTxOut(cur.Amount.Int64(), toScript)}
	next.Change, next.ChangeIndex, next.ChangeAddress = nil, 0, ""
	size := vsize(len(cur.Inputs), toScript)
	if cur.Change != nil && cur.Change.Sign() > 0 {
		changeScript, err := addressScript(cur.ChangeAddress, params)
		if err != nil {
			return nil, err
		}
		size = vsize(len(cur.Inputs), toScript, changeScript)
		change := new(big.Int).Sub(in, cur.Amount.Big())
		change.Sub(change, new(big.Int).Mul(big.NewInt(size), rate))
		if change.Cmp(big.NewInt(dustLimit)) >= 0 {
			outs = append(outs, wire.NewTxOut(change.Int64(), changeScript))
			next.Change, next.ChangeIndex, next.ChangeAddress = core.NewInt(change), cur.ChangeIndex, cur.ChangeAddress
		} // else what is left goes to the fee
	}
	fee := new(big.Int).Sub(in, cur.Amount.Big())
	if next.Change != nil {
		fee.Sub(fee, next.Change.Big())
	}
	least := new(big.Int).Add(cur.Fee.Big(), big.NewInt(size*incrementalRate))
	switch {
	case fee.Cmp(least) < 0 && next.Change == nil:
		return nil, core.Errorf(core.EINVALID, "Refund %d's transaction has no change left to pay %s sat/vB more; it can only wait.", r.ID, rate)
	case fee.Cmp(least) < 0:
		return nil, core.Errorf(core.EINVALID, "At %s sat/vB the fee would be %s; a replacement must pay at least %s.", rate,
			core.FormatFee(a.Chain, fee), core.FormatFee(a.Chain, least))
	case fee.Cmp(a.RefundFeeCap) > 0:
		return nil, core.Errorf(core.EINVALID, "The fee would be %s, above %s's refund fee cap of %s.", core.FormatFee(a.Chain, fee), a.Key(),
			core.FormatFee(a.Chain, a.RefundFeeCap))
	}
	next.Fee = core.NewInt(fee)
	if next.Unsigned, err = assemble(cur.Inputs, outs); err != nil {
		return nil, err
	}
	return &next, nil
}

func withoutEarlier(p *core.Payout) *core.Payout {
	c := *p
	c.Earlier = nil
	return &c
}

// sameInputs reports whether every earlier transaction spends exactly p's
// inputs: what makes a replacement and its predecessors exclusive.
func sameInputs(p *core.Payout) bool {
	want := p.ChainSpends()
	slices.Sort(want)
	for _, e := range p.Earlier {
		if e.Payout == nil {
			return false
		}
		got := e.Payout.ChainSpends()
		slices.Sort(got)
		if !slices.Equal(got, want) {
			return false
		}
	}
	return true
}
