package ui

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"depositdesk/core"
)

// callTimeout bounds a page's Service call: database work and the node
// calls behind it. Every node has its own, shorter deadline (5 s unless
// nodes.toml says otherwise), so a silent node is named before this ends.
const callTimeout = 30 * time.Second

// longTimeout bounds work that reads the whole audit log: verifying its
// hash chain and exporting it.
const longTimeout = 10 * time.Minute

// working is what a call's message line says until the answer is in.
const working = "Working…"

// calls is what the workers of one desk share.
type calls struct {
	// apply keeps answers from being applied at the same time. fyne.Do
	// runs them one by one on the Fyne thread; Fyne's test driver runs
	// each on the goroutine that got it, and there they could overlap.
	apply sync.Mutex

	// The calls whose answer is not applied yet, so tests can wait for
	// them instead of polling labels. (A sync.WaitGroup may not be waited
	// on while a ticker's call starts from zero.)
	mu      sync.Mutex
	pending int
	waiters []chan struct{}
}

func (c *calls) started() {
	c.mu.Lock()
	c.pending++
	c.mu.Unlock()
}

func (c *calls) finished() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.pending--; c.pending == 0 {
		for _, ch := range c.waiters {
			close(ch)
		}
		c.waiters = nil
	}
}

// settled is closed once no call is in flight.
func (c *calls) settled() <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan struct{})
	if c.pending == 0 {
		close(ch)
	} else {
		c.waiters = append(c.waiters, ch)
	}
	return ch
}

// worker runs the Service calls of a session's pages: never on the Fyne
// thread, which would freeze the window for as long as a database or a
// node takes to answer.
type worker struct {
	ctx   context.Context // the session's: it carries the operator and ends at logout
	calls *calls
	// mu guards held and lines; see calls.apply for why the Fyne thread
	// alone is not enough in tests.
	mu    sync.Mutex
	held  map[fyne.Disableable]int // controls disabled by calls in flight, by how many of them
	lines map[*widget.Label]*busyLine
	// revokedFunc, when set, ends the session: it gets the first answer
	// saying the session's operator has no authority left (disabled,
	// removed), in place of the done of the call that got it.
	revokedFunc func(error)
}

// busyLine is a message line that says "Working…" for calls in flight.
type busyLine struct {
	calls  int
	before string // what it said before the first of them
}

func newWorker(ctx context.Context, c *calls) *worker {
	return &worker{ctx: ctx, calls: c, held: map[fyne.Disableable]int{}, lines: map[*widget.Label]*busyLine{}}
}

// task is one Service call of a page.
type task[T any] struct {
	// call runs off the Fyne thread under the deadline: it must not touch
	// widgets, so whatever it needs from them is read before run.
	call func(ctx context.Context) (T, error)
	// done applies the answer on the Fyne thread. Its error reads well
	// through errorText: a deadline is already a sentence.
	done func(T, error)
	// controls are disabled until the answer is applied: the control that
	// started the call and any that would start it again.
	controls []fyne.Disableable
	// line, when set, says "Working…" until the answer is applied.
	line *widget.Label
	// timeout is callTimeout when zero.
	timeout time.Duration
	// lane, when set, drops this answer if a newer call of the lane
	// started meanwhile.
	lane *lane
}

// lane is one view's reads. Each call started in it supersedes those
// before it, so a slow answer never paints over a newer one.
type lane struct {
	started  atomic.Uint64
	inFlight atomic.Int64
}

// busy says whether a call of the lane is not answered yet.
func (l *lane) busy() bool { return l.inFlight.Load() > 0 }

// drop supersedes the lane's calls in flight without starting one: their
// answers no longer apply (a count of a search that another replaced).
func (l *lane) drop() { l.started.Add(1) }

// run starts t from the Fyne thread and returns at once: t.call runs on
// its own goroutine under the worker's context and t's deadline, and its
// answer comes back through fyne.Do. The deadline holds even for a call
// that does not watch its context (the OS keyring, a file on a stuck USB
// stick): at the deadline the page is answered and its controls freed; the
// call's own late answer is dropped.
func run[T any](w *worker, t task[T]) {
	timeout := cmp.Or(t.timeout, callTimeout)
	held := w.hold(t.controls)
	w.busy(t.line)
	var n uint64
	if t.lane != nil {
		n = t.lane.started.Add(1)
		t.lane.inFlight.Add(1)
	}
	w.calls.started()
	go func() {
		ctx, cancel := context.WithTimeout(w.ctx, timeout)
		v, err := within(ctx, timeout, t.call)
		err = answerError(ctx, err, timeout)
		cancel()
		fyne.Do(func() {
			defer w.calls.finished()
			w.calls.apply.Lock()
			defer w.calls.apply.Unlock()
			w.release(held)
			w.idle(t.line)
			superseded := false
			if t.lane != nil {
				t.lane.inFlight.Add(-1)
				superseded = t.lane.started.Load() != n
			}
			switch {
			case w.revoked(err):
				w.revokedFunc(err)
			case superseded: // the newer call's answer is the one to show
			case t.done != nil:
				t.done(v, err)
			}
		})
	}()
}

// within is call's answer, or context.DeadlineExceeded once timeout passes
// first. Only the deadline cuts a call short: one still running when the
// session ends answers as it answers.
func within[T any](ctx context.Context, timeout time.Duration, call func(context.Context) (T, error)) (T, error) {
	type answer struct {
		v   T
		err error
	}
	got := make(chan answer, 1) // a late answer is left in it, unread
	go func() {
		v, err := call(ctx)
		got <- answer{v, err}
	}()
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	select {
	case a := <-got:
		return a.v, a.err
	case <-deadline.C:
		var zero T
		return zero, context.DeadlineExceeded
	}
}

// revoked says whether err ends the worker's session: the Service no
// longer takes the operator's word. An answer that comes in after the
// session ended (a call still running at logout) ends nothing: another
// operator may be logged in by then.
func (w *worker) revoked(err error) bool {
	return w.revokedFunc != nil && core.ErrorCode(err) == core.EUNAUTHORIZED && w.ctx.Err() == nil
}

// hold disables the enabled controls among cs, and counts the ones that
// calls in flight hold already, so the first answer does not enable a
// control that another call still holds. It returns what it counted.
func (w *worker) hold(cs []fyne.Disableable) []fyne.Disableable {
	var held, disable []fyne.Disableable
	w.mu.Lock()
	for _, c := range cs {
		switch {
		case w.held[c] > 0:
			w.held[c]++
		case !c.Disabled():
			w.held[c] = 1
			disable = append(disable, c)
		default:
			continue // disabled by the page: not the call's to enable
		}
		held = append(held, c)
	}
	w.mu.Unlock()
	for _, c := range disable {
		c.Disable()
	}
	return held
}

// release enables the controls of held that no other call holds.
func (w *worker) release(held []fyne.Disableable) {
	var enable []fyne.Disableable
	w.mu.Lock()
	for _, c := range held {
		if w.held[c]--; w.held[c] == 0 {
			delete(w.held, c)
			enable = append(enable, c)
		}
	}
	w.mu.Unlock()
	for _, c := range enable {
		c.Enable()
	}
}

// busy makes l say "Working…" while calls of it are in flight.
func (w *worker) busy(l *widget.Label) {
	if l == nil {
		return
	}
	w.mu.Lock()
	b := w.lines[l]
	if b == nil {
		b = &busyLine{before: l.Text}
		w.lines[l] = b
	}
	b.calls++
	w.mu.Unlock()
	l.SetText(working)
}

// idle gives l back what it said before, once the last of its calls is
// answered, unless something else was written there meanwhile; the
// answer's done writes after this.
func (w *worker) idle(l *widget.Label) {
	if l == nil {
		return
	}
	w.mu.Lock()
	b := w.lines[l]
	b.calls--
	last := b.calls == 0
	if last {
		delete(w.lines, l)
	}
	w.mu.Unlock()
	if last && l.Text == working {
		l.SetText(b.before)
	}
}

// answerError is err as an operator should read it. A core error keeps
// its message, so a node that timed out is named as the node set says
// ("Node … did not answer in 5s."); the call's own deadline and the end
// of the session reach the call as context errors and become sentences.
func answerError(ctx context.Context, err error, timeout time.Duration) error {
	if err == nil || core.ErrorCode(err) != core.EINTERNAL {
		return err
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded):
		return core.Errorf(core.ECONFLICT, "The desk did not get an answer in %s; try again.", inWords(timeout))
	case errors.Is(err, context.Canceled) || ctx.Err() != nil:
		return core.Errorf(core.ECONFLICT, "The session ended before the desk got an answer.")
	}
	return err
}

// inWords is a deadline as operators read it: "30 s" rather than "30s".
func inWords(d time.Duration) string {
	if d >= time.Second && d%time.Second == 0 {
		return fmt.Sprintf("%d s", d/time.Second)
	}
	return d.String()
}

// later is a call a page starts after a pause: a search once the operator
// stops typing, a reload once a live gap has passed. Until it starts it
// counts as a call in flight, so tests wait for it as for any, and it
// runs one at a time with the answers of calls (see calls.apply).
type later struct {
	timer *time.Timer
}

// after schedules f on the Fyne thread after d unless one is scheduled.
func (l *later) after(w *worker, d time.Duration, f func()) {
	if l.timer != nil {
		return
	}
	w.calls.started()
	l.timer = time.AfterFunc(d, func() {
		fyne.Do(func() {
			defer w.calls.finished()
			w.calls.apply.Lock()
			defer w.calls.apply.Unlock()
			l.timer = nil
			if w.ctx.Err() == nil { // the session is still on
				f()
			}
		})
	})
}

// pending says whether a call is scheduled.
func (l *later) pending() bool { return l.timer != nil }

// stop drops the scheduled call, if it has not started.
func (l *later) stop(w *worker) {
	if l.timer != nil && l.timer.Stop() {
		l.timer = nil
		w.calls.finished()
	}
}

// spaced runs a call at most once per gap: at once when the last one ran
// long enough ago, else once the gap has passed, however often it is
// asked meanwhile (the last change is never lost: the call it makes
// starts after it).
type spaced struct {
	gap   time.Duration
	last  time.Time
	later later
}

func (s *spaced) do(w *worker, f func()) {
	wait := time.Until(s.last.Add(s.gap))
	if wait <= 0 && !s.later.pending() {
		s.last = time.Now()
		f()
		return
	}
	s.later.after(w, max(wait, 0), func() {
		s.last = time.Now()
		f()
	})
}

// every runs f on the Fyne thread every d until the worker's session
// ends, one at a time with the answers of calls (see calls.apply).
func (w *worker) every(d time.Duration, f func()) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-w.ctx.Done():
			return
		case <-t.C:
			fyne.Do(func() {
				w.calls.apply.Lock()
				defer w.calls.apply.Unlock()
				if w.ctx.Err() == nil {
					f()
				}
			})
		}
	}
}
