package core

import (
	"context"
	"crypto/ed25519"
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"time"
)

// auditBatch is how many rows verification and export read at a time, so a
// long log never sits in memory whole.
const auditBatch = 5000

// AuditAnchors are what a verification holds the log against besides its
// own hash chain: checkpoints the desk signed (from files kept off the
// database host) and the public keys the verifier trusts to have signed them.
type AuditAnchors struct {
	Checkpoints []*Checkpoint
	Keys        []ed25519.PublicKey
	// State also replays every deposit record from its audit rows and
	// names each whose current row its history does not explain.
	State bool
}

// VerifyAudit walks the whole hash chain from row 1 and reports the first
// broken row; then it checks what a chain cannot show by itself: that no
// row lies outside 1..head, that the head is the last row, and that the log
// still extends every checkpoint in anchors (a truncation, a rewrite from
// any row before a checkpoint, or a wholesale replacement is named).
// Requires Audit View.
func (s *Service) VerifyAudit(ctx context.Context, anchors AuditAnchors) (AuditVerification, error) {
	if _, err := s.authorize(ctx, ActionViewAudit); err != nil {
		return AuditVerification{}, err
	}
	st, err := s.Store.AuditState(ctx)
	if err != nil {
		return AuditVerification{}, err
	}
	var v AuditVerification
	prevSeq, prevHash := int64(0), GenesisHash
	for {
		rows, err := s.Store.FindAudit(ctx, AuditFilter{AfterSeq: prevSeq, Limit: auditBatch})
		if err != nil {
			return v, err
		}
		if len(rows) == 0 {
			break
		}
		broken, reason, lastSeq, lastHash := VerifyAuditChain(rows, prevSeq, prevHash)
		if broken != 0 {
			v.Checked += broken - prevSeq - 1
			v.FirstBroken, v.Reason = broken, reason
			break
		}
		v.Checked += int64(len(rows))
		prevSeq, prevHash = lastSeq, lastHash
	}
	trusted, err := s.trustedCheckpointKeys(ctx, anchors.Keys)
	if err != nil {
		return v, err
	}
	if v.FirstBroken == 0 {
		v.Problems, err = s.checkAnchors(ctx, st, prevSeq, prevHash, anchors.Checkpoints, trusted)
	} else {
		// The walk stopped at the break; the checkpoints still say what they cover.
		v.Problems, err = s.checkAnchors(ctx, st, st.HeadSeq, st.HeadHash, anchors.Checkpoints, trusted)
	}
	v.Checkpoints = len(anchors.Checkpoints)
	if err != nil || !anchors.State {
		return v, err
	}
	n, refundRows, problems, err := s.replayDeposits(ctx)
	if err != nil {
		return v, err
	}
	v.RecordsReplayed, v.Problems = n, append(v.Problems, problems...)
	refunds := func(ctx context.Context) ([]string, error) { return s.replayRefundsAndClients(ctx, refundRows) }
	for _, replay := range []func(context.Context) ([]string, error){s.replayConfiguration, refunds, s.replayAddresses} {
		problems, err := replay(ctx)
		if err != nil {
			return v, err
		}
		v.Problems = append(v.Problems, problems...)
	}
	return v, nil
}

// AuditTrail returns the audit rows of one entity, oldest first.
func (s *Service) AuditTrail(ctx context.Context, f AuditFilter) ([]*AuditEntry, error) {
	if _, err := s.authorize(ctx, ActionViewAudit); err != nil {
		return nil, err
	}
	return s.Store.FindAudit(ctx, f)
}

// Audit export formats.
const (
	AuditCSV   = "csv"
	AuditJSONL = "jsonl"
)

// auditJSON is the export shape of one row; field names are stable.
type auditJSON struct {
	Seq      int64  `json:"seq"`
	At       string `json:"at"`
	Actor    string `json:"actor"`
	Action   string `json:"action"`
	Entity   string `json:"entity"`
	EntityID string `json:"entity_id"`
	Before   string `json:"before"`
	After    string `json:"after"`
	Remarks  string `json:"remarks"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// ExportAudit writes the whole log in order as CSV (with a header) or JSONL.
// The export itself is audited. Requires Audit View.
func (s *Service) ExportAudit(ctx context.Context, w io.Writer, format string) error {
	op, err := s.authorize(ctx, ActionViewAudit)
	if err != nil {
		return err
	}
	if format != AuditCSV && format != AuditJSONL {
		return Errorf(EINVALID, "Export format must be %q or %q.", AuditCSV, AuditJSONL)
	}
	if err := s.Store.AppendAudit(ctx, s.audit(op.Name, "audit.export", "audit", format)); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	enc := json.NewEncoder(w)
	if format == AuditCSV {
		if err := cw.Write([]string{"seq", "at", "actor", "action", "entity", "entity_id", "before", "after", "remarks", "prev_hash", "hash"}); err != nil {
			return err
		}
	}
	var after int64
	for {
		rows, err := s.Store.FindAudit(ctx, AuditFilter{AfterSeq: after, Limit: auditBatch})
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			break
		}
		for _, r := range rows {
			at := r.At.UTC().Format(time.RFC3339Nano)
			if format == AuditCSV {
				err = cw.Write([]string{strconv.FormatInt(r.Seq, 10), at, r.Actor, r.Action, r.Entity, r.EntityID, r.Before, r.After, r.Remarks, r.PrevHash, r.Hash})
			} else {
				err = enc.Encode(auditJSON{r.Seq, at, r.Actor, r.Action, r.Entity, r.EntityID, r.Before, r.After, r.Remarks, r.PrevHash, r.Hash})
			}
			if err != nil {
				return err
			}
		}
		after = rows[len(rows)-1].Seq
	}
	cw.Flush()
	return cw.Error()
}
