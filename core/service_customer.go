package core

import (
	"context"
	"strings"
)

// CreateCustomer registers a customer. Requires Address Verification or
// Deposit Application.
func (s *Service) CreateCustomer(ctx context.Context, c *Customer) error {
	op, err := s.authorize(ctx, ActionManageCustomers)
	if err != nil {
		return err
	}
	c.CustomerNo = strings.ToUpper(strings.TrimSpace(c.CustomerNo))
	c.SecuritiesAccount = strings.ToUpper(strings.TrimSpace(c.SecuritiesAccount))
	c.Name = strings.TrimSpace(c.Name)
	if err := c.Validate(); err != nil {
		return err
	}
	c.CreatedAt = s.now()
	a := s.audit(op.Name, "customer.create", "customer", c.CustomerNo)
	a.After = "account=" + c.SecuritiesAccount + " name=" + c.Name + " identity=" + c.IdentityRef
	return s.Store.CreateCustomer(ctx, c, a)
}

// FindCustomers searches customers.
func (s *Service) FindCustomers(ctx context.Context, f CustomerFilter) ([]*Customer, error) {
	if _, err := s.authorize(ctx, ActionViewCustomers); err != nil {
		return nil, err
	}
	return s.Store.FindCustomers(ctx, f)
}

// AddWalletAddress registers a customer's own address on a network, Pending
// until verified. Requires Address Verification or Deposit Application.
func (s *Service) AddWalletAddress(ctx context.Context, customerNo, chain, network, address, label string) (*WalletAddress, error) {
	op, err := s.authorize(ctx, ActionManageCustomers)
	if err != nil {
		return nil, err
	}
	c, err := s.customer(ctx, customerNo)
	if err != nil {
		return nil, err
	}
	return s.addWalletAddress(ctx, op.Name, c, chain, network, address, label)
}

func (s *Service) addWalletAddress(ctx context.Context, actor string, c *Customer, chain, network, address, label string) (*WalletAddress, error) {
	if _, err := LookupNetwork(Network{chain, network}); err != nil {
		return nil, err
	}
	if err := CheckText("Label", label, false); err != nil {
		return nil, err
	}
	addr, err := s.addressValidator().NormalizeAddress(chain, network, address)
	if err != nil {
		return nil, err
	}
	w := &WalletAddress{CustomerID: c.ID, CustomerNo: c.CustomerNo, Chain: chain, Network: network,
		Address: addr, Label: strings.TrimSpace(label), Status: AddressPending, CreatedAt: s.now()}
	a := s.audit(actor, "address.add", "address", network+":"+addr)
	a.After = "customer=" + c.CustomerNo + " status=" + string(AddressPending)
	if err := s.Store.CreateWalletAddress(ctx, w, a); err != nil {
		return nil, err
	}
	return w, nil
}

// RejectAddress marks a Pending address Rejected with remarks.
func (s *Service) RejectAddress(ctx context.Context, addressID int64, remarks string) (*WalletAddress, error) {
	return s.setAddressStatus(ctx, addressID, AddressPending, AddressRejected, "", remarks)
}

// RevokeAddress withdraws a Verified address with a reason.
// The customer's deposits from that address that are not credited yet go
// to Held for Review, each with its own audit row, so none proceeds on an
// address the desk no longer trusts.
func (s *Service) RevokeAddress(ctx context.Context, addressID int64, reason string) (*WalletAddress, error) {
	w, err := s.setAddressStatus(ctx, addressID, AddressVerified, AddressRevoked, "", reason)
	if err != nil {
		return nil, err
	}
	return w, s.holdDepositsFrom(ctx, OperatorFromContext(ctx), w, strings.TrimSpace(reason))
}

// holdDepositsFrom moves the live, uncredited deposits whose source is w to
// Held for Review. A record that moved on concurrently is left alone.
func (s *Service) holdDepositsFrom(ctx context.Context, op *Operator, w *WalletAddress, reason string) error {
	for _, st := range []DepositStatus{StatusVerifying, StatusConfirming} {
		f := DepositFilter{CustomerNo: &w.CustomerNo, Status: &st, Limit: MaxPageSize}
		for {
			page, err := s.Store.FindDeposits(ctx, f)
			if err != nil {
				return err
			}
			for _, d := range page.Records {
				if d.Network != w.Network || d.SourceAddress != w.Address {
					continue
				}
				a := s.audit(op.Name, "deposit.hold", "deposit", d.RecordNo)
				a.Before, a.After, a.Remarks = string(st), string(StatusHeld), "Source address revoked: "+reason
				_, err := s.Store.TransitionDeposit(ctx, DepositTransition{ID: d.ID, From: st, To: StatusHeld, Remarks: a.Remarks, Audit: a})
				if err != nil && ErrorCode(err) != ECONFLICT {
					return err
				}
			}
			if page.Next == nil {
				break
			}
			f.After = page.Next
		}
	}
	return nil
}

func (s *Service) setAddressStatus(ctx context.Context, id int64, from, to AddressStatus, method, evidence string) (*WalletAddress, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	if err := ValidateRemarks(evidence); err != nil {
		return nil, Errorf(EINVALID, "Evidence or remarks are required.")
	}
	w, err := s.walletAddress(ctx, id)
	if err != nil {
		return nil, err
	}
	if w.Status != from {
		return nil, Errorf(EINVALID, "Address is %s; only a %s address can become %s.", w.Status.Display(), from.Display(), to.Display())
	}
	a := s.audit(op.Name, "address."+string(to), "address", w.Network+":"+w.Address)
	a.Before, a.After, a.Remarks = string(from), string(to), evidence
	return s.Store.SetWalletAddressStatus(ctx, AddressStatusChange{ID: id, From: from, To: to, Method: method, Evidence: evidence, Operator: op.Name}, a)
}

// FindWalletAddresses searches wallet addresses.
func (s *Service) FindWalletAddresses(ctx context.Context, f WalletAddressFilter) ([]*WalletAddress, error) {
	if _, err := s.authorize(ctx, ActionViewCustomers); err != nil {
		return nil, err
	}
	return s.Store.FindWalletAddresses(ctx, f)
}

// parseCustomerNo is a customer number as typed (any case, spaces around)
// in the form the desk stores; EINVALID when it cannot be one.
func parseCustomerNo(customerNo string) (string, error) {
	no := strings.ToUpper(strings.TrimSpace(customerNo))
	return no, ValidateCustomerNo(no)
}

func (s *Service) customer(ctx context.Context, customerNo string) (*Customer, error) {
	no, err := parseCustomerNo(customerNo)
	if err != nil {
		return nil, err
	}
	if c, ok := s.known.customers.Load(no); ok {
		cp := *c.(*Customer)
		return &cp, nil
	}
	cs, err := s.Store.FindCustomers(ctx, CustomerFilter{CustomerNo: &no})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, Errorf(ENOTFOUND, "Customer %q not found.", no)
	}
	s.known.customers.Store(no, cs[0])
	cp := *cs[0]
	return &cp, nil
}

func (s *Service) addressValidator() AddressValidator {
	if s.AddressValidator != nil {
		return s.AddressValidator
	}
	return BasicAddressValidator{}
}
