// Package testkeys makes the account-level extended public keys that tests
// and benchmarks configure assets with: m/purpose'/coin'/0' of a fixed
// seed, neutered, so deposit addresses derive the same way in every run.
package testkeys

import (
	"encoding/hex"
	"fmt"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"depositdesk/core/hdaddr"
)

// AccountXPub returns the public account key m/purpose'/coin'/0' of seed
// (16 to 64 bytes) on params.
func AccountXPub(seed string, purpose, coin uint32, params *chaincfg.Params) (string, error) {
	_, xpub, err := Account(seed, purpose, coin, params)
	return xpub, err
}

// Account returns both sides of the account key m/purpose'/coin'/0' of
// seed: the private key a signing station imports and its public key.
func Account(seed string, purpose, coin uint32, params *chaincfg.Params) (xprv, xpub string, err error) {
	k, err := hdkeychain.NewMaster([]byte(seed), params)
	if err != nil {
		return "", "", err
	}
	for _, i := range []uint32{purpose, coin, 0} {
		if k, err = k.Derive(hdkeychain.HardenedKeyStart + i); err != nil {
			return "", "", err
		}
	}
	n, err := k.Neuter()
	if err != nil {
		return "", "", err
	}
	return k.String(), n.String(), nil
}

// Descriptor returns what a wallet holding seed exports for the account
// m/purpose'/coin'/0': its master private key, which signs for any path
// under it, and the account's BIP-380 descriptor with key origin and
// checksum, wpkh([fingerprint/purpose'/coin'/0']xpub/<0;1>/*)#checksum.
func Descriptor(seed string, purpose, coin uint32, params *chaincfg.Params) (master, descriptor string, err error) {
	m, err := hdkeychain.NewMaster([]byte(seed), params)
	if err != nil {
		return "", "", err
	}
	pub, err := m.ECPubKey()
	if err != nil {
		return "", "", err
	}
	_, xpub, err := Account(seed, purpose, coin, params)
	if err != nil {
		return "", "", err
	}
	fp := hex.EncodeToString(btcutil.Hash160(pub.SerializeCompressed())[:4])
	body := fmt.Sprintf("wpkh([%s/%d'/%d'/0']%s/<0;1>/*)", fp, purpose, coin, xpub)
	sum, err := hdaddr.DescriptorChecksum(body)
	if err != nil {
		return "", "", err
	}
	return m.String(), body + "#" + sum, nil
}
