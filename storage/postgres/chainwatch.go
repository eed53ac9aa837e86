package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// DepositAddressFor implements core.Store. A transaction-scoped advisory
// lock on the account key serialises allocations under that key, so
// max(key_index)+1 is never taken twice and a customer asking twice at once
// gets one address.
func (s *Store) DepositAddressFor(ctx context.Context, customerID int64, a *core.Asset, derive func(uint32) (string, error), audit core.AuditEntry) (*core.DepositAddress, bool, error) {
	if got, err := findDepositAddress(ctx, s.pool, customerID, a.AccountXPub); err != nil || got != nil {
		return got, false, err
	}
	var out *core.DepositAddress
	created := false
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext($1))`, a.AccountXPub); err != nil {
			return fmt.Errorf("lock account key: %w", err)
		}
		got, err := findDepositAddress(ctx, tx, customerID, a.AccountXPub)
		if err != nil || got != nil {
			out, created = got, false
			return err
		}
		var next int64
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(key_index) + 1, 0) FROM deposit_addresses WHERE account_xpub = $1`,
			a.AccountXPub).Scan(&next); err != nil {
			return fmt.Errorf("next key index: %w", err)
		}
		addr, err := derive(uint32(next))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO deposit_addresses (customer_id, chain, network, account_xpub, key_index, address, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, customerID, a.Chain, a.Network, a.AccountXPub, next, addr, audit.At.UTC()); err != nil {
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

func findDepositAddress(ctx context.Context, q querier, customerID int64, xpub string) (*core.DepositAddress, error) {
	w := newWhere()
	w.add("da.customer_id = ?", customerID)
	w.add("da.account_xpub = ?", xpub)
	got, err := findDepositAddresses(ctx, q, w)
	if err != nil || len(got) == 0 {
		return nil, err
	}
	return got[0], nil
}

// FindDepositAddresses implements core.Store.
func (s *Store) FindDepositAddresses(ctx context.Context, f core.DepositAddressFilter) ([]*core.DepositAddress, error) {
	w := newWhere()
	if f.CustomerID != nil {
		w.add("da.customer_id = ?", *f.CustomerID)
	}
	if f.Network != nil {
		w.add("da.network = ?", *f.Network)
	}
	if f.Address != nil {
		w.add("da.address = ?", *f.Address)
	}
	return findDepositAddresses(ctx, s.pool, w)
}

func findDepositAddresses(ctx context.Context, q querier, w *where) ([]*core.DepositAddress, error) {
	rows, err := q.Query(ctx, `SELECT da.id, da.customer_id, c.customer_no, da.chain, da.network, da.account_xpub,
		da.key_index, da.address, da.created_at FROM deposit_addresses da JOIN customers c ON c.id = da.customer_id
		WHERE `+w.sql()+` ORDER BY da.id`, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find deposit addresses: %w", err)
	}
	defer rows.Close()
	var out []*core.DepositAddress
	for rows.Next() {
		var d core.DepositAddress
		var index int64
		if err := rows.Scan(&d.ID, &d.CustomerID, &d.CustomerNo, &d.Chain, &d.Network, &d.AccountXPub, &index, &d.Address, &d.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan deposit address: %w", err)
		}
		d.KeyIndex, d.CreatedAt = uint32(index), d.CreatedAt.UTC()
		out = append(out, &d)
	}
	return out, rows.Err()
}

// FindWatchedDeposits implements core.Store (the deposits_watch partial index).
func (s *Store) FindWatchedDeposits(ctx context.Context, n core.Network) ([]*core.WatchedDeposit, error) {
	return findWatched(ctx, s.pool, n)
}

func findWatched(ctx context.Context, q querier, n core.Network) ([]*core.WatchedDeposit, error) {
	rows, err := q.Query(ctx, `SELECT `+depositColumns+`, d.chain_spends`+depositFrom+`
		WHERE d.network = $1 AND a.chain = $2 AND d.txid IS NOT NULL AND d.status IN ('verifying_address', 'confirming') ORDER BY d.id`, n.Name, n.Chain)
	if err != nil {
		return nil, fmt.Errorf("find watched deposits: %w", err)
	}
	return scanWatched(rows)
}

// FindWatchedDepositChanges implements core.Store. Every write stamps the
// record with its transaction id (change_xid, migration 00018). A mark's
// Seq is the xmin of the snapshot the records were read in: the oldest
// transaction then still running. A transaction that snapshot could not
// see has an id at or above it, so reading every stamp ≥ the mark next time
// misses nothing; a long transaction elsewhere only makes the reads longer.
func (s *Store) FindWatchedDepositChanges(ctx context.Context, n core.Network, since *core.WatchMark) ([]*core.WatchedDeposit, core.WatchMark, error) {
	var mark core.WatchMark
	var out []*core.WatchedDeposit
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, mark, fmt.Errorf("begin: %w", err)
	}
	defer func() {
		rctx, cancel := cleanupContext(ctx)
		defer cancel()
		_ = tx.Rollback(rctx)
	}()
	// Under REPEATABLE READ both statements read the snapshot the first takes.
	if err := tx.QueryRow(ctx, `SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint`).Scan(&mark.Seq); err != nil {
		return nil, mark, fmt.Errorf("deposit change mark: %w", err)
	}
	if since == nil {
		out, err = findWatched(ctx, tx, n)
	} else {
		var rows pgx.Rows
		rows, err = tx.Query(ctx, `SELECT `+depositColumns+`, d.chain_spends`+depositFrom+`
			WHERE d.change_xid >= $3::text::xid8 AND d.network = $1 AND a.chain = $2 ORDER BY d.id`,
			n.Name, n.Chain, strconv.FormatInt(since.Seq, 10))
		if err != nil {
			return nil, mark, fmt.Errorf("find watched deposit changes: %w", err)
		}
		out, err = scanWatched(rows)
	}
	if err != nil {
		return nil, mark, err
	}
	return out, mark, tx.Commit(ctx)
}

func scanWatched(rows pgx.Rows) ([]*core.WatchedDeposit, error) {
	defer rows.Close()
	var out []*core.WatchedDeposit
	for rows.Next() {
		var spends string
		d, err := scanDeposit(spendsRow{rows, &spends})
		if err != nil {
			return nil, err
		}
		out = append(out, &core.WatchedDeposit{DepositRecord: d, Spends: splitSpends(spends)})
	}
	return out, rows.Err()
}

// spendsRow appends the chain_spends column to scanDeposit's targets.
type spendsRow struct {
	r      pgx.Row
	spends *string
}

func (s spendsRow) Scan(dest ...any) error { return s.r.Scan(append(dest, s.spends)...) }

func splitSpends(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// UpdateDepositChain implements core.Store. It notifies listeners like a
// transition does: open desktops show the confirmation progress live.
func (s *Store) UpdateDepositChain(ctx context.Context, id int64, status core.DepositStatus, st core.ChainState) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		var recordNo string
		err := tx.QueryRow(ctx, `UPDATE deposits SET confirmations = $1, block_hash = $2, block_height = $3, chain_spends = $4
			WHERE id = $5 AND status = $6 RETURNING record_no`,
			st.Confirmations, st.BlockHash, st.BlockHeight, strings.Join(st.Spends, ","), id, string(status)).Scan(&recordNo)
		if errors.Is(err, pgx.ErrNoRows) {
			if _, err := depositByID(ctx, tx, id); err != nil {
				return err
			}
			return core.Errorf(core.ECONFLICT, "Deposit record %d is no longer %q.", id, status.Display())
		} else if err != nil {
			return fmt.Errorf("update deposit chain state: %w", err)
		}
		return notifyDeposit(ctx, tx, recordNo)
	})
}

// RecentBlocks implements core.Store.
func (s *Store) RecentBlocks(ctx context.Context, n core.Network) ([]core.ChainBlock, error) {
	rows, err := s.pool.Query(ctx, `SELECT height, hash, parent_hash FROM watched_blocks WHERE chain = $1 AND network = $2 ORDER BY height DESC`, n.Chain, n.Name)
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
	return s.withTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM watched_blocks WHERE chain = $1 AND network = $2 AND height >= $3`, n.Chain, n.Name, low); err != nil {
			return fmt.Errorf("save blocks: %w", err)
		}
		for _, b := range blocks {
			if _, err := tx.Exec(ctx, `INSERT INTO watched_blocks (chain, network, height, hash, parent_hash) VALUES ($1, $2, $3, $4, $5)`,
				n.Chain, n.Name, b.Height, b.Hash, b.ParentHash); err != nil {
				return fmt.Errorf("save block %d: %w", b.Height, err)
			}
		}
		if _, err := tx.Exec(ctx, `DELETE FROM watched_blocks WHERE chain = $1 AND network = $2 AND height <= $3`, n.Chain, n.Name, high-int64(keep)); err != nil {
			return fmt.Errorf("prune blocks: %w", err)
		}
		return nil
	})
}
