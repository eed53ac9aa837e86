package core

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditEntry is one row of the append-only audit log. Each row carries
// Hash = SHA-256(PrevHash ‖ Canonical()), so editing or deleting any row
// breaks the chain from that row on.
type AuditEntry struct {
	Seq      int64     // assigned by storage, 1, 2, 3, … with no gaps
	At       time.Time // microsecond precision, UTC (what every engine stores exactly)
	Actor    string    // operator name, "watcher", "client:<id>", "system"
	Action   string    // e.g. "deposit.cancel"
	Entity   string    // deposit, asset, customer, address, operator, audit
	EntityID string    // record no, asset key, customer no, …
	Before   string
	After    string
	Remarks  string
	PrevHash string // hex; "" for the first row
	Hash     string // hex
}

// ErrAuditHeadMissing is what storage answers when the audit log's head
// row is gone: nothing can be appended, so nothing can be written.
var ErrAuditHeadMissing = Errorf(ECONFLICT, "The audit log's head row is missing, so the desk writes nothing: the database was tampered with. `depositctl audit verify` names what else was changed.")

// GenesisHash is the PrevHash of the first row.
const GenesisHash = ""

// Canonical is the exact byte string hashed for the entry: a JSON array of
// its fields in fixed order, so every engine and every language that can
// read the export can recompute it.
func (e *AuditEntry) Canonical() []byte {
	b, _ := json.Marshal([]string{
		"v1",
		strconv.FormatInt(e.Seq, 10),
		e.At.UTC().Format("2006-01-02T15:04:05.000000Z"),
		e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.Remarks,
	})
	return b
}

// ChainHash computes the hash of e linked to prevHash (hex).
func ChainHash(prevHash string, e *AuditEntry) string {
	h := sha256.New()
	h.Write([]byte(prevHash))
	h.Write(e.Canonical())
	return hex.EncodeToString(h.Sum(nil))
}

// Seal sets Seq, PrevHash and Hash; storage calls it while it holds the
// audit head lock, inside the transaction that writes the row.
func (e *AuditEntry) Seal(seq int64, prevHash string) {
	e.Seq = seq
	e.At = e.At.UTC().Truncate(time.Microsecond)
	e.PrevHash = prevHash
	e.Hash = ChainHash(prevHash, e)
}

// AuditFilter selects audit rows in Seq order; nil fields do not filter.
type AuditFilter struct {
	Entity   *string
	EntityID *string
	AfterSeq int64 // rows with Seq > AfterSeq
	Limit    int   // 0 = no limit
}

// AuditVerification is the result of walking the whole chain and holding
// the log against its head and checkpoints.
type AuditVerification struct {
	Checked     int64
	FirstBroken int64  // Seq of the first row whose hash or link is wrong; 0 when intact
	Reason      string // why that row is broken
	// Problems are what the chain cannot show by itself: rows outside
	// 1..head, a head that is not the last row, a checkpoint the log no
	// longer extends.
	Problems        []string
	Checkpoints     int // checkpoints held against the log
	RecordsReplayed int // deposit records compared with their history (AuditAnchors.State)
}

// Intact reports whether the whole chain verified and nothing else is wrong.
func (v AuditVerification) Intact() bool { return v.FirstBroken == 0 && len(v.Problems) == 0 }

// Summary says in one sentence what is wrong, "" when intact.
func (v AuditVerification) Summary() string {
	var parts []string
	if v.FirstBroken != 0 {
		parts = append(parts, fmt.Sprintf("broken at row %d: %s (%d rows before it verified)", v.FirstBroken, v.Reason, v.Checked))
	}
	parts = append(parts, v.Problems...)
	if len(parts) == 0 {
		return ""
	}
	return "Audit log is not intact: " + strings.Join(parts, "; ") + "."
}

// VerifyAuditChain checks rows in Seq order, continuing from the state
// after the previous batch (prevSeq, prevHash), and reports the first
// broken row. It returns the state to continue from.
func VerifyAuditChain(rows []*AuditEntry, prevSeq int64, prevHash string) (brokenSeq int64, reason string, lastSeq int64, lastHash string) {
	for _, r := range rows {
		switch {
		case r.Seq != prevSeq+1:
			return r.Seq, "sequence gap: expected row " + strconv.FormatInt(prevSeq+1, 10), prevSeq, prevHash
		case r.PrevHash != prevHash:
			return r.Seq, "previous-hash link does not match the row before", prevSeq, prevHash
		case ChainHash(prevHash, r) != r.Hash:
			return r.Seq, "row content does not match its hash", prevSeq, prevHash
		}
		prevSeq, prevHash = r.Seq, r.Hash
	}
	return 0, "", prevSeq, prevHash
}

// auditActionNames are the audit log's action codes (AuditEntry.Action) as
// operators read them in a record's trail and an address's history. Every
// code the desk writes is here: TestEveryAuditActionHasAName reads the
// sources that write them and fails on a code without a name.
var auditActionNames = map[string]string{
	"deposit.create":           "Application received",
	"deposit.resubmit":         "Application submitted again",
	"deposit.seed":             "Seeded (test data)",
	"deposit.view":             "Viewed by an API client",
	"deposit.attach_tx":        "Transaction hash attached",
	"deposit.attach_tx_repeat": "Same transaction hash attached again",
	"deposit.confirming":       "Seen on chain: confirming",
	"deposit.credit":           "Credited",
	"deposit.hold":             "Held for review",
	"deposit.reorg":            "Dropped from the chain: back to verification",
	"deposit.release":          "Released to confirming",
	"deposit.reject":           "Rejected",
	"deposit.cancel":           "Cancelled",
	"deposit.delete":           "Deleted (abnormal application)",
	"deposit.refund_rejected":  "Refund rejected: back to credited",
	"deposit.refunded":         "Refunded",
	"deposit_address.assign":   "Deposit address assigned",
	"deposit_address.view":     "Deposit address viewed by an API client",
	"refund.request":           "Refund requested",
	"refund.approve":           "Refund approved",
	"refund.reject":            "Refund rejected",
	"refund.prepare":           "Refund transaction prepared",
	"refund.bump":              "Refund fee raised",
	"refund.replace":           "Refund replaced",
	"refund.sign":              "Refund signed",
	"refund.broadcast":         "Refund broadcast",
	"refund.adopt":             "Refund found on chain",
	"refund.confirm":           "Refund confirmed",
	"refund.fail":              "Refund failed",
	"refund.notify":            "Customer notified of the refund",
	"address.add":              "Wallet address added",
	"address.challenge":        "Ownership challenge issued",
	"address.micro_deposit":    "Micro-deposit started",
	"address.evidence":         "Document submitted for approval",
	"address.proof_failed":     "Ownership proof refused",
	"address.pending":          "Address back to pending",
	"address.verified":         "Address verified",
	"address.rejected":         "Address rejected",
	"address.revoked":          "Address revoked",
	"asset.create":             "Cryptocurrency added",
	"asset.update":             "Cryptocurrency changed",
	"key.import":               "Signing key imported",
	"customer.create":          "Customer added",
	"client.create":            "API client created",
	"client.revoke":            "API client revoked",
	"operator.create":          "Operator created",
	"operator.permissions":     "Operator permissions changed",
	"operator.disable":         "Operator disabled",
	"operator.enable":          "Operator enabled",
	"operator.login":           "Logged in",
	"operator.login_failed":    "Login refused",
	"operator.password_change": "Password changed",
	"operator.password_failed": "Password change refused",
	"operator.key_register":    "Approval key registered",
	"operator.keys_export":     "Approval keys exported",
	"audit.export":             "Audit log exported",
	"audit.checkpoint":         "Audit checkpoint signed",
	"audit.checkpoint_key":     "Audit checkpoint key made",
	"settings.firm_name":       "Firm name set",
	"watcher.start":            "Chain watcher started",
}

// AuditActionName is an audit action code in words ("deposit.cancel":
// "Cancelled"); a code the desk does not know (a row from a newer
// version) stays as it is.
func AuditActionName(code string) string {
	if n, ok := auditActionNames[code]; ok {
		return n
	}
	return code
}
