package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"depositdesk/core"
)

// bulkRows is how many records one INSERT statement carries: large enough
// to amortise statement overhead, small enough for SQLite's variable limit.
const bulkRows = 500

const bulkColumns = 22

// BulkInsertDeposits implements core.Store for seeding: one transaction,
// multi-row prepared INSERTs, then the record-number allocator is moved
// past every number inserted and statistics are refreshed for the planner.
func (s *Store) BulkInsertDeposits(ctx context.Context, recs []*core.DepositRecord, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *sql.Tx) error {
		full, err := tx.PrepareContext(ctx, bulkInsertSQL(bulkRows))
		if err != nil {
			return fmt.Errorf("prepare bulk insert: %w", err)
		}
		defer full.Close()
		args := make([]any, 0, bulkRows*bulkColumns)
		for start := 0; start < len(recs); start += bulkRows {
			end := min(start+bulkRows, len(recs))
			args = args[:0]
			for _, d := range recs[start:end] {
				args = append(args, d.RecordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo,
					d.SecuritiesAccount, d.AssetID, d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress,
					nullable(d.TxID), d.TxIndex, micros(d.RequestedAt), micros(d.CreatedAt), micros(d.UpdatedAt),
					string(d.Status), d.Confirmations, d.ConfirmationsRequired, d.BlockHash, d.BlockHeight, d.Remarks)
			}
			stmt := full
			if end-start != bulkRows {
				if stmt, err = tx.PrepareContext(ctx, bulkInsertSQL(end-start)); err != nil {
					return fmt.Errorf("prepare bulk insert: %w", err)
				}
				defer stmt.Close()
			}
			if _, err := stmt.ExecContext(ctx, args...); err != nil {
				return conflict(err, "A seeded record duplicates an existing record number, request key or transaction.")
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO record_no_seq (day, last)
			SELECT substr(record_no, 1, 10), max(CAST(substr(record_no, 11) AS INTEGER)) FROM deposits GROUP BY substr(record_no, 1, 10)
			ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last)`); err != nil {
			return fmt.Errorf("advance record numbers: %w", err)
		}
		if err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `ANALYZE`)
		return err
	})
}

func bulkInsertSQL(rows int) string {
	row := "(" + strings.TrimSuffix(strings.Repeat("?, ", bulkColumns), ", ") + ")"
	return `INSERT INTO deposits (record_no, client_request_key, request_hash, customer_id, customer_no, securities_account,
		asset_id, network, amount, source_address, destination_address, txid, tx_index, requested_at, created_at, updated_at,
		status, confirmations, confirmations_required, block_hash, block_height, remarks) VALUES ` +
		strings.TrimSuffix(strings.Repeat(row+", ", rows), ", ")
}
