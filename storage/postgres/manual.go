package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// CreateManualVerification implements core.Store.
func (s *Store) CreateManualVerification(ctx context.Context, mv *core.ManualVerification, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO manual_verifications (address_id, evidence, requested_by, requested_at) VALUES ($1, $2, $3, $4)`,
			mv.AddressID, mv.Evidence, mv.RequestedBy, mv.RequestedAt.UTC()); err != nil {
			return conflict(err, "Evidence for this address is already waiting for approval.")
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindManualVerification implements core.Store.
func (s *Store) FindManualVerification(ctx context.Context, addressID int64) (*core.ManualVerification, error) {
	return findManualVerification(ctx, s.pool, addressID, "")
}

// findManualVerification reads the waiting evidence; lock ("FOR UPDATE")
// holds it against a concurrent approval inside a transaction.
func findManualVerification(ctx context.Context, q querier, addressID int64, lock string) (*core.ManualVerification, error) {
	mv := core.ManualVerification{AddressID: addressID}
	err := q.QueryRow(ctx, `SELECT evidence, requested_by, requested_at FROM manual_verifications WHERE address_id = $1 `+lock, addressID).
		Scan(&mv.Evidence, &mv.RequestedBy, &mv.RequestedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, core.Errorf(core.ENOTFOUND, "No evidence is waiting for approval on address %d.", addressID)
	} else if err != nil {
		return nil, fmt.Errorf("find manual verification: %w", err)
	}
	mv.RequestedAt = mv.RequestedAt.UTC()
	return &mv, nil
}

// ApproveManualVerification implements core.Store.
func (s *Store) ApproveManualVerification(ctx context.Context, change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	var out *core.WalletAddress
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		mv, err := findManualVerification(ctx, tx, change.ID, "FOR UPDATE")
		if err != nil {
			return err
		}
		if strings.EqualFold(mv.RequestedBy, change.Operator) {
			return core.Errorf(core.EFORBIDDEN, "%s submitted this evidence; another operator must approve it.", mv.RequestedBy)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM manual_verifications WHERE address_id = $1`, change.ID); err != nil {
			return fmt.Errorf("approve manual verification: %w", err)
		}
		if out, err = setAddressStatus(ctx, tx, change, audit.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}
