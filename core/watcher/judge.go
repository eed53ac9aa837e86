package watcher

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"depositdesk/core"
)

// mismatch compares a mined transaction with the application and returns
// why the deposit must be held for review, or "" when it is what was
// announced: the asset, the amount, to the customer's deposit address, from
// the application's source address, every source verified for the customer.
func (c *check) mismatch(ctx context.Context, tx *core.ChainTx) (string, error) {
	rec, a := c.rec, c.asset
	if a == nil {
		return fmt.Sprintf("Asset %d is no longer configured on %s.", rec.AssetID, rec.Net()), nil
	}
	if tx.Failed {
		return "The transaction failed (reverted) on chain and moved nothing.", nil
	}
	var pay *core.ChainTransfer
	for i := range tx.Transfers {
		if tx.Transfers[i].Index == rec.TxIndex {
			if pay == nil || sameContract(tx.Transfers[i].Contract, a.ContractAddress) {
				pay = &tx.Transfers[i]
			}
		}
	}
	where := "output"
	if rec.Chain == core.ChainEthereum {
		where = "transfer"
	}
	switch {
	case pay == nil:
		return fmt.Sprintf("The transaction has no %s %d.", where, rec.TxIndex), nil
	case !sameContract(pay.Contract, a.ContractAddress):
		return fmt.Sprintf("The %s %d moves %s, not %s.", where, rec.TxIndex, coin(pay.Contract), a.Symbol+" ("+coin(a.ContractAddress)+")"), nil
	case !core.SameAddress(rec.Chain, pay.To, rec.DestinationAddress):
		return fmt.Sprintf("It pays %s, not the customer's deposit address %s.", pay.To, rec.DestinationAddress), nil
	case pay.Amount == nil || pay.Amount.Cmp(rec.Amount) != 0:
		got := "nothing"
		if pay.Amount != nil {
			got = core.FormatAmount(pay.Amount, rec.Decimals)
		}
		return fmt.Sprintf("It pays %s %s, the application says %s.", got, a.Symbol, core.FormatAmount(rec.Amount, rec.Decimals)), nil
	}
	sources := tx.Sources
	if pay.From != "" {
		sources = []string{pay.From} // a token's holder, not the relaying sender
	}
	if !slices.ContainsFunc(sources, func(s string) bool { return core.SameAddress(rec.Chain, s, rec.SourceAddress) }) {
		return fmt.Sprintf("It comes from %s, not the application's source address %s.", strings.Join(sources, ", "), rec.SourceAddress), nil
	}
	var unverified []string
	for _, s := range sources {
		ok, err := c.verified(ctx, s)
		if err != nil {
			return "", err
		}
		if !ok {
			unverified = append(unverified, s)
		}
	}
	if len(unverified) > 0 {
		return fmt.Sprintf("Source address %s is not a verified address of customer %s on %s.", strings.Join(unverified, ", "), rec.CustomerNo, rec.Net()), nil
	}
	return "", nil
}

// verified tells whether address is a Verified wallet address of the
// record's customer on its network. An address revoked during the pass is
// seen by the next one, as one revoked between this read and the move
// would be.
func (c *check) verified(ctx context.Context, address string) (bool, error) {
	ws, ok := c.addresses[c.rec.CustomerID]
	if !ok {
		st := core.AddressVerified
		var err error
		ws, err = c.w.Store.FindWalletAddresses(ctx, core.WalletAddressFilter{CustomerID: &c.rec.CustomerID, Chain: &c.rec.Chain, Network: &c.rec.Network, Status: &st})
		if err != nil {
			return false, err
		}
		c.addresses[c.rec.CustomerID] = ws
	}
	return slices.ContainsFunc(ws, func(w *core.WalletAddress) bool { return core.SameAddress(c.rec.Chain, w.Address, address) }), nil
}

func sameContract(a, b string) bool { return strings.EqualFold(a, b) }

func coin(contract string) string {
	if contract == "" {
		return "the native coin"
	}
	return "token " + contract
}
