package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"depositdesk/core"
)

// DepositAddressFor implements core.Store. The write transaction (BEGIN
// IMMEDIATE) serialises allocations, so max(key_index)+1 is never taken twice.
func (s *Store) DepositAddressFor(ctx context.Context, customerID int64, a *core.Asset, derive func(uint32) (string, error), audit core.AuditEntry) (*core.DepositAddress, bool, error) {
	if got, err := findDepositAddress(ctx, preparedReader{s}, customerID, a.AccountXPub); err != nil || got != nil {
		return got, false, err
	}
	var out *core.DepositAddress
	created := false
	err := s.withTx(ctx, func(tx *writeTx) error {
		got, err := findDepositAddress(ctx, tx, customerID, a.AccountXPub)
		if err != nil || got != nil {
			out, created = got, false
			return err
		}
		var next int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(key_index) + 1, 0) FROM deposit_addresses WHERE account_xpub = ?`,
			a.AccountXPub).Scan(&next); err != nil {
			return fmt.Errorf("next key index: %w", err)
		}
		addr, err := derive(uint32(next))
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO deposit_addresses (customer_id, chain, network, account_xpub, key_index, address, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, customerID, a.Chain, a.Network, a.AccountXPub, next, addr, micros(audit.At)); err != nil {
			return conflict(err, "Deposit address %s is already assigned.", addr)
		}
		if out, err = findDepositAddress(ctx, tx, customerID, a.AccountXPub); err != nil {
			return err
		}
		created = true
		audit.EntityID, audit.After = out.CustomerNo+"/"+a.Network, fmt.Sprintf("%s (index %d)", addr, next)
		return appendAudit(ctx, tx, audit)
	})
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

func findDepositAddress(ctx context.Context, q queryer, customerID int64, xpub string) (*core.DepositAddress, error) {
	got, err := findDepositAddresses(ctx, q, `da.customer_id = ? AND da.account_xpub = ?`, customerID, xpub)
	if err != nil || len(got) == 0 {
		return nil, err
	}
	return got[0], nil
}

// FindDepositAddresses implements core.Store.
func (s *Store) FindDepositAddresses(ctx context.Context, f core.DepositAddressFilter) ([]*core.DepositAddress, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.CustomerID != nil {
		where, args = append(where, "da.customer_id = ?"), append(args, *f.CustomerID)
	}
	if f.Network != nil {
		where, args = append(where, "da.network = ?"), append(args, *f.Network)
	}
	if f.Address != nil {
		where, args = append(where, "da.address = ?"), append(args, *f.Address)
	}
	return findDepositAddresses(ctx, preparedReader{s}, strings.Join(where, " AND "), args...)
}

func findDepositAddresses(ctx context.Context, q queryer, where string, args ...any) ([]*core.DepositAddress, error) {
	rows, err := q.QueryContext(ctx, `SELECT da.id, da.customer_id, c.customer_no, da.chain, da.network, da.account_xpub,
		da.key_index, da.address, da.created_at FROM deposit_addresses da JOIN customers c ON c.id = da.customer_id
		WHERE `+where+` ORDER BY da.id`, args...)
	if err != nil {
		return nil, fmt.Errorf("find deposit addresses: %w", err)
	}
	defer rows.Close()
	var out []*core.DepositAddress
	for rows.Next() {
		var d core.DepositAddress
		var created int64
		if err := rows.Scan(&d.ID, &d.CustomerID, &d.CustomerNo, &d.Chain, &d.Network, &d.AccountXPub, &d.KeyIndex, &d.Address, &created); err != nil {
			return nil, fmt.Errorf("scan deposit address: %w", err)
		}
		d.CreatedAt = fromMicros(created)
		out = append(out, &d)
	}
	return out, rows.Err()
}

// FindWatchedDeposits implements core.Store through the deposits_watch
// partial index: its size is the open set, not the table.
func (s *Store) FindWatchedDeposits(ctx context.Context, n core.Network) ([]*core.WatchedDeposit, error) {
	rows, err := preparedReader{s}.QueryContext(ctx, `SELECT `+depositColumns+`, d.chain_spends
		FROM deposits d INDEXED BY deposits_watch JOIN assets a ON a.id = d.asset_id
		WHERE d.network = ? AND a.chain = ? AND d.txid IS NOT NULL AND d.status IN ('verifying_address', 'confirming') ORDER BY d.id`, n.Name, n.Chain)
	if err != nil {
		return nil, fmt.Errorf("find watched deposits: %w", err)
	}
	return scanWatched(rows)
}

// watchMarkQuery reads a mark: two index lookups, however large the table.
const watchMarkQuery = `SELECT COALESCE((SELECT MAX(id) FROM deposits), 0),
	COALESCE((SELECT change_seq FROM deposits INDEXED BY deposits_change WHERE change_seq IS NOT NULL ORDER BY change_seq DESC LIMIT 1), 0)`

// watchChangesQuery reads the records after a mark: a rowid range (new
// records) and a range of deposits_change (written ones), never the table.
var watchChangesQuery = `SELECT ` + depositColumns + `, d.chain_spends
	FROM deposits d JOIN assets a ON a.id = d.asset_id
	WHERE d.id IN (SELECT id FROM deposits WHERE id > ?
		UNION SELECT id FROM deposits INDEXED BY deposits_change WHERE change_seq > ?)
	AND d.network = ? AND a.chain = ? ORDER BY d.id`

// FindWatchedDepositChanges implements core.Store. A mark is the highest
// deposit id and the highest change_seq (migration 00018) committed when it
// was taken. SQLite commits one writer at a time, so anything committed
// later has a higher id (new) or change_seq (written): reading the mark
// before the records may read a record twice, never miss one.
func (s *Store) FindWatchedDepositChanges(ctx context.Context, n core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error) {
	var mark core.WatchMark
	if err := (preparedReader{s}).QueryRowContext(ctx, watchMarkQuery).
		Scan(&mark.ID, &mark.Seq); err != nil {
		return nil, mark, fmt.Errorf("deposit change mark: %w", err)
	}
	if since == nil {
		open, err := s.FindWatchedDeposits(ctx, n)
		return open, mark, err
	}
	rows, err := preparedReader{s}.QueryContext(ctx, watchChangesQuery, since.ID, since.Seq, n.Name, n.Chain)
	if err != nil {
		return nil, mark, fmt.Errorf("find watched deposit changes: %w", err)
	}
	out, err := scanWatched(rows)
	return out, mark, err
}

func scanWatched(rows *sql.Rows) ([]*core.WatchedDeposit, error) {
	defer rows.Close()
	var out []*core.WatchedDeposit
	for rows.Next() {
		var spends string
		d, err := scanDeposit(spendsScanner{rows, &spends})
		if err != nil {
			return nil, err
		}
		out = append(out, &core.WatchedDeposit{DepositRecord: d, Spends: splitSpends(spends)})
	}
	return out, rows.Err()
}

// spendsScanner appends the chain_spends column to scanDeposit's targets.
type spendsScanner struct {
	r      scanner
	spends *string
}

func (s spendsScanner) Scan(dest ...any) error { return s.r.Scan(append(dest, s.spends)...) }

func splitSpends(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// UpdateDepositChain implements core.Store.
func (s *Store) UpdateDepositChain(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deposits SET confirmations = ?, block_hash = ?, block_height = ?, chain_spends = ?
			WHERE id = ? AND status = ?`, st.Confirmations, st.BlockHash, st.BlockHeight, strings.Join(st.Spends, ","), id, string(status))
		if err != nil {
			return fmt.Errorf("update deposit chain state: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			if _, err := depositByID(ctx, tx, id); err != nil {
				return err
			}
			return core.Errorf(core.ECONFLICT, "Deposit record %d is no longer %q.", id, status.Display())
		}
		return nil
	})
}

// RecentBlocks implements core.Store.
func (s *Store) RecentBlocks(ctx context.Context, n core.Network) ([]core.ChainBlock, error) {
	rows, err := preparedReader{s}.QueryContext(ctx, `SELECT height, hash, parent_hash FROM watched_blocks WHERE chain = ? AND network = ? ORDER BY height DESC`, n.Chain, n.Name)
	if err != nil {
		return nil, fmt.Errorf("recent blocks: %w", err)
	}
	defer rows.Close()
	var out []core.ChainBlock
	for rows.Next() {
		var b core.ChainBlock
		if err := rows.Scan(&b.Height, &b.Hash, &b.ParentHash); err != nil {
			return nil, fmt.Errorf("scan block: %w", err)
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

// SaveBlocks implements core.Store.
func (s *Store) SaveBlocks(ctx context.Context, n core.Network, blocks []core.ChainBlock, keep int) error {
	if len(blocks) == 0 {
		return nil
	}
	if keep < 1 {
		return errors.New("save blocks: keep must be at least 1")
	}
	low, high := blocks[0].Height, blocks[0].Height
	for _, b := range blocks {
		low, high = min(low, b.Height), max(high, b.Height)
	}
	return s.withTx(ctx, func(tx *writeTx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM watched_blocks WHERE chain = ? AND network = ? AND height >= ?`, n.Chain, n.Name, low); err != nil {
			return fmt.Errorf("save blocks: %w", err)
		}
		for _, b := range blocks {
			if _, err := tx.ExecContext(ctx, `INSERT INTO watched_blocks (chain, network, height, hash, parent_hash) VALUES (?, ?, ?, ?, ?)`,
				n.Chain, n.Name, b.Height, b.Hash, b.ParentHash); err != nil {
				return fmt.Errorf("save block %d: %w", b.Height, err)
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM watched_blocks WHERE chain = ? AND network = ? AND height <= ?`, n.Chain, n.Name, high-int64(keep)); err != nil {
			return fmt.Errorf("prune blocks: %w", err)
		}
		return nil
	})
}
