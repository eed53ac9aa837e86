package sqlite

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"depositdesk/core"
)

// bulkRows is how many records one INSERT statement carries: large enough
// to amortise statement overhead, small enough for SQLite's variable limit.
const bulkRows = 500

const bulkColumns = 22

// auditColumns is how many values one audit row binds.
const auditColumns = 11

// rebuildBelow: when deposits holds fewer rows than this, a bulk insert
// drops the table's secondary indexes and builds them again afterwards.
// Building an index sorts once; maintaining ten indexes with random keys
// (txids, request keys, customers) row by row thrashes the page cache: at
// 1M records over three minutes against about one (docs/storage.md). Into
// a big table the rebuild would cost more than it saves, so rows go in
// through the indexes.
const rebuildBelow = 100_000

// The writer's page caches, in KiB (PRAGMA cache_size takes them
// negated). WriterCacheKiB is its everyday cache, which holds the hot index
// pages of everyday writes (SQLite allocates only what it touches) and
// which a seed's rows go through too: they land on a rollback journal
// (leaveWAL), so a page leaving the cache is written once, into the file.
// IndexBuildCacheKiB, SQLite's default, is the cache while a seed builds
// the deposit indexes: SQLite's sorter takes the main schema's cache size
// as the size of one sorted run, and runs of 2 MB sort in the CPU's caches
// and on a helper thread, where a 1 GiB cache made each build one list of
// a million keys sorted on one thread (decision 63). seedbench gives the
// sqlite3 baseline the same settings.
const (
	WriterCacheKiB     = 64 << 10
	IndexBuildCacheKiB = 2000
)

// SortThreads is how many helper threads SQLite's sorter may use while a
// seed builds its indexes; it takes them only with temp_store FILE, which
// the seed sets for its duration (sortOnDisk).
const SortThreads = 2

// BulkInsertDeposits implements core.Store for seeding: one transaction,
// records streamed from recs into multi-row prepared INSERTs, then
// record_no_seq is moved past every number inserted, per day, so that
// CreateDeposit continues after them.
func (s *Store) BulkInsertDeposits(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	var n int
	everyday, err := s.sortOnDisk(ctx)
	if err != nil {
		return 0, err
	}
	back, err := s.leaveWAL(ctx)
	if err == nil {
		n, err = s.load(ctx, recs, audit)
	}
	if back != nil {
		err = errors.Join(err, back())
	}
	err = errors.Join(err, everyday())
	if err != nil {
		return 0, err
	}
	return n, nil
}

// sortOnDisk gives the single writer connection temporary files and
// helper threads for the sorts of a seed's index builds, and returns what
// puts back its everyday settings: statement journals in memory (decision
// 54), no helper threads, the everyday cache (load shrinks it for the
// builds). temp_store can only change outside a transaction.
func (s *Store) sortOnDisk(ctx context.Context) (back func() error, err error) {
	bctx := context.WithoutCancel(ctx)
	back = func() error {
		for _, pragma := range []string{`PRAGMA temp_store = MEMORY`, `PRAGMA threads = 0`,
			fmt.Sprintf(`PRAGMA cache_size = -%d`, WriterCacheKiB)} {
			if _, err := s.write.ExecContext(bctx, pragma); err != nil {
				return fmt.Errorf("bulk insert: back to everyday settings: %w", err)
			}
		}
		return nil
	}
	for _, pragma := range []string{`PRAGMA temp_store = FILE`, fmt.Sprintf(`PRAGMA threads = %d`, SortThreads)} {
		if _, err := s.write.ExecContext(ctx, pragma); err != nil {
			return nil, errors.Join(fmt.Errorf("bulk insert: %w", err), back())
		}
	}
	return back, nil
}

// load is BulkInsertDeposits' one transaction; it returns how many records
// it wrote.
func (s *Store) load(ctx context.Context, recs iter.Seq[*core.DepositRecord], audit func(*core.DepositRecord) core.AuditEntry) (int, error) {
	var n int
	err := s.withOwnTx(ctx, func(tx *writeTx) error {
		var firstID, existing int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(max(id), 0) + 1, count(*) FROM deposits`).Scan(&firstID, &existing); err != nil {
			return fmt.Errorf("bulk insert: %w", err)
		}
		var rebuild []string
		if existing < rebuildBelow {
			var err error
			if rebuild, err = dropIndexes(ctx, tx, "deposits"); err != nil {
				return err
			}
		}
		if err := loadAuditHead(ctx, tx); err != nil {
			return err
		}
		var err error
		if n, err = insertBatches(ctx, tx, recs, audit); err != nil {
			return err
		}
		if len(rebuild) > 0 {
			if _, err := tx.ExecContext(ctx, fmt.Sprintf(`PRAGMA cache_size = -%d`, IndexBuildCacheKiB)); err != nil {
				return fmt.Errorf("bulk insert: %w", err)
			}
		}
		for _, ddl := range rebuild {
			if _, err := tx.ExecContext(ctx, ddl); err != nil {
				return conflict(err, "A seeded record duplicates another record's number, request key or live transaction.")
			}
		}
		// Only this call's rows: rowids are assigned ascending past the maximum.
		if _, err := tx.ExecContext(ctx, `INSERT INTO record_no_seq (day, last)
			SELECT substr(record_no, 1, 10), max(CAST(substr(record_no, 11) AS INTEGER)) FROM deposits
			WHERE id >= ? GROUP BY substr(record_no, 1, 10) ORDER BY 1
			ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last)`, firstID); err != nil {
			return fmt.Errorf("advance record numbers: %w", err)
		}
		return nil
	})
	return n, err
}

// dropIndexes drops every explicit index of table and returns the
// statements that create them again, read from the schema itself so the
// migration stays their only definition.
func dropIndexes(ctx context.Context, tx *writeTx, table string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, `SELECT name, sql FROM sqlite_schema
		WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL ORDER BY name`, table)
	if err != nil {
		return nil, fmt.Errorf("list %s indexes: %w", table, err)
	}
	defer rows.Close()
	var names, ddl []string
	for rows.Next() {
		var name, create string
		if err := rows.Scan(&name, &create); err != nil {
			return nil, fmt.Errorf("list %s indexes: %w", table, err)
		}
		names, ddl = append(names, name), append(ddl, create)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list %s indexes: %w", table, err)
	}
	for _, name := range names {
		if _, err := tx.ExecContext(ctx, `DROP INDEX "`+name+`"`); err != nil {
			return nil, fmt.Errorf("drop index %s: %w", name, err)
		}
	}
	return ddl, nil
}

func bulkInsertSQL(rows int) string {
	return `INSERT INTO deposits (record_no, client_request_key, request_hash, customer_id, customer_no, securities_account,
		asset_id, network, amount, source_address, destination_address, txid, tx_index, requested_at, created_at, updated_at,
		status, confirmations, confirmations_required, block_hash, block_height, remarks) VALUES ` + valueRows(rows, bulkColumns)
}

func auditInsertSQL(rows int) string {
	return `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
		VALUES ` + valueRows(rows, auditColumns)
}

// valueRows is rows placeholders "(?, …), (?, …)" of columns each.
func valueRows(rows, columns int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", columns), ", ") + ")"
	return strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}
