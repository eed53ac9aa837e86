// Package hdaddr derives customers' deposit addresses from an asset's
// account-level extended public key: BIP84 P2WPKH (m/84'/coin'/0'/0/i) on
// Bitcoin, BIP44 (m/44'/60'/0'/0/i) on Ethereum. A Bitcoin account key may
// also be given as the BIP-380 descriptor a wallet exports, which adds the
// key's origin (ParseAccount). It only ever sees public keys and refuses a
// private one, so the online desk cannot hold one by mistake.
package hdaddr

import (
	"encoding/binary"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/ethereum/go-ethereum/crypto"

	"depositdesk/core"
)

// Deriver implements core.AddressDeriver.
type Deriver struct{}

// accountDepth is the depth of m/purpose'/coin'/account'.
const accountDepth = 3

// SLIP-132 version bytes of the BIP84 public keys wallets export (zpub,
// vpub); the plain xpub/tpub of the network's params are accepted too.
const (
	zpubVersion = 0x04b24746
	vpubVersion = 0x045f1cf6
)

// CheckAccountKey implements core.AddressDeriver.
func (Deriver) CheckAccountKey(chain, network, key string) error {
	_, err := ParseAccount(chain, network, key)
	return err
}

// DeriveAddress implements core.AddressDeriver: the address of the external
// chain's index-th key under the account key.
func (Deriver) DeriveAddress(chain, network, key string, index uint32) (string, error) {
	return Derive(chain, network, key, External, index)
}

// The two chains under an account key (BIP44): deposit addresses on the
// external one, the desk's change and Ethereum refund payer on the
// internal one, so neither can ever be a customer's deposit address.
const (
	External uint32 = 0
	Internal uint32 = 1
)

// Derive is the address of the branch/index child of key, an account key
// as ParseAccount reads it.
func Derive(chain, network, key string, branch, index uint32) (string, error) {
	if index >= hdkeychain.HardenedKeyStart {
		return "", core.Errorf(core.EINVALID, "Address index %d is out of range.", index)
	}
	acct, err := ParseAccount(chain, network, key)
	if err != nil {
		return "", err
	}
	return Address(acct.Key, chain, network, branch, index)
}

// Address is the address of acct's branch/index child; acct may be the
// private account key (the signing station checks its own derivations
// with it) or the public one.
func Address(acct *hdkeychain.ExtendedKey, chain, network string, branch, index uint32) (string, error) {
	if branch > Internal {
		return "", core.Errorf(core.EINVALID, "Branch %d is neither external nor internal.", branch)
	}
	b, err := acct.Derive(branch)
	if err != nil {
		return "", core.Errorf(core.EINTERNAL, "derive branch %d: %v", branch, err)
	}
	child, err := b.Derive(index)
	if err != nil {
		// BIP32: about 1 in 2^127 indexes is invalid; the caller takes the next.
		return "", core.Errorf(core.EINVALID, "Index %d derives no valid key; use the next one.", index)
	}
	defer child.Zero()
	pub, err := child.ECPubKey()
	if err != nil {
		return "", core.Errorf(core.EINTERNAL, "derived public key: %v", err)
	}
	switch chain {
	case core.ChainBitcoin:
		params, err := core.BitcoinParams(network)
		if err != nil {
			return "", err
		}
		a, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(pub.SerializeCompressed()), params)
		if err != nil {
			return "", core.Errorf(core.EINTERNAL, "p2wpkh address: %v", err)
		}
		return a.EncodeAddress(), nil
	case core.ChainEthereum:
		return crypto.PubkeyToAddress(*pub.ToECDSA()).Hex(), nil
	}
	return "", core.Errorf(core.EINVALID, "Unknown chain %q.", chain)
}

// checkKey parses an extended key and checks it is a public account-level
// key usable on network.
func checkKey(chain, network, key string) (*hdkeychain.ExtendedKey, error) {
	k, err := hdkeychain.NewKeyFromString(key)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "The account key is not a valid extended public key (xpub).")
	}
	if k.IsPrivate() {
		return nil, core.Errorf(core.EINVALID, "That is a private key. The desk holds only the account's public key (xpub); keep the private key on the signing station.")
	}
	if k.Depth() != accountDepth {
		return nil, core.Errorf(core.EINVALID, "The account key must be the account-level key (depth 3, m/purpose'/coin'/account'); this one has depth %d.", k.Depth())
	}
	version := binary.BigEndian.Uint32(k.Version())
	switch chain {
	case core.ChainBitcoin:
		params, err := core.BitcoinParams(network)
		if err != nil {
			return nil, err
		}
		ok := version == binary.BigEndian.Uint32(params.HDPublicKeyID[:])
		if network == "mainnet" {
			ok = ok || version == zpubVersion
		} else {
			ok = ok || version == vpubVersion
		}
		if !ok {
			return nil, core.Errorf(core.EINVALID, "The account key is for another Bitcoin network than %s.", network)
		}
	case core.ChainEthereum:
		// Ethereum wallets export BIP32 keys with Bitcoin's xpub or tpub
		// versions; the version says nothing about the Ethereum network.
	default:
		return nil, core.Errorf(core.EINVALID, "Unknown chain %q.", chain)
	}
	return k, nil
}
