package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"depositdesk/core"
	"depositdesk/internal/wire"
	"depositdesk/storage/postgres"
)

// event is one line a desk process writes on its stdout for the parent.
type event struct {
	Kind string `json:"k"` // ready, cancel, conflict, seen, done
	Desk int    `json:"desk"`
	Rec  string `json:"rec,omitempty"`
	At   int64  `json:"at,omitempty"` // Unix ns on the machine's clock, which all processes share
	Code string `json:"code,omitempty"`
	// The done event's: every search's time in ns.
	Searches []int64 `json:"searches,omitempty"`
}

// worker is one desk process: an operator logged in on its own store, its
// Deposit Records page open on the run's cancellations and kept live as the
// desktop keeps it, and the operator's loop of searches and cancels.
type worker struct {
	i     int
	o     options
	svc   *core.Service
	ctx   context.Context // the operator's
	since time.Time

	outMu sync.Mutex
	out   *json.Encoder

	shown    map[string]bool // records the page has shown; only the page's goroutine
	searches []int64         // only the loop's goroutine
}

// runDesk is the -desk process: it logs in, opens its page, says ready,
// runs its loop from the parent's "go" line to its "stop" line, keeps the
// page live until stdin ends, then reports its searches.
func runDesk(o options) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	since, err := time.Parse(time.RFC3339Nano, o.since)
	if err != nil {
		return err
	}
	st, err := postgres.Open(ctx, o.pgURL)
	if err != nil {
		return err
	}
	defer st.Close()
	svc := wire.NewService(st)
	op, err := svc.Login(ctx, deskName(o.desk), deskPassword(o.desk))
	if err != nil {
		return err
	}
	w := &worker{i: o.desk, o: o, svc: svc, ctx: core.NewContextWithOperator(ctx, op), since: since,
		out: json.NewEncoder(os.Stdout), shown: map[string]bool{}}

	// The page's first search, then the listener, as the desktop does on
	// opening Deposit Records; what the first search shows is not news.
	if err := w.reload(false); err != nil {
		return err
	}
	kick := make(chan struct{}, 1)
	heard := make(chan struct{})
	var once sync.Once
	listenErr := make(chan error, 1)
	go func() {
		listenErr <- st.ListenDeposits(ctx, func(string) {
			once.Do(func() { close(heard) })
			select {
			case kick <- struct{}{}:
			default:
			}
		})
	}()
	pageErr := make(chan error, 1)
	go func() { pageErr <- w.live(ctx, kick) }()
	if err := awaitListening(ctx, o.pgURL, heard); err != nil {
		return err
	}
	vals, err := w.values()
	if err != nil {
		return err
	}
	w.emit(event{Kind: "ready"})

	lines := make(chan string)
	go func() {
		defer close(lines)
		in := bufio.NewScanner(os.Stdin)
		for in.Scan() {
			lines <- in.Text()
		}
	}()
	if <-lines != "go" {
		return fmt.Errorf("desk %d: no go from the parent", o.desk)
	}
	stop := make(chan struct{})
	loopErr := make(chan error, 1)
	go func() { loopErr <- w.loop(stop, vals) }()
	// A failing loop ends the process at once: the parent sees it die.
	for stopped := false; !stopped; {
		select {
		case err := <-loopErr:
			return fmt.Errorf("desk %d stopped: %w", o.desk, err)
		case l, ok := <-lines:
			stopped = !ok || l == "stop"
		}
	}
	close(stop)
	if err := <-loopErr; err != nil {
		return err
	}
	// Stdin ends when the parent has given the last changes time to reach.
	for range lines {
	}
	cancel()
	if err := <-pageErr; err != nil {
		return err
	}
	if err := <-listenErr; err != nil {
		return fmt.Errorf("listener: %w", err)
	}
	w.emit(event{Kind: "done", Searches: w.searches})
	return nil
}

func (w *worker) emit(e event) {
	e.Desk = w.i
	w.outMu.Lock()
	defer w.outMu.Unlock()
	_ = w.out.Encode(e)
}

// live reloads the page for every change announced, at most once per
// live gap; changes announced during a reload or a gap join the next
// reload (the desktop's spaced reload and its stale flag).
func (w *worker) live(ctx context.Context, kick <-chan struct{}) error {
	var last time.Time
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-kick:
		}
		if wait := time.Until(last.Add(core.LiveGap)); wait > 0 {
			t := time.NewTimer(wait)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
		last = time.Now()
		if err := w.reload(true); err != nil && ctx.Err() == nil {
			return err
		}
	}
}

// pageFilter is the page: today's cancellations, newest first, the first
// page of 50 (a record cancelled now was created since the run began, so
// it is on that page).
func (w *worker) pageFilter() core.DepositFilter {
	cancelled := core.StatusCancelled
	return core.DepositFilter{Status: &cancelled, CreatedFrom: &w.since}
}

// reload reads the page again, as the desktop's reload in place does, and
// with news says when each record first showed as Cancelled on it.
func (w *worker) reload(news bool) error {
	page, err := w.svc.SearchDeposits(w.ctx, w.pageFilter())
	if err != nil {
		return fmt.Errorf("page reload: %w", err)
	}
	at := time.Now().UnixNano()
	for _, r := range page.Records {
		if r.Status != core.StatusCancelled || w.shown[r.RecordNo] {
			continue
		}
		w.shown[r.RecordNo] = true
		if news {
			w.emit(event{Kind: "seen", Rec: r.RecordNo, At: at})
		}
	}
	return nil
}

// searchValues are values from the desk's records that its searches look
// for, as an operator types what is in front of them.
type searchValues struct {
	records []*core.DepositRecord
}

// values reads the newest records of the seeded history.
func (w *worker) values() (searchValues, error) {
	page, err := w.svc.SearchDeposits(w.ctx, core.DepositFilter{CreatedTo: &w.since, Limit: 200})
	if err != nil {
		return searchValues{}, err
	}
	if len(page.Records) == 0 {
		return searchValues{}, fmt.Errorf("desk %d: no records to search for", w.i)
	}
	return searchValues{records: page.Records}, nil
}

// filter is one of the searches an operator makes on Deposit Records,
// with values of a record they have in front of them.
func (s searchValues) filter(n int) core.DepositFilter {
	r := s.records[rand.IntN(len(s.records))]
	status := []core.DepositStatus{core.StatusVerifying, core.StatusCredited, core.StatusCancelled, core.StatusHeld}[rand.IntN(4)]
	day := r.CreatedAt.UTC().Truncate(24 * time.Hour)
	next := day.Add(24 * time.Hour)
	switch n % 12 {
	case 0:
		return core.DepositFilter{}
	case 1:
		return core.DepositFilter{Status: &status}
	case 2:
		return core.DepositFilter{CustomerNo: &r.CustomerNo}
	case 3:
		p := r.CustomerNo[:len(r.CustomerNo)-1]
		return core.DepositFilter{CustomerNo: &p, Prefix: true}
	case 4:
		p := r.SecuritiesAccount[:len(r.SecuritiesAccount)-1]
		return core.DepositFilter{SecuritiesAccount: &p, Prefix: true}
	case 5:
		p := r.RecordNo[:len(r.RecordNo)-2]
		return core.DepositFilter{RecordNo: &p, Prefix: true}
	case 6:
		return core.DepositFilter{RecordNo: &r.RecordNo}
	case 7:
		return core.DepositFilter{AssetID: &r.AssetID}
	case 8:
		return core.DepositFilter{Status: &status, AssetID: &r.AssetID}
	case 9:
		return core.DepositFilter{CustomerNo: &r.CustomerNo, Status: &status}
	case 10:
		return core.DepositFilter{CreatedFrom: &day, CreatedTo: &next}
	}
	return core.DepositFilter{Order: core.OrderRequested}
}

// loop searches with varied filters, a think time apart, and every
// cancelEvery cancels a record under verification until stop closes.
func (w *worker) loop(stop <-chan struct{}, s searchValues) error {
	nextCancel := time.Now().Add(max(jitter(w.o.cancelEvery), w.o.cancelMin))
	for n := rand.IntN(12); ; n++ {
		select {
		case <-stop:
			return nil
		default:
		}
		f := s.filter(n)
		page, err := w.search(f)
		if err != nil {
			return err
		}
		// Now and then the operator pages on.
		if page.Next != nil && n%5 == 0 {
			f.After = page.Next
			if _, err := w.search(f); err != nil {
				return err
			}
		}
		if time.Now().After(nextCancel) {
			if err := w.cancelOne(); err != nil {
				return err
			}
			nextCancel = time.Now().Add(max(jitter(w.o.cancelEvery), w.o.cancelMin))
		}
		time.Sleep(jitter(w.o.think))
	}
}

// jitter is d ± 50 %, so desks do not act in step.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return 0
	}
	return d/2 + rand.N(d)
}

func (w *worker) search(f core.DepositFilter) (core.DepositPage, error) {
	start := time.Now()
	page, err := w.svc.SearchDeposits(w.ctx, f)
	w.searches = append(w.searches, int64(time.Since(start)))
	if err != nil {
		return page, fmt.Errorf("search: %w", err)
	}
	return page, nil
}

// cancelOne cancels one of the newest records under verification, picked
// among the first few as operators working the same queue do; another
// desk may have cancelled it first (a conflict, which must be a clean
// refusal).
func (w *worker) cancelOne() error {
	verifying := core.StatusVerifying
	page, err := w.search(core.DepositFilter{Status: &verifying, CreatedFrom: &w.since, Limit: w.o.pick})
	if err != nil || len(page.Records) == 0 {
		return err
	}
	rec := page.Records[rand.IntN(len(page.Records))].RecordNo
	at := time.Now().UnixNano()
	_, err = w.svc.CancelDeposit(w.ctx, rec, fmt.Sprintf("Customer withdrew the request (desks benchmark, desk %d).", w.i))
	switch code := core.ErrorCode(err); {
	case err == nil:
		w.emit(event{Kind: "cancel", Rec: rec, At: at})
	case code == core.ECONFLICT || code == core.EINVALID && w.isCancelled(rec):
		// ECONFLICT: the guarded UPDATE found it moved; EINVALID: the
		// read before it already saw it Cancelled.
		w.emit(event{Kind: "conflict", Rec: rec, Code: code})
	default:
		return fmt.Errorf("cancel %s: %w", rec, err)
	}
	return nil
}

// isCancelled says whether rec is Cancelled now: the one reason a cancel
// may be refused as invalid here.
func (w *worker) isCancelled(rec string) bool {
	page, err := w.svc.SearchDeposits(w.ctx, core.DepositFilter{RecordNo: &rec})
	return err == nil && len(page.Records) == 1 && page.Records[0].Status == core.StatusCancelled
}

// awaitListening returns once the desk's listener hears: it announces "*"
// (any record) until the listener passes one on, so no change made after
// the desk says it is ready can come before its LISTEN. Other desks
// reload once for it, before the run.
func awaitListening(ctx context.Context, dbURL string, heard <-chan struct{}) error {
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	deadline := time.After(readyTimeout)
	for {
		if _, err := conn.Exec(ctx, `SELECT pg_notify($1, '*')`, postgres.DepositChannel); err != nil {
			return err
		}
		select {
		case <-heard:
			return nil
		case <-deadline:
			return errors.New("the listener heard nothing")
		case <-time.After(50 * time.Millisecond):
		}
	}
}
