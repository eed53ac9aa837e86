package core

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"slices"
)

// SettingCheckpointKey is the public key of the station that signs audit
// checkpoints, recorded when the key is created. The database is what
// checkpoints guard against, so a verifier prefers a key it holds itself.
const SettingCheckpointKey = "audit_checkpoint_key"

// CreateCheckpointKey makes this station's checkpoint key pair in its OS
// keyring and records the public key in the desk's settings (audited).
// Requires Operator Admin.
func (s *Service) CreateCheckpointKey(ctx context.Context) (ed25519.PublicKey, error) {
	op, err := s.authorize(ctx, ActionConfigureDesk)
	if err != nil {
		return nil, err
	}
	if s.Checkpoints == nil {
		return nil, Errorf(ECONFLICT, "This desk has no keyring for checkpoint keys.")
	}
	pub, err := s.Checkpoints.CreateCheckpointKey(ctx)
	if err != nil {
		return nil, err
	}
	before, err := s.Store.Setting(ctx, SettingCheckpointKey)
	if err != nil {
		return nil, err
	}
	a := s.audit(op.Name, "audit.checkpoint_key", "settings", SettingCheckpointKey)
	a.Before, a.After = before, hex.EncodeToString(pub)
	return pub, s.Store.SetSetting(ctx, SettingCheckpointKey, a.After, a)
}

// MakeCheckpoint signs the audit log's head with this station's key, after
// appending the row that records the checkpoint itself. Requires Audit View.
func (s *Service) MakeCheckpoint(ctx context.Context) (*Checkpoint, error) {
	op, err := s.authorize(ctx, ActionViewAudit)
	if err != nil {
		return nil, err
	}
	return s.checkpoint(ctx, op.Name)
}

// AutoCheckpoint is MakeCheckpoint for the desk's own periodic checkpoints
// (internal/anchor), audited as the system. It writes nothing but its row.
func (s *Service) AutoCheckpoint(ctx context.Context) (*Checkpoint, error) {
	return s.checkpoint(ctx, "system")
}

func (s *Service) checkpoint(ctx context.Context, actor string) (*Checkpoint, error) {
	if s.Checkpoints == nil {
		return nil, Errorf(ECONFLICT, "This desk has no keyring for checkpoint keys.")
	}
	pub, err := s.Checkpoints.CheckpointKey(ctx)
	if err != nil {
		return nil, err
	}
	a := s.audit(actor, "audit.checkpoint", "audit", hex.EncodeToString(pub))
	if err := s.Store.AppendAudit(ctx, a); err != nil {
		return nil, err
	}
	st, err := s.Store.AuditState(ctx)
	if err != nil {
		return nil, err
	}
	cp := &Checkpoint{Version: 1, Seq: st.HeadSeq, Hash: st.HeadHash, At: s.now(), Key: hex.EncodeToString(pub)}
	sig, err := s.Checkpoints.SignCheckpoint(ctx, cp.Message())
	if err != nil {
		return nil, err
	}
	cp.Sig = hex.EncodeToString(sig)
	return cp, nil
}

// trustedCheckpointKeys are the keys a checkpoint may be signed with:
// those the verifier names, this station's own, and the one recorded in
// the settings (which someone with the database could have replaced: a
// verifier off the database host names its key).
func (s *Service) trustedCheckpointKeys(ctx context.Context, given []ed25519.PublicKey) ([]ed25519.PublicKey, error) {
	keys := slices.Clone(given)
	if s.Checkpoints != nil {
		// A station whose keyring cannot be read (none, or locked) simply
		// holds no key of its own; the others still count.
		if k, err := s.Checkpoints.CheckpointKey(ctx); err == nil {
			keys = append(keys, k)
		}
	}
	recorded, err := s.Store.Setting(ctx, SettingCheckpointKey)
	if err != nil {
		return nil, err
	}
	if k, err := hex.DecodeString(recorded); err == nil && len(k) == ed25519.PublicKeySize {
		keys = append(keys, k)
	}
	return keys, nil
}

// checkAnchors compares the log with what the store says of it as a whole
// and with every checkpoint, and returns what is wrong: rows outside
// 1..head, a head that is not the last row, a log that no longer extends a
// signed head. lastSeq and lastHash are where the chain walk ended.
func (s *Service) checkAnchors(ctx context.Context, st AuditState, lastSeq int64, lastHash string, cps []*Checkpoint, trusted []ed25519.PublicKey) ([]string, error) {
	var out []string
	switch {
	case st.HeadSeq < 0:
		out = append(out, "the audit head is missing")
	case st.MinSeq < 1 && st.Rows > 0:
		out = append(out, fmt.Sprintf("there are rows numbered %d and below, outside 1..%d", max(st.MinSeq, 0), st.HeadSeq))
	}
	if st.HeadSeq >= 0 && st.MaxSeq > st.HeadSeq {
		out = append(out, fmt.Sprintf("there are rows after the head: up to row %d, the head says %d", st.MaxSeq, st.HeadSeq))
	}
	if st.HeadSeq >= 0 && (lastSeq != st.HeadSeq || lastHash != st.HeadHash) {
		out = append(out, fmt.Sprintf("the head names row %d, but the log's last verified row is %d", st.HeadSeq, lastSeq))
	}
	if st.Rows != st.MaxSeq-max(st.MinSeq, 1)+1 && st.Rows > 0 && st.MinSeq >= 1 {
		out = append(out, fmt.Sprintf("%d rows for numbers %d..%d: rows are missing", st.Rows, st.MinSeq, st.MaxSeq))
	}
	slices.SortFunc(cps, func(a, b *Checkpoint) int { return int(a.Seq - b.Seq) })
	for _, cp := range cps {
		if err := cp.CheckSignature(trusted); err != nil {
			out = append(out, ErrorMessage(err))
			continue
		}
		rows, err := s.Store.FindAudit(ctx, AuditFilter{AfterSeq: cp.Seq - 1, Limit: 1})
		if err != nil {
			return nil, err
		}
		var row *AuditEntry
		if len(rows) == 1 && rows[0].Seq == cp.Seq {
			row = rows[0]
		}
		if row == nil || row.Hash != cp.Hash {
			out = append(out, checkpointError(cp, row, max(st.MaxSeq, lastSeq)))
		}
	}
	return out, nil
}
