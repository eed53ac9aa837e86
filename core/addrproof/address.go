// Package addrproof validates wallet addresses per network and verifies the
// proofs a customer gives that they control one: Ethereum personal_sign
// (EIP-191), Bitcoin legacy/BIP-137 signmessage and BIP-322 "simple"
// signatures. It holds no keys and talks to no node.
package addrproof

import (
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/ethereum/go-ethereum/common"

	"depositdesk/core"
)

// Validator implements core.AddressValidator with the real decoders.
type Validator struct{}

// NormalizeAddress implements core.AddressValidator. Bitcoin addresses of
// every standard type (P2PKH, P2SH, P2WPKH, P2WSH, P2TR) are accepted for
// their own network only; Ethereum addresses are returned in EIP-55 form.
func (Validator) NormalizeAddress(chain, network, addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	switch chain {
	case core.ChainBitcoin:
		a, err := DecodeBitcoinAddress(network, addr)
		if err != nil {
			return "", err
		}
		return a.EncodeAddress(), nil
	case core.ChainEthereum:
		a, err := DecodeEthereumAddress(addr)
		if err != nil {
			return "", err
		}
		return a.Hex(), nil
	}
	return "", core.Errorf(core.EINVALID, "Unknown chain %q.", chain)
}

// DecodeBitcoinAddress decodes addr and checks it belongs to network.
func DecodeBitcoinAddress(network, addr string) (btcutil.Address, error) {
	params, err := core.BitcoinParams(network)
	if err != nil {
		return nil, err
	}
	if len(addr) > 100 {
		return nil, core.Errorf(core.EINVALID, "Bitcoin address is too long.")
	}
	a, err := btcutil.DecodeAddress(addr, params)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%q is not a valid Bitcoin %s address.", short(addr), network)
	}
	if !a.IsForNet(params) {
		return nil, core.Errorf(core.EINVALID, "%q is not an address of the Bitcoin %s network.", short(addr), network)
	}
	switch a.(type) {
	case *btcutil.AddressPubKeyHash, *btcutil.AddressScriptHash, *btcutil.AddressWitnessPubKeyHash,
		*btcutil.AddressWitnessScriptHash, *btcutil.AddressTaproot:
		return a, nil
	}
	return nil, core.Errorf(core.EINVALID, "%q is not a standard Bitcoin address type.", short(addr))
}

// DecodeEthereumAddress accepts all-lower, all-upper or correctly
// checksummed (EIP-55) mixed-case hex and refuses a bad checksum.
func DecodeEthereumAddress(addr string) (common.Address, error) {
	if !common.IsHexAddress(addr) || !strings.HasPrefix(addr, "0x") && !strings.HasPrefix(addr, "0X") {
		return common.Address{}, core.Errorf(core.EINVALID, "%q is not an Ethereum address (0x and 40 hex digits).", short(addr))
	}
	a := common.HexToAddress(addr)
	body := addr[2:]
	if body != strings.ToLower(body) && body != strings.ToUpper(body) && a.Hex()[2:] != body {
		return common.Address{}, core.Errorf(core.EINVALID, "Ethereum address %q has a wrong EIP-55 checksum.", addr)
	}
	return a, nil
}

func short(s string) string {
	if len(s) > 100 {
		return s[:100] + "…"
	}
	return s
}
