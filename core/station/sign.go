package station

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"depositdesk/core"
	"depositdesk/core/payout"
)

// Limits are the station's own: per asset, the most one refund may pay
// and the most its fee may be. Its administrator writes them in
// station.toml; a file from the desk cannot raise them.
type Limits struct {
	Assets []AssetLimit `toml:"asset"`
	// TrustedOperators is the file of the operators' approval keys the
	// desk exported, relative to station.toml's folder. Its administrator
	// copies it there deliberately; a file from the desk cannot add to it.
	TrustedOperators string `toml:"trusted_operators"`
	trusted          []core.OperatorKey
}

// AssetLimit is one asset's limits, in its units and its network coin's.
type AssetLimit struct {
	Asset     string `toml:"asset"`      // SYM@network, e.g. BTC@mainnet
	Chain     string `toml:"chain"`      // bitcoin or ethereum: "mainnet" alone is both
	MaxAmount string `toml:"max_amount"` // in the asset's units
	MaxFee    string `toml:"max_fee"`    // in BTC or ETH
}

// ReadLimits reads station.toml strictly (unknown keys are refused) and the
// trust list it names.
func ReadLimits(path string) (*Limits, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "The station's limits (%s) cannot be read: %v. Its administrator writes them first.", path, err)
	}
	var l Limits
	md, err := toml.Decode(string(b), &l)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s: %v", path, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		return nil, core.Errorf(core.EINVALID, "%s: unknown setting %q.", path, keys[0].String())
	}
	if l.TrustedOperators == "" {
		return nil, core.Errorf(core.EINVALID, "%s names no trusted operators; its administrator exports them on the desk "+
			"(depositctl operator keys export) and sets trusted_operators to that file.", path)
	}
	trusted := l.TrustedOperators
	if !filepath.IsAbs(trusted) {
		trusted = filepath.Join(filepath.Dir(path), trusted)
	}
	if l.trusted, err = ReadTrustList(trusted); err != nil {
		return nil, err
	}
	return &l, nil
}

// limitFor is f's asset's limits in base units.
func (l *Limits) limitFor(f *File) (maxAmount, maxFee *core.Int, err error) {
	i := slices.IndexFunc(l.Assets, func(a AssetLimit) bool { return a.Asset == f.Key() && a.Chain == f.Asset.Chain })
	if i < 0 {
		return nil, nil, core.Errorf(core.EINVALID, "This station has no limits for %s on %s; its administrator sets them in station.toml before it signs.", f.Key(), f.Asset.Chain)
	}
	a := l.Assets[i]
	amount, err := core.ParseAmount(a.MaxAmount, f.Asset.Decimals)
	if err != nil {
		return nil, nil, err
	}
	_, dec := core.Coin(f.Asset.Chain)
	fee, err := core.ParseAmount(a.MaxFee, dec)
	if err != nil {
		return nil, nil, err
	}
	return core.NewInt(amount), core.NewInt(fee), nil
}

// Sign checks f as the station sees it — the requester's and the
// approver's signatures against its trust list, the transaction decoded
// again and compared with the refund's facts (recipient, amount, change to the
// account's own key, inputs, chain id, nonce), the fee under the station's
// cap, the amount under its per-refund limit — and signs it with keys,
// which refuse unless their key is the private side of the file's account
// key. It returns the signed file and what was signed, in plain words.
func Sign(f *File, limits *Limits, keys core.SigningKeys) (*File, []string, error) {
	if len(f.SignedTx) > 0 {
		return nil, nil, core.Errorf(core.EINVALID, "Refund %d's file is signed already (%s).", f.Refund.ID, f.TxID)
	}
	if err := limits.checkApprovals(f); err != nil {
		return nil, nil, err
	}
	maxAmount, maxFee, err := limits.limitFor(f)
	if err != nil {
		return nil, nil, err
	}
	a, r := f.asset(maxFee), f.refund()
	if r.Amount.Cmp(maxAmount.Big()) > 0 {
		return nil, nil, core.Errorf(core.EINVALID, "Refund %d pays %s %s, above this station's limit of %s %s per refund; nothing was signed.",
			r.ID, r.AmountText(), a.Symbol, core.FormatAmount(maxAmount.Big(), a.Decimals), a.Symbol)
	}
	if err := (payout.Builder{}).Check(a, r, f.Payout); err != nil {
		return nil, nil, err
	}
	raw, txid, err := keys.Sign(a, r, f.Payout)
	if err != nil {
		return nil, nil, err
	}
	signed := *f
	signed.SignedTx, signed.TxID = raw, txid
	return &signed, describe(a, r, f.Payout, maxFee), nil
}

// describe is what the station signed, in the words an operator checks:
// every line was compared with the decoded transaction by Check.
func describe(a *core.Asset, r *core.Refund, p *core.Payout, maxFee *core.Int) []string {
	lines := []string{
		fmt.Sprintf("Refund %d of record %s (customer %s), requested by %s, approved by %s.", r.ID, r.RecordNo, r.CustomerNo, r.RequestedBy, r.ApprovedBy),
		fmt.Sprintf("Pays %s %s to %s on %s/%s.", r.AmountText(), a.Symbol, r.Address, a.Chain, a.Network),
		fmt.Sprintf("Network fee %s (this station's cap: %s).", core.FormatFee(a.Chain, p.Fee.Big()), core.FormatFee(a.Chain, maxFee.Big())),
	}
	for _, in := range p.Inputs {
		lines = append(lines, fmt.Sprintf("Spends %s (%s) of the account.", in.Outpoint, core.FormatFee(a.Chain, in.Amount.Big())))
	}
	if p.Change != nil && p.Change.Sign() > 0 {
		lines = append(lines, fmt.Sprintf("Change %s back to the account's own %s.", core.FormatFee(a.Chain, p.Change.Big()), p.ChangeAddress))
	}
	if p.Payer != "" {
		lines = append(lines, fmt.Sprintf("Paid by the account's refund payer %s, nonce %d.", p.Payer, p.Nonce))
	}
	return append(lines, fmt.Sprintf("Requested and approved with keys this station trusts (%s).", approvalKeys(r.Approvals)))
}

// approvalKeys names each approval's operator and key fingerprint, for the
// administrator to hold against the trust list they imported.
func approvalKeys(approvals []core.RefundApproval) string {
	var names []string
	for _, ap := range approvals {
		names = append(names, fmt.Sprintf("%s %s", ap.Operator, core.KeyFingerprint(ap.PublicKey)))
	}
	return strings.Join(names, ", ")
}
