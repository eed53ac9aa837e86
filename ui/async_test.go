package ui

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// settle waits until every Service call of the desk, and every call their
// answers started, is answered and applied: the page then shows what the
// operator would see. It fails the test after 10 s.
func settle(t testing.TB, c *calls) {
	t.Helper()
	select {
	case <-c.settled():
	case <-time.After(10 * time.Second):
		t.Fatal("the desk's calls were not answered in 10 s")
	}
}

// meanwhile runs f as the Fyne thread would while c's calls are in flight:
// no answer is applied until f returns. Fyne's test driver applies answers
// on the goroutines that got them, ordered by calls.apply.
func meanwhile(c *calls, f func()) {
	c.apply.Lock()
	defer c.apply.Unlock()
	f()
}

// asyncBundle is a worker with a control and a message line, as a page has.
type asyncBundle struct {
	calls calls
	w     *worker
	btn   *widget.Button
	line  *widget.Label
}

// setupAsync makes a test app. Tests with one do not run in parallel:
// test.NewTempApp replaces process-wide Fyne state (the current app, the
// storage repositories), which the race detector reports.
func setupAsync(t *testing.T) *asyncBundle {
	t.Helper()
	test.NewTempApp(t)
	b := &asyncBundle{btn: widget.NewButton("Save", nil), line: widget.NewLabel("Ready.")}
	b.w = newWorker(context.Background(), &b.calls)
	return b
}

// answer is what a task's done was given.
type answer struct {
	v    string
	err  error
	seen bool
}

func (a *answer) done(v string, err error) { *a = answer{v: v, err: err, seen: true} }

func TestRunCallsOffTheFyneThreadAndHoldsTheControl(t *testing.T) {
	b := setupAsync(t)
	release := make(chan struct{})
	var got answer
	run(b.w, task[string]{
		controls: []fyne.Disableable{b.btn},
		line:     b.line,
		// The call waits for the test: had run called it itself, run
		// would never return and the test would time out here.
		call: func(ctx context.Context) (string, error) {
			<-release
			return "stored", nil
		},
		done: got.done,
	})
	require.True(t, b.btn.Disabled(), "the control that started the call waits for its answer")
	require.Equal(t, working, b.line.Text)
	require.False(t, got.seen)

	close(release)
	settle(t, &b.calls)
	require.Equal(t, answer{v: "stored", seen: true}, got)
	require.False(t, b.btn.Disabled(), "enabled again once the answer is in")
	require.Equal(t, "Ready.", b.line.Text, "the line says again what it said")
}

func TestRunTurnsItsDeadlineIntoASentence(t *testing.T) {
	b := setupAsync(t)
	var got answer
	run(b.w, task[string]{
		controls: []fyne.Disableable{b.btn},
		line:     b.line,
		timeout:  50 * time.Millisecond,
		call: func(ctx context.Context) (string, error) {
			<-ctx.Done() // a database or node that never answers
			return "", fmt.Errorf("query: %w", ctx.Err())
		},
		done: func(v string, err error) {
			got.done(v, err)
			b.line.SetText(errorText(err))
		},
	})
	settle(t, &b.calls)
	require.Equal(t, "The desk did not get an answer in 50ms; try again.", b.line.Text)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(got.err))
	require.False(t, b.btn.Disabled())
}

// A call that never looks at its context (the OS keyring waiting to be
// unlocked) is answered at the deadline all the same.
func TestRunHoldsItsDeadlineForACallThatIgnoresIt(t *testing.T) {
	b := setupAsync(t)
	stuck := make(chan struct{})
	defer close(stuck)
	var got answer
	run(b.w, task[string]{
		controls: []fyne.Disableable{b.btn},
		line:     b.line,
		timeout:  50 * time.Millisecond,
		call: func(context.Context) (string, error) {
			<-stuck
			return "late", nil
		},
		done: func(v string, err error) {
			got.done(v, err)
			b.line.SetText(errorText(err))
		},
	})
	settle(t, &b.calls)
	require.Equal(t, "The desk did not get an answer in 50ms; try again.", b.line.Text)
	require.Empty(t, got.v, "the late answer is dropped")
	require.False(t, b.btn.Disabled(), "the control is free again")
}

func TestAnswerErrorKeepsCoreMessagesAndNamesDeadlines(t *testing.T) {
	t.Parallel()
	expired, cancel := context.WithTimeout(context.Background(), 0)
	defer cancel()
	ended, end := context.WithCancel(context.Background())
	end()
	nodeSilent := core.Errorf(core.ECONFLICT, "Node bitcoin/regtest did not answer in 5s.")
	disk := errors.New("disk on fire")
	for _, c := range []struct {
		name string
		ctx  context.Context
		err  error
		want string // errorText of the answer; "" for the error unchanged
	}{
		{"CoreErrorKeepsItsMessage", context.Background(), nodeSilent, "Node bitcoin/regtest did not answer in 5s."},
		{"WrappedCoreErrorKeepsItsMessage", expired, fmt.Errorf("cancel: %w", nodeSilent), "Node bitcoin/regtest did not answer in 5s."},
		{"DeadlineIsASentence", expired, context.DeadlineExceeded, "The desk did not get an answer in 30 s; try again."},
		{"WrappedDeadlineIsASentence", context.Background(), fmt.Errorf("query: %w", context.DeadlineExceeded), "The desk did not get an answer in 30 s; try again."},
		{"ExpiredCallIsASentence", expired, disk, "The desk did not get an answer in 30 s; try again."},
		{"EndedSessionIsASentence", ended, context.Canceled, "The session ended before the desk got an answer."},
		{"OtherErrorUnchanged", context.Background(), disk, ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := answerError(c.ctx, c.err, callTimeout)
			if c.want == "" {
				require.Same(t, c.err, got)
				return
			}
			require.Equal(t, c.want, core.ErrorMessage(got))
		})
	}
	require.NoError(t, answerError(expired, nil, callTimeout), "an answer that came in time is an answer")
}

func TestRunAnswersAfterTheSessionEnds(t *testing.T) {
	b := setupAsync(t)
	ctx, end := context.WithCancel(context.Background())
	w := newWorker(ctx, &b.calls)
	var got answer
	run(w, task[string]{
		controls: []fyne.Disableable{b.btn},
		call: func(ctx context.Context) (string, error) {
			<-ctx.Done()
			return "", ctx.Err()
		},
		done: got.done,
	})
	end()
	settle(t, &b.calls)
	require.Equal(t, "The session ended before the desk got an answer.", errorText(got.err))
	require.False(t, b.btn.Disabled())
}

func TestControlHeldByTwoCallsWaitsForBoth(t *testing.T) {
	b := setupAsync(t)
	off := widget.NewButton("Approve", nil)
	off.Disable() // the page's own decision: no call enables it
	first, second := make(chan struct{}), make(chan struct{})
	for _, release := range []chan struct{}{first, second} {
		run(b.w, task[string]{
			controls: []fyne.Disableable{b.btn, off},
			line:     b.line,
			call: func(context.Context) (string, error) {
				<-release
				return "", nil
			},
		})
	}
	close(first)
	require.Eventually(t, func() bool { // the first answer applied
		b.calls.mu.Lock()
		defer b.calls.mu.Unlock()
		return b.calls.pending == 1
	}, 5*time.Second, time.Millisecond)
	require.True(t, b.btn.Disabled(), "the second call still holds it")
	require.Equal(t, working, b.line.Text, "the second call is still working")
	close(second)
	settle(t, &b.calls)
	require.False(t, b.btn.Disabled())
	require.True(t, off.Disabled(), "what the page disabled stays disabled")
	require.Equal(t, "Ready.", b.line.Text)
}

func TestLaneDropsAnAnswerOvertakenByANewerCall(t *testing.T) {
	b := setupAsync(t)
	var reads lane
	older, newer := make(chan struct{}), make(chan struct{})
	var shown []string
	for _, c := range []struct {
		v       string
		release chan struct{}
	}{{"older", older}, {"newer", newer}} {
		run(b.w, task[string]{
			lane: &reads,
			call: func(context.Context) (string, error) {
				<-c.release
				return c.v, nil
			},
			done: func(v string, _ error) { shown = append(shown, v) },
		})
	}
	require.True(t, reads.busy())
	close(newer)
	close(older)
	settle(t, &b.calls)
	require.Equal(t, []string{"newer"}, shown, "the older answer, arriving last, is not shown")
	require.False(t, reads.busy())
}

func TestDeadlinesReadAsOperatorsSayThem(t *testing.T) {
	t.Parallel()
	require.Equal(t, "30 s", inWords(callTimeout))
	require.Equal(t, "600 s", inWords(longTimeout))
	require.Equal(t, "500ms", inWords(500*time.Millisecond))
}

// A session's worker ends the session on the first answer saying its
// operator has lost their authority, whichever call got it; every other
// answer, refusals included, goes to the call's done.
func TestRunEndsTheSessionOnlyWhenTheOperatorIsRevoked(t *testing.T) {
	disabled := core.Errorf(core.EUNAUTHORIZED, "Operator \"clerk\" is disabled.")
	for _, c := range []struct {
		name       string
		err        error
		ended      bool // the session ended before the answer came in
		superseded bool // a newer call of the lane started meanwhile
		revokes    bool
	}{
		{name: "DisabledOperator", err: disabled, revokes: true},
		{name: "WrappedDisabledOperator", err: fmt.Errorf("search: %w", disabled), revokes: true},
		{name: "SupersededAnswerStillRevokes", err: disabled, superseded: true, revokes: true},
		{name: "ForbiddenIsTheCallsToShow", err: core.Errorf(core.EFORBIDDEN, "Operator \"clerk\" may not cancel deposit.")},
		{name: "WrongCurrentPasswordIsTheCallsToShow", err: core.Errorf(core.EINVALID, "The current password is wrong.")},
		{name: "AfterTheSessionEndedEndsNothing", err: disabled, ended: true},
		{name: "Success"},
	} {
		t.Run(c.name, func(t *testing.T) {
			b := setupAsync(t)
			ctx, end := context.WithCancel(context.Background())
			defer end()
			w := newWorker(ctx, &b.calls)
			var revoked []error
			w.revokedFunc = func(err error) { revoked = append(revoked, err) }
			var reads lane
			release := make(chan struct{})
			var got answer
			run(w, task[string]{
				controls: []fyne.Disableable{b.btn},
				line:     b.line,
				lane:     &reads,
				call: func(context.Context) (string, error) {
					<-release
					return "", c.err
				},
				done: got.done,
			})
			if c.superseded {
				reads.started.Add(1) // as a newer read would
			}
			if c.ended {
				end()
			}
			close(release)
			settle(t, &b.calls)
			require.False(t, b.btn.Disabled(), "the control is released either way")
			require.Equal(t, "Ready.", b.line.Text)
			if c.revokes {
				require.Equal(t, []error{c.err}, revoked)
				require.False(t, got.seen, "the answer belongs to the session that ends")
				return
			}
			require.Empty(t, revoked)
			require.Equal(t, !c.superseded, got.seen)
			require.Equal(t, c.err, got.err)
		})
	}
}

func TestRunBeforeLoginShowsEveryRefusal(t *testing.T) {
	b := setupAsync(t) // the front worker's kind: nobody's session to end
	var got answer
	wrong := core.Errorf(core.EUNAUTHORIZED, "Wrong operator name or password.")
	run(b.w, task[string]{
		call: func(context.Context) (string, error) { return "", wrong },
		done: got.done,
	})
	settle(t, &b.calls)
	require.Equal(t, answer{err: wrong, seen: true}, got)
}
