package core

import (
	"context"
	"fmt"
)

// SeedActor is the audit log's name for what seeding synthetic data does.
const SeedActor = "seed"

// ProofSeed marks an address verified as synthetic data, with no proof of
// ownership behind it.
const ProofSeed = "seed"

// SeedVerifyAddress marks a Pending address Verified as synthetic data for
// demos and benchmarks. It is allowed only while the desk holds no deposit
// record, so no real desk can use it to skip an ownership proof, and its
// row says so. Requires Operator Admin.
func (s *Service) SeedVerifyAddress(ctx context.Context, addressID int64) (*WalletAddress, error) {
	op, err := s.authorize(ctx, ActionManageOperators)
	if err != nil {
		return nil, err
	}
	if has, err := s.HasDeposits(ctx); err != nil {
		return nil, err
	} else if has {
		return nil, Errorf(ECONFLICT, "Synthetic addresses are verified only on a desk without deposit records.")
	}
	w, err := s.walletAddress(ctx, addressID)
	if err != nil {
		return nil, err
	}
	evidence := fmt.Sprintf("synthetic data seeded by %s; no ownership proof", op.Name)
	a := s.audit(SeedActor, "address."+string(AddressVerified), "address", w.Network+":"+w.Address)
	a.Before, a.After, a.Remarks = string(AddressPending), string(AddressVerified), evidence
	return s.Store.SetWalletAddressStatus(ctx, AddressStatusChange{ID: addressID, From: AddressPending, To: AddressVerified,
		Method: ProofSeed, Evidence: evidence, Operator: SeedActor}, a)
}
