package main

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// ms0 is a time on the shared clock, in ns, a number of ms after zero.
func ms0(n int64) int64 { return n * int64(time.Millisecond) }

func done(desk int, searches ...int64) event {
	return event{Kind: "done", Desk: desk, Searches: searches}
}

func TestSummarize(t *testing.T) {
	t.Parallel()
	t.Run("ReachIsTheLastOtherDesk", func(t *testing.T) {
		t.Parallel()
		ph := &phase{desks: []int{1, 2, 3}, elapsed: 2 * time.Second, events: []event{
			{Kind: "cancel", Desk: 1, Rec: "R1", At: ms0(100)},
			{Kind: "seen", Desk: 1, Rec: "R1", At: ms0(101)}, // its own page: not counted
			{Kind: "seen", Desk: 2, Rec: "R1", At: ms0(300)},
			{Kind: "seen", Desk: 3, Rec: "R1", At: ms0(900)},
			{Kind: "conflict", Desk: 2, Rec: "R1", Code: "conflict"},
			done(1, ms0(1), ms0(3)), done(2, ms0(2)), done(3),
		}}
		s, err := ph.summarize()
		require.NoError(t, err)
		require.Equal(t, 1, s.changes)
		require.Equal(t, 800*time.Millisecond, s.reachP95)
		require.Equal(t, 1, s.conflicts)
		require.Equal(t, 3, s.searches)
		require.InDelta(t, 1.5, s.searchRate, 1e-9)
		require.Equal(t, 3*time.Millisecond, s.searchP95)
	})
	t.Run("AloneReachesItsOwnPage", func(t *testing.T) {
		t.Parallel()
		ph := &phase{desks: []int{1}, elapsed: time.Second, events: []event{
			{Kind: "cancel", Desk: 1, Rec: "R1", At: ms0(100)},
			{Kind: "seen", Desk: 1, Rec: "R1", At: ms0(106)},
			done(1, ms0(1)),
		}}
		s, err := ph.summarize()
		require.NoError(t, err)
		require.Equal(t, 6*time.Millisecond, s.reachP50)
	})
	t.Run("ErrNeverReached", func(t *testing.T) {
		t.Parallel()
		ph := &phase{desks: []int{1, 2, 3}, elapsed: time.Second, events: []event{
			{Kind: "cancel", Desk: 1, Rec: "R1", At: ms0(100)},
			{Kind: "seen", Desk: 2, Rec: "R1", At: ms0(300)},
			done(1), done(2), done(3),
		}}
		_, err := ph.summarize()
		require.ErrorContains(t, err, "never showed on desk 3's page")
	})
	t.Run("ErrCancelledTwice", func(t *testing.T) {
		t.Parallel()
		ph := &phase{desks: []int{1, 2}, elapsed: time.Second, events: []event{
			{Kind: "cancel", Desk: 1, Rec: "R1", At: ms0(100)},
			{Kind: "cancel", Desk: 2, Rec: "R1", At: ms0(101)},
			{Kind: "seen", Desk: 1, Rec: "R1", At: ms0(300)},
			{Kind: "seen", Desk: 2, Rec: "R1", At: ms0(300)},
			done(1), done(2),
		}}
		_, err := ph.summarize()
		require.ErrorContains(t, err, "cancelled 2 times")
	})
	t.Run("ErrDeskDidNotReport", func(t *testing.T) {
		t.Parallel()
		ph := &phase{desks: []int{1, 2}, elapsed: time.Second, events: []event{
			{Kind: "cancel", Desk: 1, Rec: "R1", At: ms0(100)},
			{Kind: "seen", Desk: 2, Rec: "R1", At: ms0(300)},
			done(1),
		}}
		_, err := ph.summarize()
		require.ErrorContains(t, err, "desk 2 did not report")
	})
	t.Run("ErrNoChange", func(t *testing.T) {
		t.Parallel()
		ph := &phase{desks: []int{1}, elapsed: time.Second, events: []event{done(1)}}
		_, err := ph.summarize()
		require.ErrorContains(t, err, "no record was cancelled")
	})
}
