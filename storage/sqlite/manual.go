package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"depositdesk/core"
)

// CreateManualVerification implements core.Store.
func (s *Store) CreateManualVerification(ctx context.Context, mv *core.ManualVerification, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO manual_verifications (address_id, evidence, requested_by, requested_at) VALUES (?, ?, ?, ?)`,
			mv.AddressID, mv.Evidence, mv.RequestedBy, micros(mv.RequestedAt)); err != nil {
			return conflict(err, "Evidence for this address is already waiting for approval.")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindManualVerification implements core.Store.
func (s *Store) FindManualVerification(ctx context.Context, addressID int64) (*core.ManualVerification, error) {
	return findManualVerification(ctx, preparedReader{s}, addressID)
}

func findManualVerification(ctx context.Context, q queryer, addressID int64) (*core.ManualVerification, error) {
	mv := core.ManualVerification{AddressID: addressID}
	var at int64
	err := q.QueryRowContext(ctx, `SELECT evidence, requested_by, requested_at FROM manual_verifications WHERE address_id = ?`, addressID).
		Scan(&mv.Evidence, &mv.RequestedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "No evidence is waiting for approval on address %d.", addressID)
	} else if err != nil {
		return nil, fmt.Errorf("find manual verification: %w", err)
	}
	mv.RequestedAt = fromMicros(at)
	return &mv, nil
}

// ApproveManualVerification implements core.Store.
func (s *Store) ApproveManualVerification(ctx context.Context, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	var out *core.WalletAddress
	err := s.withTx(ctx, func(tx *writeTx) error {
		mv, err := findManualVerification(ctx, tx, change.ID)
		if err != nil {
			return err
		}
		if strings.EqualFold(mv.RequestedBy, change.Operator) {
			return core.Errorf(core.EFORBIDDEN, "%s submitted this evidence; another operator must approve it.", mv.RequestedBy)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM manual_verifications WHERE address_id = ?`, change.ID); err != nil {
			return fmt.Errorf("approve manual verification: %w", err)
		}
		if out, err = setAddressStatus(ctx, tx, change, audit.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}
