package signer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"runtime"

	"github.com/zalando/go-keyring"

	"depositdesk/core"
)

var _ core.OperatorKeys = Keyring{}

// operatorEntry is the keyring account of an operator's approval key: the
// Ed25519 seed, hex. Each OS account's keyring holds its own operators'.
func operatorEntry(operator string) string { return "operator:" + operator }

// OperatorKey implements core.OperatorKeys.
func (Keyring) OperatorKey(_ context.Context, operator string) (ed25519.PublicKey, error) {
	priv, err := operatorPrivate(operator)
	if core.ErrorCode(err) == core.ENOTFOUND && HasKeyring() {
		pub, priv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, err
		}
		defer clear(priv)
		if err := set(operatorEntry(operator), hex.EncodeToString(priv.Seed())); err != nil {
			return nil, core.Errorf(core.EINTERNAL, "store the approval key in the OS keyring: %v", err)
		}
		return pub, nil
	} else if err != nil {
		return nil, err
	}
	defer clear(priv)
	return priv.Public().(ed25519.PublicKey), nil
}

// SignApproval implements core.OperatorKeys.
func (Keyring) SignApproval(_ context.Context, operator string, msg []byte) (ed25519.PublicKey, []byte, error) {
	priv, err := operatorPrivate(operator)
	if err != nil {
		return nil, nil, err
	}
	defer clear(priv)
	return priv.Public().(ed25519.PublicKey), ed25519.Sign(priv, msg), nil
}

// HasKeyring reports whether this machine can have a Secret Service. On
// Linux go-keyring reaches it over the D-Bus session bus; without one
// named, godbus would autolaunch a bus (and a keyring daemon) that outlive
// the process, and a headless server has no keyring to offer anyway.
// Every keyring call of the desk asks it first.
func HasKeyring() bool {
	return runtime.GOOS != "linux" || os.Getenv("DBUS_SESSION_BUS_ADDRESS") != ""
}

// errNoKeyring answers every keyring call on a machine without one.
var errNoKeyring = core.Errorf(core.ENOTFOUND, "This machine has no OS keyring (no D-Bus session).")

// get and set are keyring.Get and Set of the desk's service that never
// autolaunch a bus: errNoKeyring without one.
func get(entry string) (string, error) {
	if !HasKeyring() {
		return "", errNoKeyring
	}
	return keyring.Get(Service, entry)
}

func set(entry, value string) error {
	if !HasKeyring() {
		return errNoKeyring
	}
	return keyring.Set(Service, entry, value)
}

// keyringError is a keyring failure as callers report it: no keyring as
// itself, anything else wrapped.
func keyringError(what string, err error) error {
	if errors.Is(err, errNoKeyring) {
		return err
	}
	return core.Errorf(core.EINTERNAL, "%s: %v", what, err)
}

// operatorPrivate reads operator's key; the caller zeroes it. ENOTFOUND
// when this machine has no keyring or no key of operator.
func operatorPrivate(operator string) (ed25519.PrivateKey, error) {
	s, err := get(operatorEntry(operator))
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, core.Errorf(core.ENOTFOUND, "This machine's keyring holds no approval key of %s.", operator)
	} else if err != nil {
		return nil, keyringError("read the OS keyring", err)
	}
	seed, err := hex.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, core.Errorf(core.ECONFLICT, "The approval key of %s in this machine's keyring is damaged.", operator)
	}
	defer clear(seed)
	return ed25519.NewKeyFromSeed(seed), nil
}
