package core

import (
	"context"
	"strconv"
)

// DepositAddress returns the address customerNo deposits symbol@network to,
// deriving it from the asset's account key on first use. Every asset that
// shares the key (a coin and its tokens) gives the customer the same
// address. Requires Deposit Application.
//
// An API client gets the address only of a customer it has submitted a
// deposit request for itself (in any status); any other customer number,
// known to the desk or not, is the same ENOTFOUND, so a client cannot learn
// which customers exist. A client's first deposit therefore starts with a
// request without a TXID, whose answer carries the address. Every answer to
// a client is audited: deposit_address.assign when this call allocated the
// address, deposit_address.view otherwise.
func (s *Service) DepositAddress(ctx context.Context, customerNo, symbol, network string) (*DepositAddress, error) {
	op, err := s.authorize(ctx, ActionSubmitApplication)
	if err != nil {
		return nil, err
	}
	client := actingClient(ctx)
	if client != nil {
		if err := s.clientServes(ctx, client, customerNo); err != nil {
			return nil, err
		}
	}
	c, err := s.customer(ctx, customerNo)
	if err != nil {
		return nil, err
	}
	a, err := s.assetBySymbol(ctx, symbol, network)
	if err != nil {
		return nil, err
	}
	da, assigned, err := s.depositAddress(ctx, op.Name, c, a)
	if err != nil {
		return nil, err
	}
	if client != nil && !assigned {
		if err := s.Store.AppendAudit(ctx, s.audit(op.Name, "deposit_address.view", "customer", c.CustomerNo+"/"+a.Network)); err != nil {
			return nil, err
		}
	}
	return da, nil
}

// clientServes refuses a customer number for which the client has no
// deposit request of its own. The question goes to the store by number,
// before the customer is looked up, so an unknown and a known customer take
// the same path, the same one index lookup, to the same answer, which does
// not even repeat the number.
func (s *Service) clientServes(ctx context.Context, c *APIClient, customerNo string) error {
	no, err := parseCustomerNo(customerNo)
	if err != nil {
		return err
	}
	ok, err := s.Store.CustomerHasKeyedDeposit(ctx, no, c.requestKeyPrefix())
	if err != nil {
		return err
	}
	if !ok {
		return Errorf(ENOTFOUND, "No deposit request of this client names that customer; a first deposit starts with a request without a TXID, whose answer carries the deposit address.")
	}
	return nil
}

// depositAddress returns the customer's address for a, and whether this
// call assigned it (and wrote the deposit_address.assign row).
func (s *Service) depositAddress(ctx context.Context, actor string, c *Customer, a *Asset) (*DepositAddress, bool, error) {
	if !a.Enabled {
		return nil, false, Errorf(EINVALID, "Deposits of %s on %s are disabled.", a.Symbol, a.Network)
	}
	if a.AccountXPub == "" {
		return nil, false, Errorf(EINVALID, "%s has no account public key configured, so the desk cannot give deposit addresses for it.", a.Key())
	}
	if s.Deriver == nil {
		return nil, false, Errorf(EINTERNAL, "no address deriver configured")
	}
	// The key was checked when the asset was configured; deriving checks it
	// again, only when a new address is allocated.
	derive := func(i uint32) (string, error) { return s.Deriver.DeriveAddress(a.Chain, a.Network, a.AccountXPub, i) }
	key := strconv.FormatInt(c.ID, 10) + "/" + a.AccountXPub
	if da, ok := s.known.depositAddresses.Load(key); ok {
		return da.(*DepositAddress), false, nil
	}
	au := s.audit(actor, "deposit_address.assign", "customer", c.CustomerNo)
	da, assigned, err := s.Store.DepositAddressFor(ctx, c.ID, a, derive, au)
	if err != nil {
		return nil, false, err
	}
	s.known.depositAddresses.Store(key, da)
	return da, assigned, nil
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
	da, _, err := s.depositAddress(ctx, actor, c, a)
	if err != nil {
		return "", err
	}
	if given != "" && given != da.Address {
		return "", Errorf(EINVALID, "Destination %s is not customer %s's deposit address for %s (%s).", given, c.CustomerNo, a.Key(), da.Address)
	}
	return da.Address, nil
}
