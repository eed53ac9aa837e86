package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"sync"
	"time"

	"depositdesk/core"
)

// readyTimeout bounds a desk's start: login, the page's first search.
const readyTimeout = time.Minute

// phase is what the desks of one run reported.
type phase struct {
	desks   []int
	elapsed time.Duration // from go to stop
	events  []event
}

// process is one running desk.
type process struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	events chan event // closed when its stdout ends
}

// runPhase starts one process per desk, lets them run for d once all are
// ready, stops their loops, keeps their pages open for the drain, and
// collects what they reported. A desk that dies fails the phase.
func runPhase(ctx context.Context, o options, dbURL string, since time.Time, desks []int, d, cancelMin time.Duration) (*phase, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	ph := &phase{desks: desks}
	procs := make([]*process, 0, len(desks))
	defer func() {
		for _, p := range procs {
			if p.cmd.ProcessState == nil {
				_ = p.cmd.Process.Kill()
				_ = p.cmd.Wait()
			}
		}
	}()
	launched := time.Now()
	for _, i := range desks {
		p, err := startDesk(ctx, exe, o, dbURL, since, i, cancelMin)
		if err != nil {
			return nil, err
		}
		procs = append(procs, p)
	}
	var mu sync.Mutex
	collect := func(e event) {
		mu.Lock()
		defer mu.Unlock()
		ph.events = append(ph.events, e)
	}
	deadline := time.After(readyTimeout)
	for _, p := range procs {
		for ready := false; !ready; {
			select {
			case e, ok := <-p.events:
				if !ok {
					return nil, fmt.Errorf("a desk process ended before it was ready: %v", p.cmd.Wait())
				}
				ready = e.Kind == "ready"
				if !ready {
					collect(e)
				}
			case <-deadline:
				return nil, fmt.Errorf("desks not ready after %s", readyTimeout)
			}
		}
	}
	fmt.Printf("desks: %d desk processes ready in %.1f s\n", len(procs), time.Since(launched).Seconds())
	var wg sync.WaitGroup
	for _, p := range procs {
		wg.Go(func() {
			for e := range p.events {
				collect(e)
			}
		})
	}
	start := time.Now()
	if err := tell(procs, "go\n"); err != nil {
		return nil, err
	}
	time.Sleep(d)
	if err := tell(procs, "stop\n"); err != nil {
		return nil, err
	}
	ph.elapsed = time.Since(start)
	time.Sleep(o.drain)
	for _, p := range procs {
		p.stdin.Close()
	}
	wg.Wait()
	var errs []error
	for i, p := range procs {
		if err := p.cmd.Wait(); err != nil {
			errs = append(errs, fmt.Errorf("desk %d: %w", desks[i], err))
		}
	}
	return ph, errors.Join(errs...)
}

func startDesk(ctx context.Context, exe string, o options, dbURL string, since time.Time, i int, cancelMin time.Duration) (*process, error) {
	cmd := exec.CommandContext(ctx, exe, "-desk", strconv.Itoa(i), "-pg", dbURL, "-since", since.Format(time.RFC3339Nano),
		"-think", o.think.String(), "-cancel-every", o.cancelEvery.String(), "-pick", strconv.Itoa(o.pick),
		"-cancel-min", cancelMin.String())
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	p := &process{cmd: cmd, stdin: stdin, events: make(chan event, 64)}
	go func() {
		defer close(p.events)
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 64<<20) // the done line carries every search's time
		for sc.Scan() {
			var e event
			if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
				fmt.Fprintf(os.Stderr, "desk %d: %s\n", i, sc.Text())
				continue
			}
			p.events <- e
		}
	}()
	return p, nil
}

// tell writes line to every desk.
func tell(procs []*process, line string) error {
	for _, p := range procs {
		if _, err := io.WriteString(p.stdin, line); err != nil {
			return fmt.Errorf("a desk process is gone: %w", err)
		}
	}
	return nil
}

// summary is one phase's figures.
type summary struct {
	changes, conflicts   int
	reachP50, reachP95   time.Duration
	reachMax             time.Duration
	pairP50, pairP95     time.Duration // of each change on each page, not the last page's
	searches             int
	searchRate           float64
	searchP50, searchP95 time.Duration
	load                 string
}

// summarize measures the reach of every cancel: from just before the
// cancelling desk called CancelDeposit to the last of the other desks'
// pages showing the record as Cancelled (a desk alone: its own page). A
// record cancelled twice, a cancel never shown on a page, or a desk that
// did not report its searches is an error.
func (ph *phase) summarize() (summary, error) {
	s := summary{load: loadAverage()}
	cancels := map[string][]event{}
	seen := map[string]map[int]int64{}
	done := map[int]bool{}
	var searches []time.Duration
	for _, e := range ph.events {
		switch e.Kind {
		case "cancel":
			cancels[e.Rec] = append(cancels[e.Rec], e)
		case "conflict":
			s.conflicts++
		case "seen":
			if seen[e.Rec] == nil {
				seen[e.Rec] = map[int]int64{}
			}
			seen[e.Rec][e.Desk] = e.At
		case "done":
			done[e.Desk] = true
			for _, ns := range e.Searches {
				searches = append(searches, time.Duration(ns))
			}
		}
	}
	var errs []error
	for _, i := range ph.desks {
		if !done[i] {
			errs = append(errs, fmt.Errorf("desk %d did not report", i))
		}
	}
	var reach, pairs []time.Duration
	for _, rec := range slices.Sorted(maps.Keys(cancels)) {
		cs := cancels[rec]
		if len(cs) > 1 {
			errs = append(errs, fmt.Errorf("record %s cancelled %d times (desks %d and %d)", rec, len(cs), cs[0].Desk, cs[1].Desk))
			continue
		}
		var worst time.Duration
		for _, i := range ph.desks {
			if i == cs[0].Desk && len(ph.desks) > 1 {
				continue
			}
			at, ok := seen[rec][i]
			if !ok {
				errs = append(errs, fmt.Errorf("record %s, cancelled by desk %d, never showed on desk %d's page", rec, cs[0].Desk, i))
				continue
			}
			pairs = append(pairs, time.Duration(at-cs[0].At))
			worst = max(worst, time.Duration(at-cs[0].At))
		}
		reach = append(reach, worst)
	}
	s.changes = len(reach)
	if s.changes == 0 {
		errs = append(errs, errors.New("no record was cancelled"))
	}
	slices.Sort(reach)
	slices.Sort(searches)
	slices.Sort(pairs)
	s.pairP50, s.pairP95 = pct(pairs, .50), pct(pairs, .95)
	s.reachP50, s.reachP95, s.reachMax = pct(reach, .50), pct(reach, .95), pct(reach, 1)
	s.searches = len(searches)
	s.searchRate = float64(len(searches)) / ph.elapsed.Seconds()
	s.searchP50, s.searchP95 = pct(searches, .50), pct(searches, .95)
	return s, errors.Join(errs...)
}

// pct is the p-th quantile of sorted d (nearest rank).
func pct(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	return d[min(len(d)-1, int(float64(len(d))*p))]
}

func (s summary) describe(side string, desks int) {
	fmt.Printf("desks %s (%d): %d changes, reach (the last page) p50 %s p95 %s max %s, (each page) p50 %s p95 %s; %d conflicts; %d searches = %.0f/s, p50 %s p95 %s; load average %s\n",
		side, desks, s.changes, s.reachP50.Round(time.Microsecond), s.reachP95.Round(time.Microsecond), s.reachMax.Round(time.Microsecond),
		s.pairP50.Round(time.Microsecond), s.pairP95.Round(time.Microsecond),
		s.conflicts, s.searches, s.searchRate, s.searchP50.Round(time.Microsecond), s.searchP95.Round(time.Microsecond), s.load)
}

// audited holds every record the desks said they cancelled against the
// database: Cancelled now, and one cancel in its audit trail.
func audited(d *desk, phases ...*phase) error {
	var errs []error
	entity := "deposit"
	for _, ph := range phases {
		for _, e := range ph.events {
			if e.Kind != "cancel" {
				continue
			}
			rows, err := d.svc.AuditTrail(d.admin, core.AuditFilter{Entity: &entity, EntityID: &e.Rec})
			if err != nil {
				return err
			}
			n := 0
			for _, r := range rows {
				if r.Action == "deposit.cancel" {
					n++
				}
			}
			det, err := d.svc.DepositDetail(d.admin, e.Rec)
			if err != nil {
				return err
			}
			if n != 1 || det.Record.Status != core.StatusCancelled {
				errs = append(errs, fmt.Errorf("record %s: %d cancels in its audit trail, status %s", e.Rec, n, det.Record.Status))
			}
		}
	}
	return errors.Join(errs...)
}
