package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"depositdesk/core"
)

const depositColumns = `d.id, d.record_no, COALESCE(d.client_request_key, ''), d.request_hash, d.customer_id, d.customer_no,
	d.securities_account, d.asset_id, a.symbol, a.chain, d.network, a.decimals, d.amount, d.source_address,
	d.destination_address, COALESCE(d.txid, ''), d.tx_index, d.requested_at, d.created_at, d.updated_at, d.status,
	d.confirmations, d.confirmations_required, d.block_hash, d.block_height, d.remarks`

const depositFrom = ` FROM deposits d JOIN assets a ON a.id = d.asset_id`

// CreateDeposit implements core.Store. The single writer connection makes
// the existence checks and the insert one atomic step.
func (s *Store) CreateDeposit(ctx context.Context, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, bool, error) {
	var out *core.DepositRecord
	var created bool
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		existing, err := findExistingDeposit(ctx, tx, d)
		if err != nil || existing != nil {
			out = existing
			return err
		}
		var n int64
		day := core.RecordNoDay(d.CreatedAt)
		if err := tx.QueryRowContext(ctx, `INSERT INTO record_no_seq (day, last) VALUES (?, 1)
			ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last`, day).Scan(&n); err != nil {
			return fmt.Errorf("allocate record number: %w", err)
		}
		recordNo := core.FormatRecordNo(d.CreatedAt, n)
		res, err := tx.ExecContext(ctx, `INSERT INTO deposits (record_no, client_request_key, request_hash, customer_id, customer_no,
			securities_account, asset_id, network, amount, source_address, destination_address, txid, tx_index, requested_at,
			created_at, updated_at, status, confirmations, confirmations_required, block_hash, block_height, remarks)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			recordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo, d.SecuritiesAccount, d.AssetID,
			d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress, nullable(d.TxID), d.TxIndex,
			micros(d.RequestedAt), micros(d.CreatedAt), micros(d.UpdatedAt), string(d.Status), d.Confirmations,
			d.ConfirmationsRequired, d.BlockHash, d.BlockHeight, d.Remarks)
		if err != nil {
			return conflict(err, "Deposit record %s already exists.", recordNo)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		if out, err = depositByID(ctx, tx, id); err != nil {
			return err
		}
		created = true
		if audit.EntityID == "" {
			audit.EntityID = recordNo
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, created, err
}

// findExistingDeposit returns the record d duplicates, by client request
// key or by a live (network, txid, index), or nil.
func findExistingDeposit(ctx context.Context, q queryer, d *core.DepositRecord) (*core.DepositRecord, error) {
	var id int64
	if d.ClientRequestKey != "" {
		err := q.QueryRowContext(ctx, `SELECT id FROM deposits WHERE client_request_key = ?`, d.ClientRequestKey).Scan(&id)
		if err == nil {
			return depositByID(ctx, q, id)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find by request key: %w", err)
		}
	}
	if d.TxID != "" {
		err := q.QueryRowContext(ctx, `SELECT id FROM deposits WHERE network = ? AND txid = ? AND tx_index = ?
			AND status NOT IN ('cancelled', 'deleted')`, d.Network, d.TxID, d.TxIndex).Scan(&id)
		if err == nil {
			return depositByID(ctx, q, id)
		} else if !errors.Is(err, sql.ErrNoRows) {
			return nil, fmt.Errorf("find by txid: %w", err)
		}
	}
	return nil, nil
}

func depositByID(ctx context.Context, q queryer, id int64) (*core.DepositRecord, error) {
	page, err := findDeposits(ctx, q, core.DepositFilter{ID: &id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Records) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "Deposit record %d not found.", id)
	}
	return page.Records[0], nil
}

// TransitionDeposit implements core.Store with one guarded UPDATE.
func (s *Store) TransitionDeposit(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error) {
	if err := core.CheckTransition(t.From, t.To); err != nil {
		return nil, err
	}
	var out *core.DepositRecord
	err := s.withTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deposits SET status = ?, remarks = ?, updated_at = ? WHERE id = ? AND status = ?`,
			string(t.To), t.Remarks, micros(t.Audit.At), t.ID, string(t.From))
		if err != nil {
			return fmt.Errorf("transition deposit: %w", err)
		}
		cur, err := depositByID(ctx, tx, t.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return core.Errorf(core.ECONFLICT, "Record %s is %q now, not %q; someone else changed it.", cur.RecordNo, cur.Status.Display(), t.From.Display())
		}
		out = cur
		a := t.Audit
		if a.EntityID == "" {
			a.EntityID = cur.RecordNo
		}
		if a.Before == "" && a.After == "" {
			a.Before, a.After = string(t.From), string(t.To)
		}
		return appendAudit(ctx, tx, a)
	})
	return out, err
}

// FindDeposits implements core.Store. Every filter combination is served
// by an index ending in (created_at, id), read backwards for newest first;
// the cursor continues strictly after the last row of the previous page.
func (s *Store) FindDeposits(ctx context.Context, f core.DepositFilter) (core.DepositPage, error) {
	return findDeposits(ctx, s.read, f)
}

func findDeposits(ctx context.Context, q queryer, f core.DepositFilter) (core.DepositPage, error) {
	where, args := depositWhere(f)
	limit := f.Limit
	if limit <= 0 {
		limit = core.DefaultPageSize
	}
	query := `SELECT ` + depositColumns + depositFrom + ` WHERE ` + strings.Join(where, " AND ") +
		fmt.Sprintf(` ORDER BY d.created_at DESC, d.id DESC LIMIT %d`, limit+1)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return core.DepositPage{}, fmt.Errorf("find deposits: %w", err)
	}
	defer rows.Close()
	var page core.DepositPage
	for rows.Next() {
		d, err := scanDeposit(rows)
		if err != nil {
			return core.DepositPage{}, err
		}
		page.Records = append(page.Records, d)
	}
	if err := rows.Err(); err != nil {
		return core.DepositPage{}, err
	}
	if len(page.Records) > limit {
		page.Records = page.Records[:limit]
		last := page.Records[limit-1]
		page.Next = &core.DepositCursor{CreatedAt: last.CreatedAt, ID: last.ID}
	}
	return page, nil
}

// depositWhere builds the conditions of a search. It is shared with the
// search benchmark so the raw-SQL baseline runs the very same query.
func depositWhere(f core.DepositFilter) ([]string, []any) {
	where, args := []string{"1 = 1"}, []any{}
	add := func(cond string, vals ...any) { where, args = append(where, cond), append(args, vals...) }
	if f.ID != nil {
		add("d.id = ?", *f.ID)
	}
	if f.RecordNo != nil {
		add("d.record_no = ?", *f.RecordNo)
	}
	if f.CustomerNo != nil {
		add("d.customer_no = ?", *f.CustomerNo)
	}
	if f.SecuritiesAccount != nil {
		add("d.securities_account = ?", *f.SecuritiesAccount)
	}
	if f.Status != nil {
		add("d.status = ?", string(*f.Status))
	}
	if f.AssetID != nil {
		add("d.asset_id = ?", *f.AssetID)
	}
	if f.TxID != nil {
		add("d.txid IN (?, ?)", *f.TxID, "0x"+*f.TxID)
	}
	if f.CreatedFrom != nil {
		add("d.created_at >= ?", micros(*f.CreatedFrom))
	}
	if f.CreatedTo != nil {
		add("d.created_at < ?", micros(*f.CreatedTo))
	}
	if f.After != nil {
		add("(d.created_at, d.id) < (?, ?)", micros(f.After.CreatedAt), f.After.ID)
	}
	return where, args
}

type scanner interface{ Scan(dest ...any) error }

func scanDeposit(r scanner) (*core.DepositRecord, error) {
	var d core.DepositRecord
	var amount, status string
	var requested, created, updated int64
	if err := r.Scan(&d.ID, &d.RecordNo, &d.ClientRequestKey, &d.RequestHash, &d.CustomerID, &d.CustomerNo,
		&d.SecuritiesAccount, &d.AssetID, &d.AssetSymbol, &d.Chain, &d.Network, &d.Decimals, &amount, &d.SourceAddress,
		&d.DestinationAddress, &d.TxID, &d.TxIndex, &requested, &created, &updated, &status,
		&d.Confirmations, &d.ConfirmationsRequired, &d.BlockHash, &d.BlockHeight, &d.Remarks); err != nil {
		return nil, fmt.Errorf("scan deposit: %w", err)
	}
	var err error
	if d.Amount, err = parseBig(amount); err != nil {
		return nil, err
	}
	d.Status = core.DepositStatus(status)
	d.RequestedAt, d.CreatedAt, d.UpdatedAt = fromMicros(requested), fromMicros(created), fromMicros(updated)
	return &d, nil
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
