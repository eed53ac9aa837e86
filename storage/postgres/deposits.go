package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"depositdesk/core"
)

const depositColumns = `d.id, d.record_no, COALESCE(d.client_request_key, ''), d.request_hash, d.customer_id, d.customer_no,
	d.securities_account, d.asset_id, a.symbol, a.chain, d.network, a.decimals, d.amount::text, d.source_address,
	d.destination_address, COALESCE(d.txid, ''), d.tx_index, d.requested_at, d.created_at, d.updated_at, d.status,
	d.confirmations, d.confirmations_required, d.block_hash, d.block_height, d.remarks, d.submitted_by, d.channel`

const depositFrom = ` FROM deposits d JOIN assets a ON a.id = d.asset_id`

// CreateDeposit implements core.Store. Two desktops racing with the same
// request both pass the existence check; the unique indexes let one insert
// win and the loser returns the winner's record.
//
// Every POST of every desk waits for two row locks, the day's record-number
// counter and the audit head, so the transaction takes them as late and
// holds them as briefly as it can: the existence check runs before BEGIN
// (under READ COMMITTED it sees no more inside the transaction, and the
// unique indexes decide anyway); BEGIN, the counter and the head go in one
// batch, counter first as the bulk seed takes them; the insert, its
// read-back, the notification (sent at COMMIT), the audit row, the head's
// advance and COMMIT go in a second. The locks are held for one round trip
// and the commit's flush, where they were held for four. A loser's rollback
// returns its number, so numbers stay gap-free.
func (s *Store) CreateDeposit(ctx context.Context, d *core.DepositRecord, audit core.AuditEntry) (*core.DepositRecord, bool, error) {
	existing, err := findExistingDeposit(ctx, s.pool, d)
	if err != nil || existing != nil {
		return existing, false, err
	}
	var out *core.DepositRecord
	err = s.pipelinedTx(ctx, func(conn *pgxpool.Conn) error {
		var n int64
		var head auditHead
		b := &pgx.Batch{}
		b.Queue(`BEGIN`)
		b.Queue(`INSERT INTO record_no_seq (day, last) VALUES ($1, 1)
			ON CONFLICT (day) DO UPDATE SET last = record_no_seq.last + 1 RETURNING last`, core.RecordNoDay(d.CreatedAt)).
			QueryRow(func(r pgx.Row) error {
				if err := r.Scan(&n); err != nil {
					return fmt.Errorf("allocate record number: %w", err)
				}
				return nil
			})
		queueLockAuditHead(b, &head)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			return err // each statement's callback says which failed
		}
		recordNo := core.FormatRecordNo(d.CreatedAt, n)
		b = &pgx.Batch{}
		b.Queue(`INSERT INTO deposits (record_no, client_request_key, request_hash, customer_id, customer_no,
			securities_account, asset_id, network, amount, source_address, destination_address, txid, tx_index, requested_at,
			created_at, updated_at, status, confirmations, confirmations_required, block_hash, block_height, remarks,
			submitted_by, channel)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::numeric, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24)`,
			recordNo, nullable(d.ClientRequestKey), d.RequestHash, d.CustomerID, d.CustomerNo, d.SecuritiesAccount, d.AssetID,
			d.Network, d.Amount.String(), d.SourceAddress, d.DestinationAddress, nullable(d.TxID), d.TxIndex,
			d.RequestedAt, d.CreatedAt, d.UpdatedAt, string(d.Status), d.Confirmations,
			d.ConfirmationsRequired, d.BlockHash, d.BlockHeight, d.Remarks, d.SubmittedBy, string(d.Channel))
		query, args := searchQuery(core.DepositFilter{RecordNo: &recordNo, Limit: 1}, nil)
		b.Queue(query, args...).QueryRow(func(r pgx.Row) (err error) {
			out, err = scanDeposit(r)
			return err
		})
		b.Queue(notifyDepositQuery, DepositChannel, recordNo)
		if audit.EntityID == "" {
			audit.EntityID = recordNo
		}
		queueWriteAudit(b, &head, &audit)
		b.Queue(`COMMIT`)
		if err := conn.SendBatch(ctx, b).Close(); err != nil {
			// A unique violation stays recognisable: the loser re-reads below.
			return invalid(fmt.Errorf("insert deposit %s: %w", recordNo, err))
		}
		return nil
	})
	if isUnique(err) {
		existing, ferr := findExistingDeposit(ctx, s.pool, d)
		if ferr != nil {
			return nil, false, ferr
		}
		if existing == nil {
			// The winner was cancelled or deleted meanwhile, or a record
			// number was taken outside the allocator: nothing to return.
			return nil, false, core.Errorf(core.ECONFLICT, "The deposit conflicts with %s; try again.", duplicateDeposit(err))
		}
		return existing, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	return out, true, nil
}

// findExistingDeposit returns the record d duplicates, by client request
// key or by a live (network, txid, index), or nil.
func findExistingDeposit(ctx context.Context, q querier, d *core.DepositRecord) (*core.DepositRecord, error) {
	var id int64
	if d.ClientRequestKey != "" {
		err := q.QueryRow(ctx, `SELECT id FROM deposits WHERE client_request_key = $1`, d.ClientRequestKey).Scan(&id)
		if err == nil {
			return depositByID(ctx, q, id)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("find by request key: %w", err)
		}
	}
	if d.TxID != "" {
		err := q.QueryRow(ctx, `SELECT id FROM deposits WHERE network = $1 AND txid = $2 AND tx_index = $3
			AND status NOT IN ('cancelled', 'deleted')`, d.Network, d.TxID, d.TxIndex).Scan(&id)
		if err == nil {
			return depositByID(ctx, q, id)
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return nil, fmt.Errorf("find by txid: %w", err)
		}
	}
	return nil, nil
}

func depositByID(ctx context.Context, q querier, id int64) (*core.DepositRecord, error) {
	page, err := findDeposits(ctx, q, core.DepositFilter{ID: &id, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(page.Records) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "Deposit record %d not found.", id)
	}
	return page.Records[0], nil
}

// TransitionDeposit implements core.Store with one guarded UPDATE; a
// concurrent winner holds the row lock, and the loser re-checks the status
// after it commits and updates nothing.
func (s *Store) TransitionDeposit(ctx context.Context, t core.DepositTransition) (*core.DepositRecord, error) {
	var out *core.DepositRecord
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		out, err = transitionDeposit(ctx, tx, t)
		return err
	})
	return out, err
}

// transitionDeposit is the guarded UPDATE of t, its audit row and the
// notification to other desks, inside tx.
func transitionDeposit(ctx context.Context, tx pgx.Tx, t core.DepositTransition) (*core.DepositRecord, error) {
	if err := core.CheckTransition(t.From, t.To); err != nil {
		return nil, err
	}
	set, args := `status = $1, remarks = $2, updated_at = $3`, []any{string(t.To), t.Remarks, t.Audit.At}
	if c := t.Chain; c != nil {
		set += `, confirmations = $4, block_hash = $5, block_height = $6, chain_spends = $7`
		args = append(args, c.Confirmations, c.BlockHash, c.BlockHeight, strings.Join(c.Spends, ","))
	}
	n := len(args)
	tag, err := tx.Exec(ctx, `UPDATE deposits SET `+set+fmt.Sprintf(` WHERE id = $%d AND status = $%d`, n+1, n+2), append(args, t.ID, string(t.From))...)
	if err != nil {
		return nil, fmt.Errorf("transition deposit: %w", err)
	}
	cur, err := depositByID(ctx, tx, t.ID)
	if err != nil {
		return nil, err
	}
	if tag.RowsAffected() == 0 {
		return nil, core.Errorf(core.ECONFLICT, "Record %s is %q now, not %q; someone else changed it.", cur.RecordNo, cur.Status.Display(), t.From.Display())
	}
	a := t.Audit
	if a.EntityID == "" {
		a.EntityID = cur.RecordNo
	}
	if a.Before == "" && a.After == "" {
		a.Before, a.After = string(t.From), string(t.To)
	}
	if err := notifyDeposit(ctx, tx, cur.RecordNo); err != nil {
		return nil, err
	}
	return cur, appendAudit(ctx, tx, a)
}

func scanDeposit(r pgx.Row) (*core.DepositRecord, error) {
	var d core.DepositRecord
	var amount, status, channel string
	if err := r.Scan(&d.ID, &d.RecordNo, &d.ClientRequestKey, &d.RequestHash, &d.CustomerID, &d.CustomerNo,
		&d.SecuritiesAccount, &d.AssetID, &d.AssetSymbol, &d.Chain, &d.Network, &d.Decimals, &amount, &d.SourceAddress,
		&d.DestinationAddress, &d.TxID, &d.TxIndex, &d.RequestedAt, &d.CreatedAt, &d.UpdatedAt, &status,
		&d.Confirmations, &d.ConfirmationsRequired, &d.BlockHash, &d.BlockHeight, &d.Remarks, &d.SubmittedBy, &channel); err != nil {
		return nil, fmt.Errorf("scan deposit: %w", err)
	}
	var err error
	if d.Amount, err = parseBig(amount); err != nil {
		return nil, err
	}
	d.Status, d.Channel = core.DepositStatus(status), core.ApplicationChannel(channel)
	d.RequestedAt, d.CreatedAt, d.UpdatedAt = d.RequestedAt.UTC(), d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return &d, nil
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
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE deposits SET txid = $1, tx_index = $2, updated_at = $3
			WHERE id = $4 AND status = $5 AND txid IS NULL`, a.TxID, a.TxIndex, a.Audit.At, a.ID, string(core.StatusVerifying))
		if err != nil {
			return conflict(fmt.Errorf("attach transaction: %w", err), "Transaction %s (index %d) is already recorded on another live deposit record.", a.TxID, a.TxIndex)
		}
		cur, err := depositByID(ctx, tx, a.ID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return core.Errorf(core.ECONFLICT, "Record %s changed meanwhile (%q, transaction %q); try again.", cur.RecordNo, cur.Status.Display(), cur.TxID)
		}
		out = cur
		e := a.Audit
		if e.EntityID == "" {
			e.EntityID = cur.RecordNo
		}
		if err := notifyDeposit(ctx, tx, cur.RecordNo); err != nil {
			return err
		}
		return appendAudit(ctx, tx, e)
	})
	return out, err
}

// CustomerHasKeyedDeposit implements core.Store: one probe of the
// deposits_customer_request_key index, whose key column is ordered bytewise
// (COLLATE "C"), so the keys starting with the prefix are a range of it
// under any database locale. The comparisons name the same collation, or
// the planner could not use that index for them.
func (s *Store) CustomerHasKeyedDeposit(ctx context.Context, customerNo, keyPrefix string) (bool, error) {
	from, to, err := core.KeyPrefixRange(keyPrefix)
	if err != nil {
		return false, err
	}
	var ok bool
	if err := s.pool.QueryRow(ctx, customerKeyQuery, customerNo, from, to).Scan(&ok); err != nil {
		return false, fmt.Errorf("find customer's keyed deposit: %w", err)
	}
	return ok, nil
}

const customerKeyQuery = `SELECT EXISTS (SELECT 1 FROM deposits WHERE customer_no = $1
	AND client_request_key COLLATE "C" >= $2 AND client_request_key COLLATE "C" < $3 AND client_request_key IS NOT NULL)`

// CountDepositsByStatus implements core.Store.
func (s *Store) CountDepositsByStatus(ctx context.Context) (map[core.DepositStatus]int64, error) {
	rows, err := s.pool.Query(ctx, `SELECT status, count(*) FROM deposits GROUP BY status`)
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
