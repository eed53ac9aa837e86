package station

import (
	"context"

	"depositdesk/core"
	"depositdesk/core/payout"
)

// Desk is what Export asks of the online desk (core.Service).
type Desk interface {
	// StationRefund is a prepared refund checked against the audit log.
	StationRefund(ctx context.Context, id int64) (*core.Refund, *core.Asset, error)
	// PreviousTransactions are the transactions a Bitcoin refund spends.
	PreviousTransactions(ctx context.Context, r *core.Refund) (map[string][]byte, error)
}

// Export is prepared refund id as a file at path is to hold it: a BIP-174
// PSBT when path ends in .psbt (Bitcoin, for other wallets and hardware
// wallets, so with the previous transactions from the node), else the
// desk's own refund file for the signing station.
func Export(ctx context.Context, desk Desk, id int64, path string) ([]byte, error) {
	r, a, err := desk.StationRefund(ctx, id)
	if err != nil {
		return nil, err
	}
	if !IsPSBT(path) {
		return NewFile(r, a).Marshal()
	}
	if a.Chain != core.ChainBitcoin {
		return nil, core.Errorf(core.EINVALID, "PSBTs are Bitcoin's; write refund %d of %s to a .json file.", id, a.Key())
	}
	prev, err := desk.PreviousTransactions(ctx, r)
	if err != nil {
		return nil, err
	}
	return payout.ExportPSBT(a, r, r.Payout, prev)
}
