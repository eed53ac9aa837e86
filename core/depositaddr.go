package core

import "time"

// DepositAddress is where a customer sends deposits of the assets sharing
// one account key: derived from the asset's AccountXPub at KeyIndex, so the
// signing station (which holds the private account key) controls it and the
// desk holds no private key at all.
type DepositAddress struct {
	ID          int64
	CustomerID  int64
	CustomerNo  string
	Chain       string
	Network     string
	AccountXPub string
	KeyIndex    uint32
	Address     string
	CreatedAt   time.Time
}

// DepositAddressFilter selects deposit addresses; nil fields do not filter.
type DepositAddressFilter struct {
	CustomerID *int64
	Network    *string
	Address    *string
}

// AddressDeriver turns an account-level extended public key into addresses
// (core/hdaddr).
type AddressDeriver interface {
	// CheckAccountKey refuses anything but a public account-level key
	// usable on network (a private key above all).
	CheckAccountKey(chain, network, xpub string) error
	// DeriveAddress returns the address of the index-th external key.
	DeriveAddress(chain, network, xpub string, index uint32) (string, error)
}
