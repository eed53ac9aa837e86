package core

import (
	"context"
	"crypto/subtle"
	"slices"
	"strconv"
	"strings"
)

// CreateAPIClient registers a client system with the given scopes and
// returns it with its bearer token, which is shown this once: only its hash
// is stored. Requires Operator Admin.
func (s *Service) CreateAPIClient(ctx context.Context, name string, scopes []Scope) (*APIClient, string, error) {
	op, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return nil, "", err
	}
	name = strings.TrimSpace(name)
	if err := ValidateClientName(name); err != nil {
		return nil, "", err
	}
	if len(scopes) == 0 {
		return nil, "", Errorf(EINVALID, "At least one scope is required.")
	}
	var sc []Scope
	for _, x := range scopes {
		p, err := ParseScope(string(x))
		if err != nil {
			return nil, "", err
		}
		if !slices.Contains(sc, p) {
			sc = append(sc, p)
		}
	}
	slices.Sort(sc)
	token, hash, err := NewAPIToken()
	if err != nil {
		return nil, "", err
	}
	c := &APIClient{Name: name, TokenHash: hash, Scopes: sc, CreatedBy: op.Name, CreatedAt: s.now()}
	a := s.audit(op.Name, "client.create", "client", name)
	a.After = "scopes=" + EncodeScopes(sc)
	if err := s.Store.CreateAPIClient(ctx, c, a); err != nil {
		return nil, "", err
	}
	return c, token, nil
}

// ListAPIClients returns every API client, revoked ones included.
// Requires Operator Admin.
func (s *Service) ListAPIClients(ctx context.Context) ([]*APIClient, error) {
	if _, err := s.authorize(ctx, ActionManageOperators); err != nil {
		return nil, err
	}
	return s.Store.FindAPIClients(ctx, APIClientFilter{})
}

// RevokeAPIClient stops a client's token from working, for good, with
// remarks. ENOTFOUND for an unknown name, ECONFLICT when already revoked.
// Requires Operator Admin.
func (s *Service) RevokeAPIClient(ctx context.Context, name, remarks string) (*APIClient, error) {
	op, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return nil, err
	}
	if err := ValidateRemarks(remarks); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	cs, err := s.Store.FindAPIClients(ctx, APIClientFilter{Name: &name})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, Errorf(ENOTFOUND, "API client %q not found.", truncate(name, 64))
	}
	a := s.audit(op.Name, "client.revoke", "client", cs[0].Name)
	a.Before, a.After, a.Remarks = "active", "revoked", strings.TrimSpace(remarks)
	return s.Store.RevokeAPIClient(ctx, cs[0].ID, a)
}

// AuthenticateClient returns the client a bearer token belongs to, to carry
// in the context with NewContextWithClient. An unknown or revoked token is
// EUNAUTHORIZED; a token without scope is EFORBIDDEN. It writes nothing:
// a refused call must leave no trace in the database, so refusals are
// logged by the caller instead.
func (s *Service) AuthenticateClient(ctx context.Context, token string, scope Scope) (*APIClient, error) {
	bad := Errorf(EUNAUTHORIZED, "Missing, unknown or revoked API token.")
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return nil, bad
	}
	hash := HashAPIToken(token)
	cs, err := s.Store.FindAPIClients(ctx, APIClientFilter{TokenHash: &hash})
	if err != nil {
		return nil, err
	}
	// The lookup is by hash, so the comparison only guards against an
	// engine that matched loosely; constant time costs nothing here.
	if len(cs) == 0 || subtle.ConstantTimeCompare([]byte(cs[0].TokenHash), []byte(hash)) != 1 || cs[0].Revoked() {
		return nil, bad
	}
	if !slices.Contains(cs[0].Scopes, scope) {
		return nil, Errorf(EFORBIDDEN, "API client %q has no %s scope.", cs[0].Name, scope)
	}
	return cs[0], nil
}

// ClientDeposit returns a record to the API client that created it, and
// audits the read under the client's name. A record another client or an
// operator created is ENOTFOUND, so a client cannot even learn that it exists.
func (s *Service) ClientDeposit(ctx context.Context, recordNo string) (*DepositRecord, error) {
	op, err := s.authorize(ctx, ActionViewOwnRecords)
	if err != nil {
		return nil, err
	}
	d, err := s.ownDeposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	return d, s.Store.AppendAudit(ctx, s.audit(op.Name, "deposit.view", "deposit", d.RecordNo))
}

// ownDeposit finds a record for the caller: any record for an operator,
// only its own for an API client.
func (s *Service) ownDeposit(ctx context.Context, recordNo string) (*DepositRecord, error) {
	if err := ValidateRecordNo(recordNo); err != nil {
		return nil, err
	}
	d, err := s.deposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	if c := actingClient(ctx); c != nil && !c.Owns(d) {
		return nil, Errorf(ENOTFOUND, "Deposit record %s not found.", recordNo)
	}
	return d, nil
}

// AttachTxID records the transaction of an application submitted without
// one. Only while the record is "Wallet Address Under Verification" and has
// no TXID (EINVALID otherwise); attaching the same TXID again returns the
// record unchanged, a different one is ECONFLICT, and so is a TXID that a
// live record already holds. Requires Deposit Application, or the intake
// scope for a client's own record.
func (s *Service) AttachTxID(ctx context.Context, recordNo, txid string, index int) (*DepositRecord, error) {
	op, err := s.authorize(ctx, ActionAttachTxID)
	if err != nil {
		return nil, err
	}
	d, err := s.ownDeposit(ctx, recordNo)
	if err != nil {
		return nil, err
	}
	norm, err := NormalizeTxID(d.Chain, strings.TrimSpace(txid))
	if err != nil {
		return nil, err
	}
	if index < 0 || index > maxTxIndex {
		return nil, Errorf(EINVALID, "Transaction output/log index out of range.")
	}
	if d.TxID == norm && d.TxIndex == index {
		// A retry of the same attachment: answer as the first time did.
		return d, s.Store.AppendAudit(ctx, s.audit(op.Name, "deposit.attach_tx_repeat", "deposit", d.RecordNo))
	}
	if d.TxID != "" {
		return nil, Errorf(ECONFLICT, "Record %s already has transaction %s.", d.RecordNo, d.TxID)
	}
	if d.Status != StatusVerifying {
		return nil, Errorf(EINVALID, "A transaction can be attached only to a record in %q; this one is %q.", StatusVerifying.Display(), d.Status.Display())
	}
	a := s.audit(op.Name, "deposit.attach_tx", "deposit", d.RecordNo)
	a.After = norm + ":" + strconv.Itoa(index)
	return s.Store.AttachDepositTx(ctx, DepositTxAttachment{ID: d.ID, TxID: norm, TxIndex: index, Audit: a})
}

// DepositCountsByStatus counts records per status for monitoring: what
// /metrics serves from a cache to callers MetricsAccess lets in. It needs no
// login of its own, since the counts name no customer and no record.
func (s *Service) DepositCountsByStatus(ctx context.Context) (map[DepositStatus]int64, error) {
	return s.Store.CountDepositsByStatus(ctx)
}

// MetricsAccess tells whether the caller may read monitoring metrics: an
// API client with the metrics scope, or an operator with Audit View or
// Operator Admin.
func (s *Service) MetricsAccess(ctx context.Context) error {
	_, err := s.authorize(ctx, ActionViewMetrics)
	return err
}
