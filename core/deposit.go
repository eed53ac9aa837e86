package core

import (
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// DepositRecord is one deposit application and everything the desk learns
// about it.
type DepositRecord struct {
	ID                    int64
	RecordNo              string // D20261125-000123, unique
	ClientRequestKey      string // the client's idempotency key, unique when set
	RequestHash           string // fingerprint of the application, to refuse a reused key with another body
	CustomerID            int64
	CustomerNo            string
	SecuritiesAccount     string
	AssetID               int64
	AssetSymbol           string
	Chain                 string
	Network               string
	Decimals              int
	Amount                *big.Int // base units
	SourceAddress         string
	DestinationAddress    string
	TxID                  string // "" until known
	TxIndex               int    // output (BTC) or log (ERC-20) index within the tx
	RequestedAt           time.Time
	CreatedAt             time.Time
	UpdatedAt             time.Time
	Status                DepositStatus
	Confirmations         int
	ConfirmationsRequired int
	BlockHash             string
	BlockHeight           int64
	Remarks               string // last operator/watcher remark
	// SubmittedBy is who sent the application, as the audit log names
	// actors: "client:NAME" for an API client, the operator's name for an
	// application an operator entered. "" for records made before the desk
	// kept it (decision 44) and for seeded ones.
	SubmittedBy string
	Channel     ApplicationChannel // how the application reached the firm; "" when not recorded
}

// Submitter is who sent the application and how, as operators read it:
// "API client crm" or "operator alice (phone)".
func (d *DepositRecord) Submitter() string {
	switch {
	case d.SubmittedBy == "":
		return "not recorded"
	case strings.HasPrefix(d.SubmittedBy, clientActorPrefix):
		return "API client " + strings.TrimPrefix(d.SubmittedBy, clientActorPrefix)
	case d.Channel == "":
		return "operator " + d.SubmittedBy
	}
	return "operator " + d.SubmittedBy + " (" + string(d.Channel) + ")"
}

// ApplicationChannel is how a deposit application reached the firm: through the
// intake API, or by one of the ways an operator enters it by hand.
type ApplicationChannel string

const (
	ChannelAPI    ApplicationChannel = "api"
	ChannelBranch ApplicationChannel = "branch"
	ChannelPhone  ApplicationChannel = "phone"
	ChannelEmail  ApplicationChannel = "email"
	ChannelLetter ApplicationChannel = "letter"
)

// ManualChannels are the channels an operator may enter an application
// from; ChannelAPI is the intake API's alone.
func ManualChannels() []ApplicationChannel {
	return []ApplicationChannel{ChannelBranch, ChannelPhone, ChannelEmail, ChannelLetter}
}

// ParseManualChannel accepts a manual channel's name case-insensitively.
// Returns EINVALID for "" (an operator must say how the application came)
// and for any other name.
func ParseManualChannel(s string) (ApplicationChannel, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if t == "" {
		return "", Errorf(EINVALID, "Say how the application reached the firm (branch, phone, email or letter).")
	}
	for _, c := range ManualChannels() {
		if string(c) == t {
			return c, nil
		}
	}
	return "", Errorf(EINVALID, "Unknown channel %q; it is one of branch, phone, email or letter.", truncate(s, 20))
}

// AmountText is the amount with the asset's decimals.
func (d *DepositRecord) AmountText() string { return FormatAmount(d.Amount, d.Decimals) }

// ValidateRecordNo checks the shape of a record number.
// It is a hand-written check rather than a regexp because seeding calls it
// for every one of a million records.
func ValidateRecordNo(s string) error {
	if len(s) < 16 || len(s) > 32 || s[0] != 'D' || s[9] != '-' || !allDigits(s[1:9]) || !allDigits(s[10:]) {
		return Errorf(EINVALID, "Record number %q is not of the form D20261125-000123.", truncate(s, 40))
	}
	return nil
}

// FormatRecordNo builds the record number for the n-th record of a UTC day.
func FormatRecordNo(day time.Time, n int64) string {
	return fmt.Sprintf("D%s-%06d", day.UTC().Format("20060102"), n)
}

// RecordNoDay is the day prefix ("D20261125-") for records created at t.
func RecordNoDay(t time.Time) string { return "D" + t.UTC().Format("20060102") + "-" }

var txidPattern = regexp.MustCompile(`^(0x)?[0-9a-fA-F]{64}$`)

// NormalizeTxID checks a transaction hash (64 hex digits, 0x-prefixed on
// Ethereum) and returns it in canonical lower case.
func NormalizeTxID(chain, s string) (string, error) {
	if !txidPattern.MatchString(s) {
		return "", Errorf(EINVALID, "Transaction hash must be 64 hexadecimal digits.")
	}
	h := strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X"))
	if chain == ChainEthereum {
		return "0x" + h, nil
	}
	return h, nil
}

// ValidateRemarks requires an operator's remarks for actions the operating
// guide asks them to justify.
func ValidateRemarks(s string) error {
	t := strings.TrimSpace(s)
	if t == "" {
		return Errorf(EINVALID, "Remarks are required.")
	}
	if utf8.RuneCountInString(t) > 500 {
		return Errorf(EINVALID, "Remarks must be at most 500 characters.")
	}
	return CheckText("Remarks", s, true)
}

// DepositApplication is a deposit request as a client system submits it.
type DepositApplication struct {
	ClientRequestKey   string // idempotency key; "" when the client sends none
	CustomerNo         string
	SecuritiesAccount  string
	AssetSymbol        string
	Network            string
	Amount             string // decimal text, parsed with the asset's decimals
	SourceAddress      string
	DestinationAddress string
	TxID               string // optional at first
	TxIndex            int
	RequestedAt        time.Time // when the client made the request; zero = now
	// Channel and Remarks are an operator's entry's: how the application
	// reached the firm (required, one of ManualChannels) and a note on it
	// (optional). An API client's application is ChannelAPI whatever it says.
	Channel ApplicationChannel
	Remarks string
}

// DepositTransition asks storage to move one record from one status to
// another with a guarded UPDATE, writing Audit in the same transaction.
// Zero rows updated (someone else moved it first) is ECONFLICT.
type DepositTransition struct {
	ID       int64
	From, To DepositStatus
	Remarks  string
	// Chain, when set, is stored in the same UPDATE: the evidence the
	// watcher moved the record on.
	Chain *ChainState
	Audit AuditEntry // Entity/EntityID/Before/After are filled by storage if empty
}

// DepositTxAttachment asks storage to set the TXID of a record that was
// submitted without one, with a guarded UPDATE (status Verifying, no TXID
// yet) and Audit in the same transaction.
type DepositTxAttachment struct {
	ID      int64
	TxID    string // canonical form (NormalizeTxID)
	TxIndex int
	Audit   AuditEntry
}

// maxTxIndex bounds an output or log index; no real transaction has more.
const maxTxIndex = 1_000_000

// DepositDetail is what the record detail page shows.
type DepositDetail struct {
	Record        *DepositRecord // carries its asset's symbol, chain, network and decimals
	SourceAddress *WalletAddress // nil when the source address is not registered
	Refunds       []*Refund      // newest first
	Trail         []*AuditEntry
}
