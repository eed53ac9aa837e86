package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/big"
	"strings"

	"depositdesk/core"
)

// errDuplicate marks an insert refused by a unique index, so CreateDeposit
// can roll back and return the record that won.
var errDuplicate = errors.New("duplicate deposit")

// CreateDeposit implements core.Store. BEGIN IMMEDIATE makes the existence
// checks and the insert one atomic step, even across processes; the re-read
// after a unique violation is the second line the contract promises, for a
// writer that did not go through this store.
func (s *Store) CreateDeposit(ctx context.Context, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, bool, error) {
	var out *core.DepositRecord
	var created bool
	err := s.withTx(ctx, func(tx *writeTx) error {
		existing, err := findExistingDeposit(ctx, tx, d)
		if err != nil || existing != nil {
			out = existing
			return err
		}
		out, err = insertDeposit(ctx, tx, d, audit)
		created = err == nil
		return err
	})
	if errors.Is(err, errDuplicate) {
		existing, rerr := findExistingDeposit(ctx, s.read, d)
		if rerr != nil {
			return nil, false, rerr
		} else if existing == nil {
			return nil, false, core.Errorf(core.ECONFLICT, "A deposit record with the same record number already exists.")
		}
		return existing, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out, created, nil
}

// insertDeposit allocates the next record number of d's creation day (UTC),
// inserts d and audits it under that number.
func insertDeposit(ctx context.Context, tx *writeTx, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, error) {
	var n int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO record_no_seq (day, last) VALUES (?, 1)
		ON CONFLICT (day) DO UPDATE SET last = last + 1 RETURNING last`, core.RecordNoDay(d.CreatedAt)).Scan(&n); err != nil {
		return nil, fmt.Errorf("allocate record number: %w", err)
	}
	recordNo := core.FormatRecordNo(d.CreatedAt, n)
	res, err := tx.ExecContext(ctx, `INSERT INTO deposits (record_no, client_request_key, request_hash, customer_id, customer_no,
		securities_account, asset_id, network, amount, source_address, destination_address, txid, tx_index, requested_at,
		created_at, updated_at, status, confirmations, confirmations_required, block_hash, block_height, remarks,
		submitted_by, channel)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		recordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo, d.SecuritiesAccount, d.AssetID,
		d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress, nullable(d.TxID), d.TxIndex,
		micros(d.RequestedAt), micros(d.CreatedAt), micros(d.UpdatedAt), string(d.Status), d.Confirmations,
		d.ConfirmationsRequired, d.BlockHash, d.BlockHeight, d.Remarks, d.SubmittedBy, string(d.Channel))
	if isUnique(err) {
		return nil, fmt.Errorf("insert deposit %s: %w", recordNo, errDuplicate)
	} else if err != nil {
		return nil, fmt.Errorf("insert deposit: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return nil, err
	}
	// The stored row is d as inserted, so it is built here rather than read
	// back: one query less for the one writer on every intake request.
	rec := *d
	rec.ID, rec.RecordNo, rec.Amount = id, recordNo, new(big.Int).Set(d.Amount)
	rec.RequestedAt, rec.CreatedAt, rec.UpdatedAt = fromMicros(micros(d.RequestedAt)), fromMicros(micros(d.CreatedAt)), fromMicros(micros(d.UpdatedAt))
	if audit.EntityID == "" {
		audit.EntityID = recordNo
	}
	return &rec, appendAudit(ctx, tx, audit)
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
	var out *core.DepositRecord
	err := s.withTx(ctx, func(tx *writeTx) error {
		var err error
		out, err = transitionDeposit(ctx, tx, t)
		return err
	})
	return out, err
}

// transitionDeposit is the guarded UPDATE of t and its audit row, inside tx.
func transitionDeposit(ctx context.Context, tx *writeTx, t core.DepositTransition) (*core.DepositRecord, error) {
	if err := core.CheckTransition(t.From, t.To); err != nil {
		return nil, err
	}
	set, args := `status = ?, remarks = ?, updated_at = ?`, []any{string(t.To), t.Remarks, micros(t.Audit.At)}
	if c := t.Chain; c != nil {
		set += `, confirmations = ?, block_hash = ?, block_height = ?, chain_spends = ?`
		args = append(args, c.Confirmations, c.BlockHash, c.BlockHeight, strings.Join(c.Spends, ","))
	}
	res, err := tx.ExecContext(ctx, `UPDATE deposits SET `+set+` WHERE id = ? AND status = ?`, append(args, t.ID, string(t.From))...)
	if err != nil {
		return nil, fmt.Errorf("transition deposit: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return nil, fmt.Errorf("transition deposit: %w", err)
	}
	cur, err := depositByID(ctx, tx, t.ID)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		return nil, core.Errorf(core.ECONFLICT, "Record %s is %q now, not %q; someone else changed it.", cur.RecordNo, cur.Status.Display(), t.From.Display())
	}
	a := t.Audit
	if a.EntityID == "" {
		a.EntityID = cur.RecordNo
	}
	if a.Before == "" && a.After == "" {
		a.Before, a.After = string(t.From), string(t.To)
	}
	return cur, appendAudit(ctx, tx, a)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// AttachDepositTx implements core.Store with one guarded UPDATE; the
// deposits_live_tx index refuses a transaction another live record holds.
func (s *Store) AttachDepositTx(ctx context.Context, a core.DepositTxAttachment) (*core.DepositRecord, error) {
	var out *core.DepositRecord
	err := s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `UPDATE deposits SET txid = ?, tx_index = ?, updated_at = ?
			WHERE id = ? AND status = ? AND txid IS NULL`, a.TxID, a.TxIndex, micros(a.Audit.At), a.ID, string(core.StatusVerifying))
		if err != nil {
			return conflict(err, "Transaction %s (index %d) is already recorded on another live deposit record.", a.TxID, a.TxIndex)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("attach transaction: %w", err)
		}
		cur, err := depositByID(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if n == 0 {
			return core.Errorf(core.ECONFLICT, "Record %s changed meanwhile (%q, transaction %q); try again.", cur.RecordNo, cur.Status.Display(), cur.TxID)
		}
		out = cur
		e := a.Audit
		if e.EntityID == "" {
			e.EntityID = cur.RecordNo
		}
		return appendAudit(ctx, tx, e)
	})
	return out, err
}

// customerKeyQuery is CustomerHasKeyedDeposit's one probe of the
// deposits_customer_request_key index: a key range under SQLite's bytewise
// BINARY order rather than LIKE, which SQLite would not bound by the index
// (it is case-insensitive by default).
const customerKeyQuery = `SELECT EXISTS (SELECT 1 FROM deposits INDEXED BY deposits_customer_request_key
	WHERE customer_no = ? AND client_request_key >= ? AND client_request_key < ?)`

// CustomerHasKeyedDeposit implements core.Store.
func (s *Store) CustomerHasKeyedDeposit(ctx context.Context, customerNo, keyPrefix string) (bool, error) {
	from, to, err := core.KeyPrefixRange(keyPrefix)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := (preparedReader{s}).QueryRowContext(ctx, customerKeyQuery, customerNo, from, to).Scan(&ok); err != nil {
		return false, fmt.Errorf("find customer's keyed deposit: %w", err)
	}
	return ok, nil
}

// CountDepositsByStatus implements core.Store; the deposits_status index
// answers it without reading the table.
func (s *Store) CountDepositsByStatus(ctx context.Context) (map[core.DepositStatus]int64, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT status, count(*) FROM deposits INDEXED BY deposits_status GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("count deposits: %w", err)
	}
	defer rows.Close()
	out := map[core.DepositStatus]int64{}
	for rows.Next() {
		var st string
		var n int64
		if err := rows.Scan(&st, &n); err != nil {
			return nil, fmt.Errorf("count deposits: %w", err)
		}
		out[core.DepositStatus(st)] = n
	}
	return out, rows.Err()
}
