package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

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
// (", txid = $2": parameters from $2 on) with it, then applies change and
// its audit row, all in one transaction, so desks racing with the same
// proof verify once. ENOTFOUND without the row; ECONFLICT when it was
// spent, has expired or is another address's; updateErr maps a failed
// UPDATE.
func (s *Store) spendProof(ctx context.Context, p oneTimeProof, id int64, set string, setArgs []any, updateErr func(error) error,
	change core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if !core.CanTransitionAddress(change.From, change.To) {
		return nil, core.Errorf(core.EINVALID, "An address cannot go from %s to %s.", change.From.Display(), change.To.Display())
	}
	var out *core.WalletAddress
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		n := len(setArgs) + 1
		args := append(append([]any{audit.At.UTC()}, setArgs...), id, change.ID)
		tag, err := tx.Exec(ctx, `UPDATE `+p.table+` SET used_at = $1`+set+
			fmt.Sprintf(` WHERE id = $%d AND address_id = $%d AND used_at IS NULL AND expires_at > $1`, n+1, n+2), args...)
		if err != nil {
			return updateErr(err)
		}
		if tag.RowsAffected() == 0 {
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM `+p.table+` WHERE id = $1)`, id).Scan(&exists); err != nil {
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
