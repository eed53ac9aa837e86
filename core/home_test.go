package core_test

import (
	"context"
	"math/big"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// queueStore answers every count with n, and records what was counted.
func queueStore(t *testing.T, n int64, asked *[]string) core.Store {
	s := strictStore(t)
	s.CountDepositsInStatusFunc = func(_ context.Context, st core.DepositStatus, limit int) (int64, error) {
		require.Equal(t, core.QueueCap+1, limit)
		*asked = append(*asked, "deposits "+string(st))
		return n, nil
	}
	s.CountWalletAddressesFunc = func(_ context.Context, st core.AddressStatus, limit int) (int64, error) {
		*asked = append(*asked, "addresses "+string(st))
		return n, nil
	}
	s.CountManualVerificationsFunc = func(context.Context, int) (int64, error) {
		*asked = append(*asked, "evidence")
		return n, nil
	}
	s.CountRefundsFunc = func(_ context.Context, st core.RefundStatus, unnotified bool, _ int) (int64, error) {
		what := "refunds " + string(st)
		if unnotified {
			what += " unnotified"
		}
		*asked = append(*asked, what)
		return n, nil
	}
	return s
}

func TestWorkQueuesShowOnlyWhatTheOperatorMayWork(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name  string
		perms []core.Permission
		want  []core.Queue
		asked []string
	}{
		{"DepositRecordsOnly", []core.Permission{core.PermDepositRecords}, []core.Queue{core.QueueHeld}, []string{"deposits held_for_review"}},
		{"RefundApproval", []core.Permission{core.PermRefundApproval}, []core.Queue{core.QueueRefundsRequested},
			[]string{"refunds requested"}},
		{"AddressVerification", []core.Permission{core.PermAddressVerification}, []core.Queue{core.QueueAddressesPending, core.QueueEvidence},
			[]string{"addresses pending", "evidence"}},
		{"Refund", []core.Permission{core.PermRefund}, []core.Queue{core.QueueHeld, core.QueueRefundsApproved, core.QueueRefundsUnnotified},
			[]string{"deposits held_for_review", "refunds approved", "refunds confirmed unnotified"}},
		{"OperatorAdminOnly", []core.Permission{core.PermOperatorAdmin}, nil, nil},
		{"Everything", core.AllPermissions(), core.Queues(), []string{"addresses pending", "evidence", "deposits held_for_review",
			"refunds requested", "refunds approved", "refunds confirmed unnotified"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var asked []string
			svc := newTestService(queueStore(t, 7, &asked), time.Now())
			got, err := svc.WorkQueues(withOperator("olga", c.perms...))
			require.NoError(t, err)
			var queues []core.Queue
			for _, q := range got {
				queues = append(queues, q.Queue)
				require.EqualValues(t, 7, q.N)
				require.False(t, q.More)
			}
			require.Equal(t, c.want, queues)
			require.Equal(t, c.asked, asked, "no queue the operator may not see is counted")
		})
	}
}

func TestWorkQueuesSayMoreBeyondTheCap(t *testing.T) {
	t.Parallel()
	var asked []string
	svc := newTestService(queueStore(t, core.QueueCap+1, &asked), time.Now())
	got, err := svc.WorkQueues(withOperator("olga", core.PermDepositRecords))
	require.NoError(t, err)
	require.Equal(t, []core.QueueCount{{Queue: core.QueueHeld, N: core.QueueCap, More: true}}, got)

	_, err = svc.WorkQueues(context.Background())
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
}

func TestDepositStatsCoverTheLastThirtyUTCDaysWithTheAssetsNames(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 23, 30, 0, 0, time.FixedZone("JST", 9*3600)) // 14:30 UTC
	s := strictStore(t)
	s.DepositStatsFunc = func(_ context.Context, from, to time.Time) (*core.DepositStats, error) {
		require.Equal(t, time.Date(2026, 11, 3, 0, 0, 0, 0, time.UTC), from)
		require.Equal(t, time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC), to)
		return &core.DepositStats{From: from, To: to, Days: []core.DepositDay{{Day: from, AssetID: 2, Records: 1, Credited: big.NewInt(5)}}}, nil
	}
	s.FindAssetsFunc = func(context.Context, core.AssetFilter) ([]*core.Asset, error) {
		return []*core.Asset{{ID: 1, Symbol: "BTC", Decimals: 8}, {ID: 2, Symbol: "ETH", Network: "dev", Decimals: 18}}, nil
	}
	svc := newTestService(s, now)
	st, err := svc.DepositStats(withOperator("olga", core.PermDepositRecords))
	require.NoError(t, err)
	require.Equal(t, "ETH", st.Days[0].Symbol)
	require.Equal(t, 18, st.Days[0].Decimals)

	_, err = newTestService(strictStore(t), now).DepositStats(withOperator("olga", core.PermOperatorAdmin))
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "the store is not asked")
}
