package watcher_test

import (
	"os"
	"testing"
)

func TestMain(m *testing.M) {
	// The test binary doubles as a refund driver for the crash test (a
	// process of its own that the test kills, refundcrash_test.go) and as
	// the signing station (a process with no network, refundstation_test.go).
	switch {
	case os.Getenv(asRefundDriver) != "":
		os.Exit(driveRefund())
	case os.Getenv(asStation) != "":
		os.Exit(signAsStation())
	}
	os.Exit(m.Run())
}
