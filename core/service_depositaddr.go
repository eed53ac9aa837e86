package core

import (
	"context"
	"strconv"
)

// DepositAddress returns the address customerNo deposits symbol@network to,
// deriving it from the asset's account key on first use. Every asset that
// shares the key (a coin and its tokens) gives the customer the same
// address. Requires Deposit Application.
func (s *Service) DepositAddress(ctx context.Context, customerNo, symbol, network string) (*DepositAddress, error) {
	op, err := s.authorize(ctx, ActionSubmitApplication)
	if err != nil {
		return nil, err
	}
	c, err := s.customer(ctx, customerNo)
	if err != nil {
		return nil, err
	}
	a, err := s.assetBySymbol(ctx, symbol, network)
	if err != nil {
		return nil, err
	}
	return s.depositAddress(ctx, op.Name, c, a)
}

func (s *Service) depositAddress(ctx context.Context, actor string, c *Customer, a *Asset) (*DepositAddress, error) {
	if !a.Enabled {
		return nil, Errorf(EINVALID, "Deposits of %s on %s are disabled.", a.Symbol, a.Network)
	}
	if a.AccountXPub == "" {
		return nil, Errorf(EINVALID, "%s has no account public key configured, so the desk cannot give deposit addresses for it.", a.Key())
	}
	if s.Deriver == nil {
		return nil, Errorf(EINTERNAL, "no address deriver configured")
	}
	// The key was checked when the asset was configured; deriving checks it
	// again, only when a new address is allocated.
	derive := func(i uint32) (string, error) { return s.Deriver.DeriveAddress(a.Chain, a.Network, a.AccountXPub, i) }
	key := strconv.FormatInt(c.ID, 10) + "/" + a.AccountXPub
	if da, ok := s.known.depositAddresses.Load(key); ok {
		return da.(*DepositAddress), nil
	}
	au := s.audit(actor, "deposit_address.assign", "customer", c.CustomerNo)
	da, err := s.Store.DepositAddressFor(ctx, c.ID, a, derive, au)
	if err != nil {
		return nil, err
	}
	s.known.depositAddresses.Store(key, da)
	return da, nil
}

// destination decides where a deposit must arrive: the customer's derived
// deposit address when the asset has an account key (a client naming
// another address is refused), else the address the client named.
func (s *Service) destination(ctx context.Context, actor string, c *Customer, a *Asset, given string) (string, error) {
	if a.AccountXPub == "" {
		if given == "" {
			return "", Errorf(EINVALID, "Destination address is required: %s has no account public key to derive the customer's deposit address from.", a.Key())
		}
		return given, nil
	}
	da, err := s.depositAddress(ctx, actor, c, a)
	if err != nil {
		return "", err
	}
	if given != "" && given != da.Address {
		return "", Errorf(EINVALID, "Destination %s is not customer %s's deposit address for %s (%s).", given, c.CustomerNo, a.Key(), da.Address)
	}
	return da.Address, nil
}
