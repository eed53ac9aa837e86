// Package testkeys makes the account-level extended public keys that tests
// and benchmarks configure assets with: m/purpose'/coin'/0' of a fixed
// seed, neutered, so deposit addresses derive the same way in every run.
package testkeys

import (
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
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
