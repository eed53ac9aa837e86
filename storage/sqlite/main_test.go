package sqlite

import (
	"context"
	"io"
	"os"
	"testing"

	"depositdesk/core"
)

// HoldLeaseEnv makes the test binary a helper process that holds the
// bitcoin/regtest watcher lease on the database the variable names, says
// "held" and keeps it until its stdin closes: another process, for the
// lease tests.
const HoldLeaseEnv = "DEPOSITDESK_TEST_HOLD_WATCHER_LEASE"

func TestMain(m *testing.M) {
	if db := os.Getenv(HoldLeaseEnv); db != "" {
		os.Exit(holdLease(db))
	}
	code := m.Run()
	removeSeeded()
	os.Exit(code)
}

func holdLease(db string) int {
	ctx := context.Background()
	s, err := Open(ctx, db)
	if err != nil {
		return 1
	}
	defer s.Close()
	lease, err := s.TryLockWatcher(ctx, core.Network{Chain: core.ChainBitcoin, Name: "regtest"})
	if err != nil {
		return 2
	}
	defer lease.Release()
	if _, err := os.Stdout.WriteString("held\n"); err != nil {
		return 3
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}
