// Package signer keeps refund signing keys on the signing station: each
// asset's account-level extended private key, in the OS keyring (service
// "depositdesk"), never in the database, a log or a file. A key is stored
// only when it is the private side of the asset's configured account key,
// so a station cannot sign for an account the desk does not derive from.
package signer

import (
	"bytes"
	"errors"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
)

// Service is the keyring service name; node passwords live there too.
const Service = "depositdesk"

// Keyring implements core.SigningKeys on the OS keyring.
type Keyring struct{}

var _ core.SigningKeys = Keyring{}

func entry(a *core.Asset) string { return "account:" + a.Key() }

// Put implements core.SigningKeys.
func (Keyring) Put(a *core.Asset, xprv string) error {
	k, err := matchingKey(a, xprv)
	if err != nil {
		return err
	}
	defer k.Zero()
	if err := set(entry(a), k.String()); err != nil {
		return keyringError("store the key in the OS keyring", err)
	}
	return nil
}

// Check implements core.SigningKeys.
func (Keyring) Check(a *core.Asset) error {
	s, err := get(entry(a))
	if errors.Is(err, keyring.ErrNotFound) {
		return core.Errorf(core.ENOTFOUND, "This station's keyring holds no signing key for %s.", a.Key())
	}
	if err != nil {
		return keyringError("read the OS keyring", err)
	}
	k, err := matchingKey(a, s)
	if err != nil {
		return core.Errorf(core.ECONFLICT, "The signing key for %s no longer matches its account key; import the right one.", a.Key())
	}
	k.Zero()
	return nil
}

// Sign implements core.SigningKeys. The key is in this process's memory
// only for the signature: parsed from the keyring's answer, used by
// payout.Sign (which zeroes the child keys it derives) and zeroed.
func (Keyring) Sign(a *core.Asset, r *core.Refund, p *core.Payout) ([]byte, string, error) {
	s, err := get(entry(a))
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, "", core.Errorf(core.ENOTFOUND, "This station's keyring holds no signing key for %s; import it first (depositctl key import).", a.Key())
	}
	if err != nil {
		return nil, "", keyringError("read the OS keyring", err)
	}
	k, err := matchingKey(a, s)
	if err != nil {
		return nil, "", core.Errorf(core.ECONFLICT, "The signing key for %s no longer matches its account key; import the right one.", a.Key())
	}
	defer k.Zero()
	return payout.Sign(a, r, p, k)
}

// matchingKey parses xprv and checks it is the private side of a's account
// key: the same public key, chain code and place in the tree. Its messages
// never repeat the key.
func matchingKey(a *core.Asset, xprv string) (*hdkeychain.ExtendedKey, error) {
	if a.AccountXPub == "" {
		return nil, core.Errorf(core.EINVALID, "%s has no account public key configured; configure it before its signing key.", a.Key())
	}
	acct, err := hdaddr.ParseAccount(a.Chain, a.Network, a.AccountXPub)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s's account key: %s", a.Key(), core.ErrorMessage(err))
	}
	want := acct.Key
	k, err := hdkeychain.NewKeyFromString(strings.TrimSpace(xprv))
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "That is not an extended private key (xprv/tprv).")
	}
	if !k.IsPrivate() {
		return nil, core.Errorf(core.EINVALID, "That is a public key; the signing station needs the account's private key.")
	}
	pub, err := k.Neuter()
	if err != nil {
		k.Zero()
		return nil, core.Errorf(core.EINVALID, "That key has no public side: %v", err)
	}
	got, err1 := pub.ECPubKey()
	exp, err2 := want.ECPubKey()
	if err1 != nil || err2 != nil || !bytes.Equal(got.SerializeCompressed(), exp.SerializeCompressed()) ||
		!bytes.Equal(pub.ChainCode(), want.ChainCode()) || pub.Depth() != want.Depth() || pub.ChildIndex() != want.ChildIndex() {
		k.Zero()
		return nil, core.Errorf(core.EINVALID, "That private key is not %s's account key; nothing was stored.", a.Key())
	}
	return k, nil
}
