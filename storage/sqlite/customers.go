package sqlite

import (
	"context"
	"fmt"
	"strings"
	"time"

	"depositdesk/core"
)

// CreateCustomer implements core.Store.
func (s *Store) CreateCustomer(ctx context.Context, c *core.Customer, audit core.AuditEntry) error {
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO customers (customer_no, securities_account, name, identity_ref, created_at) VALUES (?, ?, ?, ?, ?)`,
			c.CustomerNo, c.SecuritiesAccount, c.Name, c.IdentityRef, micros(c.CreatedAt))
		if err != nil {
			return conflict(err, "Customer %s already exists.", c.CustomerNo)
		}
		if c.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		return appendAudit(ctx, tx, audit)
	})
}

// FindCustomers implements core.Store.
func (s *Store) FindCustomers(ctx context.Context, f core.CustomerFilter) ([]*core.Customer, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "id = ?"), append(args, *f.ID)
	}
	if f.CustomerNo != nil {
		where, args = append(where, "customer_no = ?"), append(args, *f.CustomerNo)
	}
	if f.SecuritiesAccount != nil {
		where, args = append(where, "securities_account = ?"), append(args, *f.SecuritiesAccount)
	}
	q := `SELECT id, customer_no, securities_account, name, identity_ref, created_at FROM customers WHERE ` + strings.Join(where, " AND ") + ` ORDER BY customer_no`
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := preparedReader{s}.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("find customers: %w", err)
	}
	defer rows.Close()
	var out []*core.Customer
	for rows.Next() {
		var c core.Customer
		var created int64
		if err := rows.Scan(&c.ID, &c.CustomerNo, &c.SecuritiesAccount, &c.Name, &c.IdentityRef, &created); err != nil {
			return nil, fmt.Errorf("scan customer: %w", err)
		}
		c.CreatedAt = fromMicros(created)
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
	return s.withTx(ctx, func(tx *writeTx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO wallet_addresses (customer_id, chain, network, address, label, status,
			verification_method, evidence, verified_by, verified_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			w.CustomerID, w.Chain, w.Network, w.Address, w.Label, string(w.Status), w.VerificationMethod, w.Evidence, w.VerifiedBy, micros(w.VerifiedAt), micros(w.CreatedAt))
		if err != nil {
			return conflict(err, "Customer %s already has address %s on %s.", w.CustomerNo, w.Address, w.Network)
		}
		if w.ID, err = res.LastInsertId(); err != nil {
			return err
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
	err := s.withTx(ctx, func(tx *writeTx) error {
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
func setAddressStatus(ctx context.Context, tx *writeTx, ch core.AddressStatusChange, at time.Time) (*core.WalletAddress, error) {
	set := `status = ?`
	args := []any{string(ch.To)}
	if ch.To == core.AddressVerified {
		set += `, verification_method = ?, evidence = ?, verified_by = ?, verified_at = ?`
		args = append(args, ch.Method, ch.Evidence, ch.Operator, micros(at))
	}
	res, err := tx.ExecContext(ctx, `UPDATE wallet_addresses SET `+set+` WHERE id = ? AND status = ?`, append(args, ch.ID, string(ch.From))...)
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
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, core.Errorf(core.ECONFLICT, "Address %s is %s now, not %s.", ws[0].Address, ws[0].Status.Display(), ch.From.Display())
	}
	return ws[0], nil
}

// FindWalletAddresses implements core.Store.
func (s *Store) FindWalletAddresses(ctx context.Context, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	return findWalletAddresses(ctx, preparedReader{s}, f)
}

func findWalletAddresses(ctx context.Context, q queryer, f core.WalletAddressFilter) ([]*core.WalletAddress, error) {
	where, args := []string{"1 = 1"}, []any{}
	if f.ID != nil {
		where, args = append(where, "w.id = ?"), append(args, *f.ID)
	}
	if f.CustomerID != nil {
		where, args = append(where, "w.customer_id = ?"), append(args, *f.CustomerID)
	}
	if f.CustomerNo != nil {
		where, args = append(where, "c.customer_no = ?"), append(args, *f.CustomerNo)
	}
	if f.Chain != nil {
		where, args = append(where, "w.chain = ?"), append(args, *f.Chain)
	}
	if f.Network != nil {
		where, args = append(where, "w.network = ?"), append(args, *f.Network)
	}
	if f.Address != nil {
		where, args = append(where, "w.address = ?"), append(args, *f.Address)
	}
	if f.Status != nil {
		where, args = append(where, "w.status = ?"), append(args, string(*f.Status))
	}
	if f.AwaitingApproval {
		where = append(where, "EXISTS (SELECT 1 FROM manual_verifications m WHERE m.address_id = w.id)")
	}
	rows, err := q.QueryContext(ctx, `SELECT `+addressColumns+` FROM `+addressTables+`
		WHERE `+strings.Join(where, " AND ")+` ORDER BY c.customer_no, w.network, w.address`+limitClause(f.Limit), args...)
	if err != nil {
		return nil, fmt.Errorf("find wallet addresses: %w", err)
	}
	defer rows.Close()
	var out []*core.WalletAddress
	for rows.Next() {
		var w core.WalletAddress
		var status string
		var verifiedAt, created int64
		if err := rows.Scan(&w.ID, &w.CustomerID, &w.CustomerNo, &w.Chain, &w.Network, &w.Address, &w.Label, &status,
			&w.VerificationMethod, &w.Evidence, &w.VerifiedBy, &verifiedAt, &created, &w.DocumentBy); err != nil {
			return nil, fmt.Errorf("scan wallet address: %w", err)
		}
		w.Status, w.VerifiedAt, w.CreatedAt = core.AddressStatus(status), fromMicros(verifiedAt), fromMicros(created)
		out = append(out, &w)
	}
	return out, rows.Err()
}
