package core

import (
	"context"
	"crypto/rand"
	"fmt"
	"math/big"
	"slices"
	"strings"
)

// StartMicroDeposit asks the customer to prove a Pending address by sending
// an exact odd amount of the network's native coin from it to their deposit
// address within ChallengeTTL. Requires Address Verification.
func (s *Service) StartMicroDeposit(ctx context.Context, addressID int64) (*MicroDeposit, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	w, err := s.pendingAddress(ctx, addressID)
	if err != nil {
		return nil, err
	}
	native, err := s.nativeAsset(ctx, w.Chain, w.Network)
	if err != nil {
		return nil, err
	}
	c, err := s.customerByID(ctx, w.CustomerID)
	if err != nil {
		return nil, err
	}
	da, _, err := s.depositAddress(ctx, op.Name, c, native)
	if err != nil {
		return nil, err
	}
	amount, err := oddAmount(native.Decimals)
	if err != nil {
		return nil, err
	}
	now := s.now()
	md := &MicroDeposit{AddressID: w.ID, AssetID: native.ID, Amount: amount, DepositAddress: da.Address,
		CreatedBy: op.Name, CreatedAt: now, ExpiresAt: now.Add(ChallengeTTL)}
	a := s.audit(op.Name, "address.micro_deposit", "address", w.Network+":"+w.Address)
	a.After = fmt.Sprintf("send exactly %s %s to %s before %s", FormatAmount(amount, native.Decimals), native.Symbol, da.Address,
		md.ExpiresAt.Format("2006-01-02T15:04:05Z"))
	if err := s.Store.CreateMicroDeposit(ctx, md, a); err != nil {
		return nil, err
	}
	return md, nil
}

// ProveMicroDeposit checks, on the network's node, that txid is a mined
// transaction paying exactly the challenge's amount to the deposit address
// from the address being proved, and then marks the address Verified with
// the transaction as evidence. Requires Address Verification.
func (s *Service) ProveMicroDeposit(ctx context.Context, challengeID int64, txid string) (*WalletAddress, error) {
	op, err := s.authorize(ctx, ActionVerifyAddress)
	if err != nil {
		return nil, err
	}
	ms, err := s.Store.FindMicroDeposits(ctx, 0, challengeID)
	if err != nil {
		return nil, err
	}
	if len(ms) == 0 {
		return nil, Errorf(ENOTFOUND, "Micro-deposit challenge %d not found.", challengeID)
	}
	md := ms[0]
	if err := s.challengeOpen("Micro-deposit challenge", md.ID, md.UsedAt, md.ExpiresAt); err != nil {
		return nil, err
	}
	w, err := s.walletAddress(ctx, md.AddressID)
	if err != nil {
		return nil, err
	}
	if txid, err = NormalizeTxID(w.Chain, strings.TrimSpace(txid)); err != nil {
		return nil, err
	}
	chain, err := s.chainFor(ctx, w.Net(), "The micro-deposit cannot be checked")
	if err != nil {
		return nil, err
	}
	tx, err := chain.Transaction(ctx, txid)
	switch {
	case ErrorCode(err) == ENOTFOUND:
		return nil, Errorf(EINVALID, "The %s node does not know transaction %s.", w.Net(), txid)
	case err != nil:
		return nil, Errorf(ECONFLICT, "The %s node could not be asked about transaction %s (%s); try again.", w.Net(), txid, nodeFailure(err))
	case tx.InMempool():
		return nil, Errorf(ECONFLICT, "Transaction %s is not mined yet; prove it once it has a confirmation.", txid)
	}
	if reason := microDepositMismatch(w, md, tx); reason != "" {
		return nil, Errorf(EINVALID, "Transaction %s does not prove the address: %s", txid, reason)
	}
	evidence := fmt.Sprintf("tx %s in block %d (%s) paid exactly %s base units from %s to %s", txid, tx.BlockHeight, tx.BlockHash,
		md.Amount, w.Address, md.DepositAddress)
	a := s.audit(op.Name, "address."+string(AddressVerified), "address", w.Network+":"+w.Address)
	a.Before, a.After, a.Remarks = string(AddressPending), string(AddressVerified), "micro-deposit: "+evidence
	return s.Store.UseMicroDeposit(ctx, md.ID, txid, AddressStatusChange{ID: w.ID, From: AddressPending, To: AddressVerified,
		Method: ProofMicroDeposit, Evidence: evidence, Operator: op.Name}, a)
}

// microDepositMismatch says why tx is not the requested micro-deposit from
// w, or "" when it is.
func microDepositMismatch(w *WalletAddress, md *MicroDeposit, tx *ChainTx) string {
	if tx.Failed {
		return "it failed on chain."
	}
	if !slices.ContainsFunc(tx.Sources, func(s string) bool { return SameAddress(w.Chain, s, w.Address) }) {
		return fmt.Sprintf("it was not sent from %s.", w.Address)
	}
	for _, t := range tx.Transfers {
		if t.Contract == "" && SameAddress(w.Chain, t.To, md.DepositAddress) && t.Amount != nil && t.Amount.Cmp(md.Amount) == 0 {
			return ""
		}
	}
	return fmt.Sprintf("it does not pay exactly %s base units to %s.", md.Amount, md.DepositAddress)
}

// nativeAsset is the enabled native coin of network (BTC, ETH).
func (s *Service) nativeAsset(ctx context.Context, chain, network string) (*Asset, error) {
	as, err := s.Store.FindAssets(ctx, AssetFilter{Network: &network})
	if err != nil {
		return nil, err
	}
	for _, a := range as {
		if a.Chain == chain && a.ContractAddress == "" && a.Enabled {
			return a, nil
		}
	}
	return nil, Errorf(EINVALID, "No enabled native coin is configured on %s for a micro-deposit.", network)
}

// oddAmount is a random odd amount, small enough for a test and distinctive
// enough not to be paid by chance: 1,001–9,999 satoshi on Bitcoin; on a coin
// with more decimals the same digits at the eighth decimal plus one base
// unit, so it stays odd (0.000010010000000001 ETH).
func oddAmount(decimals int) (*big.Int, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(4500))
	if err != nil {
		return nil, fmt.Errorf("random amount: %w", err)
	}
	v := new(big.Int).Add(big.NewInt(1001), new(big.Int).Lsh(n, 1)) // 1001, 1003, … 9999
	if decimals > 8 {
		v.Mul(v, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(decimals-8)), nil))
		v.Add(v, big.NewInt(1)) // keep it odd in base units too
	}
	return v, nil
}
