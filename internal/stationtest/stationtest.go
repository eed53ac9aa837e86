// Package stationtest gives tests what a signing station's refund needs
// besides its signing key (decision 41): operators' approval keys held in
// memory, where a test has no OS keyring, and a station.toml beside the
// trust list the desk exported.
package stationtest

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"depositdesk/core"
)

// OperatorKeys implements core.OperatorKeys in memory: an operator's key is
// made at their first login, as the OS keyring's is, from their name, so
// what a test shows of it (fingerprints in a golden or a screenshot) stays
// the same from run to run. The real keyring is tested in core/signer and
// end to end in cmd/depositctl.
type OperatorKeys struct {
	mu   sync.Mutex
	keys map[string]ed25519.PrivateKey
}

var _ core.OperatorKeys = (*OperatorKeys)(nil)

// OperatorKey implements core.OperatorKeys.
func (m *OperatorKeys) OperatorKey(_ context.Context, op string) (ed25519.PublicKey, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys == nil {
		m.keys = map[string]ed25519.PrivateKey{}
	}
	if m.keys[op] == nil {
		seed := sha256.Sum256([]byte("stationtest approval key of " + op))
		m.keys[op] = ed25519.NewKeyFromSeed(seed[:])
	}
	return m.keys[op].Public().(ed25519.PublicKey), nil
}

// SignApproval implements core.OperatorKeys.
func (m *OperatorKeys) SignApproval(_ context.Context, op string, msg []byte) (ed25519.PublicKey, []byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.keys[op] == nil {
		return nil, nil, core.Errorf(core.ENOTFOUND, "No approval key of %s here.", op)
	}
	return m.keys[op].Public().(ed25519.PublicKey), ed25519.Sign(m.keys[op], msg), nil
}

// Write writes a station's folder: station.toml with limits, naming
// operators.json, which holds trusted as the desk exports it
// (core.Service.ExportOperatorKeys). It returns station.toml's path.
func Write(tb testing.TB, limits string, trusted []*core.OperatorKey) string {
	tb.Helper()
	b, err := json.Marshal(trusted)
	if err != nil {
		tb.Fatal(err)
	}
	dir := tb.TempDir()
	path := filepath.Join(dir, "station.toml")
	for name, data := range map[string][]byte{
		"operators.json": b,
		"station.toml":   []byte("trusted_operators = 'operators.json'\n" + limits),
	} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			tb.Fatal(err)
		}
	}
	return path
}
