package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/jackc/pgx/v5"

	"depositdesk/core"
	"depositdesk/intake"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/seed"
	"depositdesk/internal/testkeys"
	"depositdesk/internal/wire"
	"depositdesk/storage/postgres"
)

// The intake's customer and asset: BTC on regtest with an account key, so
// every application gets a derived deposit address as in production.
const (
	intakeCustomer = "C10001"
	intakeAccount  = "SA-20001"
	intakeSource   = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	intakeSymbol   = "BTC"
	intakeNetwork  = "regtest"
)

// deskName and deskPassword are desk i's operator (1-based).
func deskName(i int) string     { return fmt.Sprintf("desk%d", i) }
func deskPassword(i int) string { return fmt.Sprintf("desks-bench-password-%d", i) }

// database is the benchmark's own database on the server at serverURL
// (a throwaway server when serverURL is empty), and the function that
// drops it and stops what was started.
func database(ctx context.Context, serverURL string) (dbURL string, drop func(), err error) {
	stop := func() {}
	if serverURL == "" {
		if serverURL, stop, err = pgtest.StartServer(); err != nil {
			return "", nil, err
		}
	}
	name := fmt.Sprintf("desks_%d_%d", os.Getpid(), time.Now().UnixNano())
	if err := adminExec(ctx, serverURL, "CREATE DATABASE "+name); err != nil {
		stop()
		return "", nil, err
	}
	u, err := url.Parse(serverURL)
	if err != nil {
		stop()
		return "", nil, err
	}
	u.Path = "/" + name
	return u.String(), func() {
		dctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := adminExec(dctx, serverURL, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			fmt.Fprintln(os.Stderr, "desks: drop database:", err)
		}
		stop()
	}, nil
}

func adminExec(ctx context.Context, serverURL, stmt string) error {
	conn, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return fmt.Errorf("connect to the Postgres server: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, stmt); err != nil {
		return fmt.Errorf("%s: %w", stmt, err)
	}
	return nil
}

// desk is the shared database as the parent set it up: its service (the
// store opened, hence migrated) and administrator.
type desk struct {
	store *postgres.Store
	svc   *core.Service
	admin context.Context
	token string // the intake client's
}

// setUp migrates the database and fills it as a desk in use: a seeded
// history (assets, customers, records of every status), the intake's asset
// and customer, an intake client, one operator per desk with Deposit
// Records and Cancel, and pool applications under verification made since
// `since` for the desks to cancel before the intake has sent any.
func setUp(ctx context.Context, dbURL string, o options) (*desk, time.Time, error) {
	st, err := postgres.Open(ctx, dbURL)
	if err != nil {
		return nil, time.Time{}, err
	}
	d := &desk{store: st, svc: wire.NewService(st)}
	// Logins are not what is measured: cheap password hashes keep seven
	// of them (and the desks' own) from costing seconds of a short run.
	d.svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	fail := func(err error) (*desk, time.Time, error) {
		st.Close()
		return nil, time.Time{}, err
	}
	op, err := d.svc.Bootstrap(ctx, "admin", "desks-bench-admin-password")
	if err != nil {
		return fail(err)
	}
	d.admin = core.NewContextWithOperator(ctx, op)
	if _, err := seed.Run(d.admin, d.svc, seed.Options{Records: o.records, Seed: 1}); err != nil {
		return fail(fmt.Errorf("seed: %w", err))
	}
	xpub, err := testkeys.AccountXPub("deposit desk desks benchmark seed", 84, 1, &chaincfg.RegressionNetParams)
	if err != nil {
		return fail(err)
	}
	if err := d.svc.CreateAsset(d.admin, &core.Asset{Chain: core.ChainBitcoin, Network: intakeNetwork, Symbol: intakeSymbol,
		Decimals: 8, MinDeposit: big.NewInt(10_000), ConfirmationsRequired: 3, Enabled: true, AccountXPub: xpub}); err != nil {
		return fail(err)
	}
	if err := d.svc.CreateCustomer(d.admin, &core.Customer{CustomerNo: intakeCustomer, SecuritiesAccount: intakeAccount, Name: "Desks Bench"}); err != nil {
		return fail(err)
	}
	if _, d.token, err = d.svc.CreateAPIClient(d.admin, "desks-bench", []core.Scope{core.ScopeIntake}); err != nil {
		return fail(err)
	}
	for i := 1; i <= o.desks; i++ {
		if _, err := d.svc.CreateOperator(d.admin, deskName(i), deskPassword(i),
			[]core.Permission{core.PermDepositRecords, core.PermCancel}); err != nil {
			return fail(err)
		}
	}
	// The records in the pool are newer than anything seeded: the seed's
	// history ends at the start of today.
	since := time.Now().UTC().Truncate(time.Millisecond)
	for i := range o.pool {
		if _, _, err := d.svc.SubmitApplication(d.admin, application(fmt.Sprintf("pool-%d", i), core.ChannelPhone)); err != nil {
			return fail(fmt.Errorf("pool application: %w", err))
		}
	}
	return d, since, nil
}

// application is one new deposit request for the intake's customer.
func application(key string, ch core.ApplicationChannel) core.DepositApplication {
	return core.DepositApplication{Channel: ch, ClientRequestKey: key, CustomerNo: intakeCustomer, SecuritiesAccount: intakeAccount,
		AssetSymbol: intakeSymbol, Network: intakeNetwork, Amount: amount(), SourceAddress: intakeSource}
}

func amount() string { return "0." + strconv.Itoa(1_000_000+rand.IntN(8_999_999)) }

// feeder is the intake API on a loopback port, sent new applications at a
// steady rate, open loop, from a few connections.
type feeder struct {
	base, token  string
	client       *http.Client
	sent, failed atomic.Int64
	errMu        sync.Mutex
	lastErr      string
	elapsed      time.Duration // how long feed ran
}

// startIntake serves the intake API until ctx ends; served says when it
// has stopped.
func startIntake(ctx context.Context, d *desk) (base string, served <-chan error, err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	api := intake.New(intake.Config{Service: d.svc, RatePerSecond: 1e6, Burst: 1e6})
	done := make(chan error, 1)
	go func() { done <- api.Serve(ctx, ln) }()
	return "http://" + ln.Addr().String(), done, nil
}

// feed posts rate applications a second until ctx ends; each is due at
// start + i/rate, whether or not earlier ones returned.
func (f *feeder) feed(ctx context.Context, rate, conns int) {
	due := make(chan struct{}, rate)
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			for range due {
				f.post()
			}
		})
	}
	start, interval := time.Now(), time.Second/time.Duration(rate)
	defer func() { f.elapsed = time.Since(start) }()
	for i := 0; ctx.Err() == nil; i++ {
		t := time.NewTimer(time.Until(start.Add(time.Duration(i) * interval)))
		select {
		case <-ctx.Done():
		case <-t.C:
			// A second behind, this waits: the rate is not held, and the
			// count sent says so.
			select {
			case due <- struct{}{}:
			case <-ctx.Done():
			}
		}
		t.Stop()
	}
	close(due)
	wg.Wait()
}

func (f *feeder) post() {
	n := f.sent.Add(1)
	body, _ := json.Marshal(map[string]string{"customer_no": intakeCustomer, "securities_account": intakeAccount, "asset": intakeSymbol,
		"network": intakeNetwork, "amount": amount(), "source_address": intakeSource})
	req, _ := http.NewRequest(http.MethodPost, f.base+"/v1/deposit-requests", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", "desks-"+strconv.FormatInt(n, 10))
	req.Header.Set("Authorization", "Bearer "+f.token)
	res, err := f.client.Do(req)
	if err == nil {
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 300 {
			err = errors.New(res.Status + " " + string(raw))
		}
	}
	if err != nil {
		f.failed.Add(1)
		f.errMu.Lock()
		f.lastErr = err.Error()
		f.errMu.Unlock()
	}
}
