package core

import "context"

// chainFor is the configured node of network; ECONFLICT naming what cannot
// be done without it.
func (s *Service) chainFor(chain, network, without string) (Chain, error) {
	c, ok := s.Chains[network]
	if !ok {
		return nil, Errorf(ECONFLICT, "No %s node is configured for network %s, so %s; configure the node (nodes.toml).", chain, network, without)
	}
	return c, nil
}

// checkNotOnChain refuses to cancel d when its network's node knows the
// TXID, in a block or the mempool: the operating guide allows cancelling
// only while the chain "has not begun confirmations". Without a node, or
// with one that does not answer, the desk cannot tell, and says so rather
// than guess.
func (s *Service) checkNotOnChain(ctx context.Context, d *DepositRecord) error {
	if s.Chains == nil {
		return nil
	}
	c, err := s.chainFor(d.Chain, d.Network, "the desk cannot check that transaction "+d.TxID+" has not reached the chain")
	if err != nil {
		return err
	}
	_, err = c.Transaction(ctx, d.TxID)
	switch ErrorCode(err) {
	case "":
		return Errorf(EINVALID, "Transaction %s is already on the %s network; the record cannot be cancelled.", d.TxID, d.Network)
	case ENOTFOUND:
		return nil
	}
	return Errorf(ECONFLICT, "The %s node could not be asked about transaction %s (%v); try the cancel again when it answers.", d.Network, d.TxID, err)
}
