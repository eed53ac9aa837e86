package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/mock"
)

// markedStore is a mock with a change mark the test moves.
type markedStore struct {
	*mock.Store
	mark string
	ok   bool
}

func (s *markedStore) ChangeMark() (string, bool) { return s.mark, s.ok }

// The operator is read once per change mark, and again as soon as the
// mark moves: the disable committed meanwhile is seen at the next call.
// Without a mark to rely on, every call reads.
func TestOperatorIsReadAgainOnceTheStoresChangeMarkMoves(t *testing.T) {
	clerk := &core.Operator{ID: 7, Name: "clerk", Permissions: []core.Permission{core.PermDepositRecords}}
	stored := *clerk
	reads := 0
	st := &markedStore{Store: strictStore(t), mark: "m1", ok: true}
	st.FindOperatorsFunc = func(_ context.Context, f core.OperatorFilter) ([]*core.Operator, error) {
		reads++
		cp := stored
		return []*core.Operator{&cp}, nil
	}
	st.CountDepositsFunc = func(context.Context, core.DepositFilter, int) (int, bool, error) { return 0, false, nil }
	svc := newTestService(st, time.Now())
	ctx := core.NewContextWithOperator(context.Background(), clerk)
	count := func() error { _, err := svc.CountDeposits(ctx, core.DepositFilter{}); return err }

	for range 3 {
		require.NoError(t, count())
	}
	require.Equal(t, 1, reads, "one read while the mark stands")

	stored.Disabled = true
	require.NoError(t, count(), "nothing committed as far as the mark tells")
	st.mark = "m2"
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(count()))
	require.Equal(t, 2, reads)

	stored.Disabled, st.mark = false, "m3"
	require.NoError(t, count())
	st.ok = false
	require.NoError(t, count())
	require.NoError(t, count())
	require.Equal(t, 5, reads, "no mark: a read per call")
}
