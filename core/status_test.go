package core_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestDepositStatusDisplay(t *testing.T) {
	t.Parallel()
	want := map[core.DepositStatus]string{
		core.StatusVerifying:  "Wallet Address Under Verification",
		core.StatusConfirming: "Confirming",
		core.StatusHeld:       "Held for Review",
		core.StatusCredited:   "Credited",
		core.StatusRefunding:  "Refunding",
		core.StatusRefunded:   "Refunded",
		core.StatusCancelled:  "Cancelled",
		core.StatusDeleted:    "Deleted",
		core.StatusRejected:   "Rejected",
	}
	require.Len(t, core.AllDepositStatuses(), len(want))
	for _, st := range core.AllDepositStatuses() {
		require.True(t, st.Valid(), st)
		require.Equal(t, want[st], st.Display())
	}
	require.False(t, core.DepositStatus("pending").Valid())
	require.Equal(t, "pending", core.DepositStatus("pending").Display(), "an unknown status shows its raw value")
}

func TestParseDepositStatus(t *testing.T) {
	t.Parallel()
	for _, st := range core.AllDepositStatuses() {
		for _, in := range []string{
			string(st), strings.ToUpper(string(st)), st.Display(),
			strings.ToLower(st.Display()), strings.ToUpper(st.Display()), "  " + st.Display() + "\t",
		} {
			got, err := core.ParseDepositStatus(in)
			require.NoError(t, err, in)
			require.Equal(t, st, got, in)
		}
	}
	t.Run("AcceptsGuideTextInAnyCase", func(t *testing.T) {
		t.Parallel()
		got, err := core.ParseDepositStatus("Wallet address under verification")
		require.NoError(t, err)
		require.Equal(t, core.StatusVerifying, got)
	})
	for _, in := range []string{"", "pending", "Credit", "credited!", "held for", "Wallet Address"} {
		t.Run("Rejects"+in, func(t *testing.T) {
			t.Parallel()
			_, err := core.ParseDepositStatus(in)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
		})
	}
}

func TestCheckTransition(t *testing.T) {
	t.Parallel()
	// The state machine of DESIGN.md, written out independently of
	// core.Transitions so a change to the table must change this test too.
	allowed := map[[2]core.DepositStatus]bool{
		{core.StatusVerifying, core.StatusConfirming}: true,
		{core.StatusVerifying, core.StatusCancelled}:  true,
		{core.StatusVerifying, core.StatusDeleted}:    true,
		{core.StatusVerifying, core.StatusHeld}:       true,
		{core.StatusConfirming, core.StatusHeld}:      true,
		{core.StatusHeld, core.StatusConfirming}:      true,
		{core.StatusHeld, core.StatusRejected}:        true,
		{core.StatusConfirming, core.StatusCredited}:  true,
		{core.StatusConfirming, core.StatusVerifying}: true,
		{core.StatusCredited, core.StatusRefunding}:   true,
		{core.StatusRefunding, core.StatusCredited}:   true,
		{core.StatusRefunding, core.StatusRefunded}:   true,
	}
	require.Len(t, core.Transitions, len(allowed))
	for _, from := range core.AllDepositStatuses() {
		for _, to := range core.AllDepositStatuses() {
			err := core.CheckTransition(from, to)
			ok := allowed[[2]core.DepositStatus{from, to}]
			require.Equal(t, ok, core.CanTransition(from, to), "%s → %s", from, to)
			if ok {
				require.NoError(t, err, "%s → %s", from, to)
				continue
			}
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%s → %s", from, to)
			require.Contains(t, core.ErrorMessage(err), from.Display())
			require.Contains(t, core.ErrorMessage(err), to.Display())
		}
	}
	t.Run("FinalStatusesHaveNoWayOut", func(t *testing.T) {
		t.Parallel()
		for _, from := range []core.DepositStatus{core.StatusRefunded, core.StatusCancelled, core.StatusDeleted, core.StatusRejected} {
			for _, to := range core.AllDepositStatuses() {
				require.False(t, core.CanTransition(from, to), "%s → %s", from, to)
			}
		}
	})
	t.Run("RejectsUnknownStatus", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, core.EINVALID, core.ErrorCode(core.CheckTransition("bogus", core.StatusConfirming)))
		require.Equal(t, core.EINVALID, core.ErrorCode(core.CheckTransition(core.StatusVerifying, "")))
	})
}
