package signer

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"github.com/zalando/go-keyring"

	"depositdesk/core"
)

// checkpointEntry is the keyring account of the station's audit
// checkpoint key: the Ed25519 seed, hex.
const checkpointEntry = "audit-checkpoint"

var _ core.CheckpointSigner = Keyring{}

// CheckpointKey implements core.CheckpointSigner.
func (Keyring) CheckpointKey(context.Context) (ed25519.PublicKey, error) {
	priv, err := checkpointPrivate()
	if err != nil {
		return nil, err
	}
	defer clear(priv)
	return priv.Public().(ed25519.PublicKey), nil
}

// CreateCheckpointKey implements core.CheckpointSigner.
func (Keyring) CreateCheckpointKey(context.Context) (ed25519.PublicKey, error) {
	if _, err := get(checkpointEntry); err == nil {
		return nil, core.Errorf(core.ECONFLICT, "This station already has an audit checkpoint key.")
	} else if !errors.Is(err, keyring.ErrNotFound) {
		return nil, keyringError("read the OS keyring", err)
	}
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	defer clear(priv)
	seed := hex.EncodeToString(priv.Seed())
	if err := set(checkpointEntry, seed); err != nil {
		return nil, keyringError("store the checkpoint key in the OS keyring", err)
	}
	return pub, nil
}

// SignCheckpoint implements core.CheckpointSigner.
func (Keyring) SignCheckpoint(_ context.Context, msg []byte) ([]byte, error) {
	priv, err := checkpointPrivate()
	if err != nil {
		return nil, err
	}
	defer clear(priv)
	return ed25519.Sign(priv, msg), nil
}

// checkpointPrivate reads the key from the keyring; the caller zeroes it.
func checkpointPrivate() (ed25519.PrivateKey, error) {
	s, err := get(checkpointEntry)
	if errors.Is(err, keyring.ErrNotFound) {
		return nil, core.Errorf(core.ENOTFOUND, "This station has no audit checkpoint key; an administrator creates one with `depositctl audit key --create`.")
	} else if err != nil {
		return nil, keyringError("read the OS keyring", err)
	}
	seed, err := hex.DecodeString(s)
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, core.Errorf(core.ECONFLICT, "The audit checkpoint key in this station's keyring is damaged.")
	}
	defer clear(seed)
	return ed25519.NewKeyFromSeed(seed), nil
}
