// Package payout builds, checks and signs refund transactions: Bitcoin
// transactions spending the asset account's own outputs with change back
// to its internal chain, and EIP-1559 transactions from the account's
// refund payer (the coin itself or an ERC-20 transfer). Build runs on the
// desk against a node; Check and Sign need no node, so the same code runs
// on a signing station that has only the prepared transaction and the key.
package payout

import (
	"context"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"depositdesk/core"
)

// Builder implements core.PayoutBuilder.
type Builder struct{}

var _ core.PayoutBuilder = Builder{}

// Build implements core.PayoutBuilder.
func (Builder) Build(ctx context.Context, a *core.Asset, r *core.Refund, coins []core.PayoutInput, held []string, node core.Chain) (*core.Payout, error) {
	if a.RefundFeeCap == nil {
		return nil, core.Errorf(core.EINVALID, "%s has no refund fee cap; set one in Cryptocurrency Configuration before preparing refunds.", a.Key())
	}
	switch a.Chain {
	case core.ChainBitcoin:
		n, ok := node.(core.BitcoinPayer)
		if !ok {
			return nil, core.Errorf(core.ECONFLICT, "The %s node cannot look up unspent outputs.", a.Net())
		}
		return buildBitcoin(ctx, a, r, coins, n)
	case core.ChainEthereum:
		n, ok := node.(core.EthereumPayer)
		if !ok {
			return nil, core.Errorf(core.ECONFLICT, "The %s node cannot give balances, nonces and fees.", a.Net())
		}
		return buildEthereum(ctx, a, r, held, n)
	}
	return nil, core.Errorf(core.EINVALID, "Unknown chain %q.", a.Chain)
}

// Payer implements core.PayoutBuilder.
func (Builder) Payer(a *core.Asset) (string, error) { return Payer(a) }

// Check implements core.PayoutBuilder.
func (Builder) Check(a *core.Asset, r *core.Refund, p *core.Payout) error {
	if err := checkFacts(a, r, p); err != nil {
		return err
	}
	switch a.Chain {
	case core.ChainBitcoin:
		_, err := checkBitcoin(a, p)
		return err
	case core.ChainEthereum:
		_, err := checkEthereum(a, p)
		return err
	}
	return core.Errorf(core.EINVALID, "Unknown chain %q.", a.Chain)
}

// Sign checks p against r and a exactly as Check does, then signs it with
// acct, a's account private key, and returns the signed transaction and its
// hash. The derived child keys are zeroed before it returns; acct is the
// caller's to zero.
func Sign(a *core.Asset, r *core.Refund, p *core.Payout, acct *hdkeychain.ExtendedKey) (raw []byte, txid string, err error) {
	if !acct.IsPrivate() {
		return nil, "", core.Errorf(core.EINVALID, "Signing needs the account's private key.")
	}
	if err := checkFacts(a, r, p); err != nil {
		return nil, "", err
	}
	switch a.Chain {
	case core.ChainBitcoin:
		tx, err := checkBitcoin(a, p)
		if err != nil {
			return nil, "", err
		}
		return signBitcoin(a, p, tx, acct)
	case core.ChainEthereum:
		tx, err := checkEthereum(a, p)
		if err != nil {
			return nil, "", err
		}
		return signEthereum(a, p, tx, acct)
	}
	return nil, "", core.Errorf(core.EINVALID, "Unknown chain %q.", a.Chain)
}

// checkFacts compares the payout's stated facts with the approved refund
// and the asset's cap; checkBitcoin and checkEthereum then compare the
// transaction itself with the facts.
func checkFacts(a *core.Asset, r *core.Refund, p *core.Payout) error {
	switch {
	case p == nil || len(p.Unsigned) == 0:
		return core.Errorf(core.EINVALID, "Refund %d has no prepared transaction; prepare it first.", r.ID)
	case p.To != r.Address:
		return mismatch("it pays %s, the approved refund goes to %s", p.To, r.Address)
	case p.Amount == nil || p.Amount.Big().Cmp(r.Amount) != 0:
		return mismatch("it pays %s, the approved refund is %s %s", amountText(p.Amount, r.Decimals), r.AmountText(), r.AssetSymbol)
	case p.Contract != a.ContractAddress && !(a.Chain == core.ChainEthereum && sameHex(p.Contract, a.ContractAddress)):
		return mismatch("it moves another token (%q) than %s", p.Contract, a.Key())
	case p.Fee == nil || p.Fee.Sign() <= 0:
		return mismatch("it states no fee")
	case a.RefundFeeCap == nil:
		return core.Errorf(core.EINVALID, "%s has no refund fee cap; set one in Cryptocurrency Configuration.", a.Key())
	case p.Fee.Big().Cmp(a.RefundFeeCap) > 0:
		return core.Errorf(core.EINVALID, "The fee %s is above %s's refund fee cap of %s.", core.FormatFee(a.Chain, p.Fee.Big()), a.Key(), core.FormatFee(a.Chain, a.RefundFeeCap))
	}
	return nil
}

// mismatch is the refusal of a prepared transaction that does not pay what
// was approved: whoever changed it, nothing is signed.
func mismatch(format string, args ...any) error {
	return core.Errorf(core.ECONFLICT, "The prepared transaction does not match the approved refund: "+format+". Nothing was signed.", args...)
}

func amountText(v *core.Int, decimals int) string {
	if v == nil {
		return "nothing"
	}
	return core.FormatAmount(v.Big(), decimals)
}
