package watcher_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// The test binary doubles as a refund driver for the crash test: a
	// process of its own that the test kills (see refundcrash_test.go).
	if os.Getenv(asRefundDriver) != "" {
		os.Exit(driveRefund())
	}
	os.Exit(m.Run())
}
