package core

import (
	"context"
	"fmt"
	"math/big"
	"strings"
)

// CreateAsset adds an accepted deposit currency. Requires Asset Configuration.
func (s *Service) CreateAsset(ctx context.Context, a *Asset) error {
	op, err := s.authorize(ctx, ActionConfigureAssets)
	if err != nil {
		return err
	}
	if a.ContractAddress != "" {
		a.ContractAddress = strings.ToLower(a.ContractAddress)
	}
	if err := a.Validate(); err != nil {
		return err
	}
	if err := s.checkAccountKey(a); err != nil {
		return err
	}
	now := s.now()
	a.CreatedAt, a.UpdatedAt = now, now
	au := s.audit(op.Name, "asset.create", "asset", a.Key())
	au.After = assetText(a)
	return s.Store.CreateAsset(ctx, a, au)
}

// UpdateAsset changes an asset's configuration. Every change, including of
// confirmations and the account xpub, is audited with before and after.
// Requires Asset Configuration.
func (s *Service) UpdateAsset(ctx context.Context, id int64, upd AssetUpdate) (*Asset, error) {
	op, err := s.authorize(ctx, ActionConfigureAssets)
	if err != nil {
		return nil, err
	}
	cur, err := s.asset(ctx, id)
	if err != nil {
		return nil, err
	}
	next := *cur
	if upd.Name != nil {
		next.Name = *upd.Name
	}
	if upd.MinDeposit != nil {
		next.MinDeposit = upd.MinDeposit
	}
	if upd.ConfirmationsRequired != nil {
		next.ConfirmationsRequired = *upd.ConfirmationsRequired
	}
	if upd.Enabled != nil {
		next.Enabled = *upd.Enabled
	}
	if upd.AccountXPub != nil {
		next.AccountXPub = *upd.AccountXPub
	}
	if upd.RefundFeeRate != nil {
		next.RefundFeeRate = upd.RefundFeeRate
		if upd.RefundFeeRate.Sign() == 0 {
			next.RefundFeeRate = nil
		}
	}
	if upd.RefundFeeCap != nil {
		next.RefundFeeCap = upd.RefundFeeCap
	}
	if err := next.Validate(); err != nil {
		return nil, err
	}
	if err := s.checkAccountKey(&next); err != nil {
		return nil, err
	}
	if err := s.checkSameAccountRewritten(cur, &next); err != nil {
		return nil, err
	}
	au := s.audit(op.Name, "asset.update", "asset", cur.Key())
	au.Before, au.After = assetText(cur), assetText(&next)
	return s.Store.UpdateAsset(ctx, id, upd, au)
}

// ListAssets returns configured assets.
func (s *Service) ListAssets(ctx context.Context, f AssetFilter) ([]*Asset, error) {
	if _, err := s.authorize(ctx, ActionViewAssets); err != nil {
		return nil, err
	}
	return s.Store.FindAssets(ctx, f)
}

func (s *Service) asset(ctx context.Context, id int64) (*Asset, error) {
	as, err := s.Store.FindAssets(ctx, AssetFilter{ID: &id})
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, Errorf(ENOTFOUND, "Asset %d not found.", id)
	}
	return as[0], nil
}

// assetBySymbol finds symbol@network, case-insensitively on the symbol.
func (s *Service) assetBySymbol(ctx context.Context, symbol, network string) (*Asset, error) {
	sym := strings.ToUpper(strings.TrimSpace(symbol))
	f := AssetFilter{Symbol: &sym}
	if network != "" {
		f.Network = &network
	}
	as, err := s.Store.FindAssets(ctx, f)
	if err != nil {
		return nil, err
	}
	switch {
	case len(as) == 0 && network == "":
		return nil, Errorf(ENOTFOUND, "Asset %q is not configured.", truncate(symbol, 20))
	case len(as) == 0:
		return nil, Errorf(ENOTFOUND, "Asset %q on network %q is not configured.", truncate(symbol, 20), truncate(network, 20))
	case len(as) > 1:
		return nil, Errorf(EINVALID, "Asset %q exists on several networks; name the network.", sym)
	}
	return as[0], nil
}

func assetText(a *Asset) string {
	return fmt.Sprintf("chain=%s network=%s symbol=%s contract=%s decimals=%d min=%s confirmations=%d enabled=%t xpub=%s refund_fee_rate=%s refund_fee_cap=%s",
		a.Chain, a.Network, a.Symbol, a.ContractAddress, a.Decimals, FormatAmount(a.MinDeposit, a.Decimals),
		a.ConfirmationsRequired, a.Enabled, a.AccountXPub, baseUnits(a.RefundFeeRate), baseUnits(a.RefundFeeCap))
}

// baseUnits writes an optional amount in base units, "-" when unset.
func baseUnits(v *big.Int) string {
	if v == nil {
		return "-"
	}
	return v.String()
}

// checkSameAccountRewritten refuses the asset's own account key written
// otherwise (its descriptor for its xpub, or back): deposit addresses and
// refund coins are kept by the key's text, so the rewritten key would be a
// new account to them, with every earlier address forgotten. The same
// first address is the same key.
func (s *Service) checkSameAccountRewritten(cur, next *Asset) error {
	if cur.AccountXPub == "" || next.AccountXPub == "" || next.AccountXPub == cur.AccountXPub || s.Deriver == nil {
		return nil
	}
	was, err1 := s.Deriver.DeriveAddress(cur.Chain, cur.Network, cur.AccountXPub, 0)
	now, err2 := s.Deriver.DeriveAddress(next.Chain, next.Network, next.AccountXPub, 0)
	if err1 == nil && err2 == nil && was == now {
		return Errorf(EINVALID, "That is %s's account key already, written otherwise; the desk keeps it as first configured, or its deposit addresses and refund coins would be another account's.", cur.Key())
	}
	return nil
}

// checkAccountKey refuses an account key the deriver cannot use, above all
// a private one: the online desk must never hold a spending key.
func (s *Service) checkAccountKey(a *Asset) error {
	if a.AccountXPub == "" {
		return nil
	}
	if s.Deriver == nil {
		return Errorf(EINTERNAL, "no address deriver configured")
	}
	return s.Deriver.CheckAccountKey(a.Chain, a.Network, a.AccountXPub)
}
