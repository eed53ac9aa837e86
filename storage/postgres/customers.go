package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
)

// CreateCustomer implements core.Store.
func (s *Store) CreateCustomer(ctx context.Context, c *core.Customer, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO customers (customer_no, securities_account, name, identity_ref, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id`, c.CustomerNo, c.SecuritiesAccount, c.Name, c.IdentityRef, c.CreatedAt).Scan(&c.ID)
		if err != nil {
			return conflict(err, "Customer %s already exists.", c.CustomerNo)
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindCustomers implements core.Store.
func (s *Store) FindCustomers(ctx context.Context, f core.CustomerFilter) ([]*core.Customer, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.CustomerNo != nil {
		w.add("customer_no = ?", *f.CustomerNo)
	}
	if f.SecuritiesAccount != nil {
		w.add("securities_account = ?", *f.SecuritiesAccount)
	}
	q := `SELECT id, customer_no, securities_account, name, identity_ref, created_at FROM customers WHERE ` + w.sql() + ` ORDER BY customer_no`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.pool.Query(ctx, q, w.args...)
	if err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	defer rows.Close()
	var out []*core.Customer
	for rows.Next() {
		var c core.Customer
		if err := rows.Scan(&c.ID, &c.CustomerNo, &c.SecuritiesAccount, &c.Name, &c.IdentityRef, &c.CreatedAt); err != nil {
			return nil, fmt.Errorf("scan customer: %w", err)
		}
		c.CreatedAt = c.CreatedAt.UTC()
		out = append(out, &c)
	}
	return out, rows.Err()
}

const addressColumns = `w.id, w.customer_id, c.customer_no, w.chain, w.network, w.address, w.label, w.status,
	w.verification_method, w.evidence, w.verified_by, w.verified_at, w.created_at, COALESCE(m.requested_by, '')`

// addressTables are the tables addressColumns read: an address, its
// customer, and the document waiting for approval on it, if any.
const addressTables = `wallet_addresses w JOIN customers c ON c.id = w.customer_id
	LEFT JOIN manual_verifications m ON m.address_id = w.id`

// CreateWalletAddress implements core.Store.
func (s *Store) CreateWalletAddress(ctx context.Context, w *core.WalletAddress, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `INSERT INTO wallet_addresses (customer_id, chain, network, address, label, status,
			verification_method, evidence, verified_by, verified_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id`,
			w.CustomerID, w.Chain, w.Network, w.Address, w.Label, string(w.Status), w.VerificationMethod, w.Evidence, w.VerifiedBy, ts(w.VerifiedAt), w.CreatedAt).Scan(&w.ID)
		if err != nil {
			return conflict(err, "Customer %s already has address %s on %s.", w.CustomerNo, w.Address, w.Network)
		}
		return appendAudit(ctx, tx, audit)
	})
}

// SetWalletAddressStatus implements core.Store.
func (s *Store) SetWalletAddressStatus(ctx context.Context, ch core.AddressStatusChange, audit core.AuditEntry) (*core.WalletAddress, error) {
	if !core.CanTransitionAddress(ch.From, ch.To) {
		return nil, core.Errorf(core.EINVALID, "An address cannot go from %s to %s.", ch.From.Display(), ch.To.Display())
	}
	var out *core.WalletAddress
	err := s.withTx(ctx, func(tx pgx.Tx) error {
		var err error
		if out, err = setAddressStatus(ctx, tx, ch, audit.At); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
	return out, err
}

// setAddressStatus is the guarded UPDATE of an address's verification
// state inside tx: ENOTFOUND if missing, ECONFLICT if not in ch.From.
func setAddressStatus(ctx context.Context, tx pgx.Tx, ch core.AddressStatusChange, at time.Time) (*core.WalletAddress, error) {
	w := newWhere()
	w.add("status = ?", string(ch.To))
	if ch.To == core.AddressVerified {
		w.add("verification_method = ?", ch.Method)
		w.add("evidence = ?", ch.Evidence)
		w.add("verified_by = ?", ch.Operator)
		w.add("verified_at = ?", at)
	}
	n := len(w.args)
	tag, err := tx.Exec(ctx, fmt.Sprintf(`UPDATE wallet_addresses SET %s WHERE id = $%d AND status = $%d`, w.set(), n+1, n+2),
		append(w.args, ch.ID, string(ch.From))...)
	if err != nil {
		return nil, fmt.Errorf("set address status: %w", err)
	}
	ws, err := findWalletAddresses(ctx, tx, core.WalletAddressFilter{ID: &ch.ID})
	if err != nil {
		return nil, err
	}
	if len(ws) == 0 {
		return nil, core.Errorf(core.ENOTFOUND, "Wallet address %d not found.", ch.ID)
	}
	if tag.RowsAffected() == 0 {
		return nil, core.Errorf(core.ECONFLICT, "Address %s is %s now, not %s.", ws[0].Address, ws[0].Status.Display(), ch.From.Display())
	}
	return ws[0], nil
}

// FindWalletAddresses implements core.Store.
func (s *Store) FindWalletAddresses(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	return findWalletAddresses(ctx, s.pool, f)
}

func findWalletAddresses(ctx context.Context, q querier, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	w := newWhere()
	if f.ID != nil {
		w.add("w.id = ?", *f.ID)
	}
	if f.CustomerID != nil {
		w.add("w.customer_id = ?", *f.CustomerID)
	}
	if f.CustomerNo != nil {
		w.add("c.customer_no = ?", *f.CustomerNo)
	}
	if f.Chain != nil {
		w.add("w.chain = ?", *f.Chain)
	}
	if f.Network != nil {
		w.add("w.network = ?", *f.Network)
	}
	if f.Address != nil {
		w.add("w.address = ?", *f.Address)
	}
	if f.Status != nil {
		w.add("w.status = ?", string(*f.Status))
	}
	if f.AwaitingApproval {
		w.add("EXISTS (SELECT 1 FROM manual_verifications m WHERE m.address_id = w.id)")
	}
	rows, err := q.Query(ctx, `SELECT `+addressColumns+` FROM `+addressTables+`
		WHERE `+w.sql()+` ORDER BY c.customer_no, w.network, w.address`+limitClause(f.Limit), w.args...)
	if err != nil {
		return nil, fmt.Errorf("find wallet addresses: %w", err)
	}
	defer rows.Close()
	var out []*core.WalletAddress
	for rows.Next() {
		var a core.WalletAddress
		var status string
		var verifiedAt *time.Time
		if err := rows.Scan(&a.ID, &a.CustomerID, &a.CustomerNo, &a.Chain, &a.Network, &a.Address, &a.Label, &status,
			&a.VerificationMethod, &a.Evidence, &a.VerifiedBy, &verifiedAt, &a.CreatedAt, &a.DocumentBy); err != nil {
			return nil, fmt.Errorf("scan wallet address: %w", err)
		}
		a.Status, a.VerifiedAt, a.CreatedAt = core.AddressStatus(status), fromTS(verifiedAt), a.CreatedAt.UTC()
		out = append(out, &a)
	}
	return out, rows.Err()
}
