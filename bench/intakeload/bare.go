package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net"
	"net/http"
	"sync/atomic"
	"time"

	"depositdesk/core"
	"depositdesk/intake"
)

// runBare searches the highest rate of a server that does everything the
// intake does except the desk's work: the same loopback, the same
// generator in the same process, the token compared, each body read and
// decoded, a view of the same shape encoded back with the API's status
// codes; no store, no validation, no audit. Its figure is the baseline of
// the desk's: what this machine and the generator can do at all.
func runBare(o options) error {
	secret := make([]byte, 16)
	if _, err := rand.Read(secret); err != nil {
		return err
	}
	token := hex.EncodeToString(secret)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: bareHandler(token), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		<-served
	}()
	l, err := newLoader(ln.Addr().String(), token, o)
	if err != nil {
		return err
	}
	if len(o.require) > 0 {
		// The required engines ran at the fixed rate: the bare server's
		// latencies at that rate are their baseline.
		l.drive(o, o.rate).printFixed("BenchmarkIntake/side=bare", o.rate)
		time.Sleep(o.settle())
	}
	l.search(o, "bare").print("BenchmarkIntake/side=bare")
	return nil
}

func bareHandler(token string) http.Handler {
	var n atomic.Int64
	auth := "Bearer " + token
	answer := func(w http.ResponseWriter, r *http.Request, status int, v intake.DepositRequestView) {
		if r.Header.Get("Authorization") != auth {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/deposit-requests", func(w http.ResponseWriter, r *http.Request) {
		var b intake.DepositRequest
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		now := time.Now().UTC()
		answer(w, r, http.StatusCreated, intake.DepositRequestView{RecordNo: core.FormatRecordNo(now, n.Add(1)),
			ClientRequestID: r.Header.Get("Idempotency-Key"), CustomerNo: b.CustomerNo, SecuritiesAccount: b.SecuritiesAccount,
			Asset: b.Asset, Network: b.Network, Amount: b.Amount, SourceAddress: b.SourceAddress,
			Status: string(core.StatusVerifying), StatusText: core.StatusVerifying.Display(), RequestedAt: now, CreatedAt: now, UpdatedAt: now})
	})
	mux.HandleFunc("GET /v1/deposit-requests/{recordNo}", func(w http.ResponseWriter, r *http.Request) {
		no := r.PathValue("recordNo")
		if no == "" {
			http.Error(w, "no record number", http.StatusNotFound)
			return
		}
		answer(w, r, http.StatusOK, intake.DepositRequestView{RecordNo: no, Status: string(core.StatusVerifying),
			StatusText: core.StatusVerifying.Display()})
	})
	return mux
}
