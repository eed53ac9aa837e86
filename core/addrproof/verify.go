package addrproof

import "depositdesk/core"

var _ core.ProofVerifier = Validator{}

// VerifyMessage implements core.ProofVerifier by dispatching to the
// verifier of the method, which must fit the chain.
func (Validator) VerifyMessage(chain, network, address, method, message, signature string) error {
	switch {
	case method == core.ProofEIP191 && chain == core.ChainEthereum:
		return VerifyEIP191(address, message, signature)
	case method == core.ProofBIP137 && chain == core.ChainBitcoin:
		return VerifyBIP137(network, address, message, signature)
	case method == core.ProofBIP322 && chain == core.ChainBitcoin:
		return VerifyBIP322Simple(network, address, message, signature)
	}
	return core.Errorf(core.EINVALID, "Method %q cannot prove a %s address.", method, chain)
}
