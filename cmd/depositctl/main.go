// Command depositctl is the headless Deposit Desk: migrations, operators,
// assets, customers and addresses, API clients and the intake API server,
// search, cancel/delete, audit verification and export, seeding.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	// SIGTERM too: a service manager stops `serve` with it, and the server
	// must finish its requests in flight rather than die mid-write.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
