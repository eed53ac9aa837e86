// Package station is the air-gapped signing station's side of a refund:
// the file a prepared refund travels in, from the online desk to a
// machine that never goes online and back, and the station's own checks
// before its keyring signs. It needs no database and no node: what it
// signs it decodes and checks itself, against the facts the file states,
// the account key its keyring holds, and limits its administrator set.
package station

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"

	"depositdesk/core"
	"depositdesk/core/jsonkeys"
)

// Format names the refund file's layout and version.
const Format = "depositdesk-refund/1"

// maxFile bounds a refund file: a Bitcoin refund of 200 inputs is far less.
const maxFile = 1 << 20

// File is a prepared refund as it travels. The station fills SignedTx and
// TxID; everything else is the desk's, and the station believes none of it
// that it can check itself.
type File struct {
	Format string       `json:"format"`
	Refund RefundFacts  `json:"refund"`
	Asset  AssetFacts   `json:"asset"`
	Payout *core.Payout `json:"payout"`
	// Approvals are the requester's and the approver's signatures of the
	// refund's facts; the station verifies them against its trust list.
	Approvals []core.RefundApproval `json:"approvals"`
	SignedTx  []byte                `json:"signed_tx,omitempty"`
	TxID      string                `json:"txid,omitempty"`
}

// RefundFacts are the approved refund's facts.
type RefundFacts struct {
	ID            int64     `json:"id"`
	RecordNo      string    `json:"record_no"`
	CustomerNo    string    `json:"customer_no"`
	Address       string    `json:"address"`
	Amount        *core.Int `json:"amount"` // base units of the asset
	IdentityCheck string    `json:"identity_check"`
	Forced        bool      `json:"forced"`
	RequestedBy   string    `json:"requested_by"`
	ApprovedBy    string    `json:"approved_by"`
	CreatedAt     time.Time `json:"created_at"` // in the signed facts: this refund's, not a later one's of the record
}

// AssetFacts name the asset and its account key: the station's keyring
// key must be its private side, or nothing is signed.
type AssetFacts struct {
	Chain       string `json:"chain"`
	Network     string `json:"network"`
	Symbol      string `json:"symbol"`
	Contract    string `json:"contract"`
	Decimals    int    `json:"decimals"`
	AccountXPub string `json:"account_xpub"`
}

// NewFile is the file for a prepared refund r of asset a.
func NewFile(r *core.Refund, a *core.Asset) *File {
	return &File{Format: Format, Payout: r.Payout,
		Refund: RefundFacts{ID: r.ID, RecordNo: r.RecordNo, CustomerNo: r.CustomerNo, Address: r.Address, Amount: core.NewInt(r.Amount),
			IdentityCheck: r.IdentityCheck, Forced: r.Forced, RequestedBy: r.RequestedBy, ApprovedBy: r.ApprovedBy, CreatedAt: r.CreatedAt},
		Approvals: r.Approvals,
		Asset: AssetFacts{Chain: a.Chain, Network: a.Network, Symbol: a.Symbol, Contract: a.ContractAddress, Decimals: a.Decimals,
			AccountXPub: a.AccountXPub}}
}

// Marshal is the file's bytes: indented JSON, one document.
func (f *File) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return nil, core.Errorf(core.EINTERNAL, "encode refund file: %v", err)
	}
	return append(b, '\n'), nil
}

// Read parses a refund file strictly: one JSON document of this format,
// no unknown, repeated or case-variant keys, every fact present.
func Read(b []byte) (*File, error) {
	if len(b) > maxFile {
		return nil, core.Errorf(core.EINVALID, "A refund file is at most %d bytes; this one is %d.", maxFile, len(b))
	}
	if _, err := jsonkeys.Check(b); err != nil {
		return nil, core.Errorf(core.EINVALID, "The refund file is ambiguous: %v", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		return nil, core.Errorf(core.EINVALID, "The refund file does not read: %v.", err)
	}
	if dec.More() {
		return nil, core.Errorf(core.EINVALID, "The refund file holds more than one document.")
	}
	switch {
	case f.Format != Format:
		return nil, core.Errorf(core.EINVALID, "The file is %q, not a refund file of this desk (%s).", f.Format, Format)
	case f.Refund.ID <= 0 || f.Refund.Address == "" || f.Refund.Amount == nil || f.Refund.Amount.Sign() <= 0:
		return nil, core.Errorf(core.EINVALID, "The refund file names no refund, address or amount.")
	case f.Payout == nil || len(f.Payout.Unsigned) == 0:
		return nil, core.Errorf(core.EINVALID, "The refund file holds no prepared transaction.")
	}
	if _, err := core.LookupNetwork(core.Network{Chain: f.Asset.Chain, Name: f.Asset.Network}); err != nil {
		return nil, err
	}
	return &f, nil
}

// asset is the file's asset with the station's own fee cap.
func (f *File) asset(feeCap *core.Int) *core.Asset {
	return &core.Asset{Chain: f.Asset.Chain, Network: f.Asset.Network, Symbol: f.Asset.Symbol, ContractAddress: f.Asset.Contract,
		Decimals: f.Asset.Decimals, AccountXPub: f.Asset.AccountXPub, RefundFeeCap: feeCap.Big()}
}

// refund is the file's approved refund.
func (f *File) refund() *core.Refund {
	return &core.Refund{ID: f.Refund.ID, RecordNo: f.Refund.RecordNo, CustomerNo: f.Refund.CustomerNo, Chain: f.Asset.Chain,
		Network: f.Asset.Network, AssetSymbol: f.Asset.Symbol, Decimals: f.Asset.Decimals, Address: f.Refund.Address,
		Amount: f.Refund.Amount.Big(), IdentityCheck: f.Refund.IdentityCheck, Forced: f.Refund.Forced,
		RequestedBy: f.Refund.RequestedBy, ApprovedBy: f.Refund.ApprovedBy, CreatedAt: f.Refund.CreatedAt, Approvals: f.Approvals, Payout: f.Payout}
}

// Key is the asset as the station's limits and keyring name it.
func (f *File) Key() string { return fmt.Sprintf("%s@%s", f.Asset.Symbol, f.Asset.Network) }
