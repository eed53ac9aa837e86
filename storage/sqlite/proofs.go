package sqlite

import (
	"context"
	"fmt"

	"depositdesk/core"
)

// oneTimeProof is a table of one-time ownership proofs (signature
// challenges, micro-deposits) and how its messages name a row.
type oneTimeProof struct {
	table string // address_challenges, micro_deposits
	what  string // "Challenge", "Micro-deposit challenge"
	again string // what the operator does next: "issue a new one"
}

// spendProof marks row id of p used at audit.At — only if it is unused,
// unexpired and for change's address — setting the extra assignments set
// ("txid = ?") with it, then applies change and its audit row, all in one
// transaction. ENOTFOUND without the row; ECONFLICT when it was spent, has
// expired or is another address's; updateErr maps a failed UPDATE.
func (s *Store) spendProof(ctx context.Context, p oneTimeProof, id int64, set string, setArgs []any, updateErr func(error) error,
	change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if !core.CanTransitionAddress(change.From, change.To) {
		return nil, core.Errorf(core.EINVALID, "An address cannot go from %s to %s.", change.From.Display(), change.To.Display())
	}
	var out *core.WalletAddress
	err := s.withTx(ctx, func(tx *writeTx) error {
		at := micros(audit.At)
		args := append(append([]any{at}, setArgs...), id, change.ID, at)
		res, err := tx.ExecContext(ctx, `UPDATE `+p.table+` SET used_at = ?`+set+`
			WHERE id = ? AND address_id = ? AND used_at = 0 AND expires_at > ?`, args...)
		if err != nil {
			return updateErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			var exists bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+p.table+` WHERE id = ?)`, id).Scan(&exists); err != nil {
				return fmt.Errorf("find %s: %w", p.table, err)
			}
			if !exists {
				return core.Errorf(core.ENOTFOUND, "%s %d not found.", p.what, id)
			}
			return core.Errorf(core.ECONFLICT, "%s %d was already used, has expired or is for another address; %s.", p.what, id, p.again)
		}
		if out, err = setAddressStatus(ctx, tx, change, audit.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}
