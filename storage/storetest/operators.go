package storetest

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runOperators(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("CreatesAndFindsOperatorWithPermissions", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		n, err := s.CountOperators(ctx)
		require.NoError(t, err)
		require.Zero(t, n, "a fresh store has no operators: the first-run wizard starts")
		op := MustCreateOperator(t, s, "alice", core.PermCancel, core.PermDepositRecords)
		require.NotZero(t, op.ID)
		got, err := s.FindOperators(ctx, core.OperatorFilter{Name: &op.Name})
		require.NoError(t, err)
		require.Len(t, got, 1)
		require.Equal(t, op.ID, got[0].ID)
		require.Equal(t, []core.Permission{core.PermCancel, core.PermDepositRecords}, got[0].Permissions)
		require.Equal(t, op.PasswordHash, got[0].PasswordHash)
		require.Equal(t, T0, got[0].CreatedAt)
		require.Equal(t, T0, got[0].PasswordChangedAt)
		require.True(t, got[0].LockedUntil.IsZero())
		require.False(t, got[0].Disabled)
		n, err = s.CountOperators(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, n)
	})
	t.Run("FindsOperatorsOrderedByName", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, name := range []string{"mallory", "bob", "zoe", "alice"} {
			MustCreateOperator(t, s, name)
		}
		got, err := s.FindOperators(ctx, core.OperatorFilter{})
		require.NoError(t, err)
		var names []string
		for _, op := range got {
			names = append(names, op.Name)
		}
		require.Equal(t, []string{"alice", "bob", "mallory", "zoe"}, names)
		byID, err := s.FindOperators(ctx, core.OperatorFilter{ID: &got[2].ID})
		require.NoError(t, err)
		require.Len(t, byID, 1)
		require.Equal(t, "mallory", byID[0].Name)
	})
	t.Run("RefusesDuplicateOperatorNameIgnoringCase", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateOperator(t, s, "bob")
		for _, name := range []string{"bob", "BOB"} {
			op := &core.Operator{Name: name, PasswordHash: "x", CreatedAt: T0, PasswordChangedAt: T0}
			requireCode(t, core.ECONFLICT, s.CreateOperator(ctx, op, audit("operator.create", "operator", name, T0)))
		}
		require.Equal(t, 1, MustVerifyChain(t, s), "a refused insert writes no audit row")
	})
	t.Run("UpdatesOnlyTheGivenFields", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		op := MustCreateOperator(t, s, "carol", core.PermCancel)
		perms := []core.Permission{core.PermAuditView, core.PermRefundApproval}
		later := T0.Add(time.Hour)
		got, err := s.UpdateOperator(ctx, op.ID, core.OperatorUpdate{Permissions: &perms, Disabled: ptr(true), LockedUntil: &later},
			audit("operator.update", "operator", "carol", later))
		require.NoError(t, err)
		require.Equal(t, perms, got.Permissions)
		require.True(t, got.Disabled)
		require.Equal(t, later, got.LockedUntil)
		require.Equal(t, op.PasswordHash, got.PasswordHash, "untouched")

		hash := "$argon2id$v=19$m=65536,t=1,p=4$bmV3c2FsdA$bmV3aGFzaA"
		got, err = s.UpdateOperator(ctx, op.ID, core.OperatorUpdate{PasswordHash: &hash, PasswordChangedAt: &later,
			FailedLogins: ptr(0), LockedUntil: &time.Time{}, Permissions: &[]core.Permission{}}, audit("operator.password", "operator", "carol", later))
		require.NoError(t, err)
		require.Equal(t, hash, got.PasswordHash)
		require.Equal(t, later, got.PasswordChangedAt)
		require.True(t, got.LockedUntil.IsZero(), "a zero time clears the lock")
		require.Empty(t, got.Permissions)
		require.True(t, got.Disabled, "untouched")
		require.Equal(t, 3, MustVerifyChain(t, s))
	})
	t.Run("UpdateOfMissingOperatorIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.UpdateOperator(ctx, 999, core.OperatorUpdate{Disabled: ptr(true)}, audit("operator.update", "operator", "x", T0))
		requireCode(t, core.ENOTFOUND, err)
		require.Zero(t, MustVerifyChain(t, s))
	})
	t.Run("LoginAttemptsLockAtThresholdAndRestartWhenTheLockEnds", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		op := MustCreateOperator(t, s, "dave")
		until := T0.Add(core.LockoutDuration)
		for i := 1; i <= core.MaxFailedLogins; i++ {
			got, err := s.ClaimLoginAttempt(ctx, op.ID, core.MaxFailedLogins, T0, until)
			require.NoError(t, err)
			require.Equal(t, i, got.FailedLogins)
			if i < core.MaxFailedLogins {
				require.True(t, got.LockedUntil.IsZero(), "not locked after %d attempts", i)
			} else {
				require.Equal(t, until, got.LockedUntil, "locked by attempt %d", i)
			}
		}
		_, err := s.ClaimLoginAttempt(ctx, op.ID, core.MaxFailedLogins, until.Add(-time.Second), until)
		requireCode(t, core.ECONFLICT, err)
		got, err := s.ClaimLoginAttempt(ctx, op.ID, core.MaxFailedLogins, until, until.Add(core.LockoutDuration))
		require.NoError(t, err, "the lock has ended")
		require.Equal(t, 1, got.FailedLogins, "and the count starts again")
		require.True(t, got.LockedUntil.IsZero())
		require.Equal(t, 1, MustVerifyChain(t, s), "claims write no audit row; the login's outcome does")
	})
	t.Run("TwentyConcurrentAttemptsGetFive", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		op := MustCreateOperator(t, s, "erin")
		var granted, refused atomic.Int32
		var wg sync.WaitGroup
		for range 20 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.ClaimLoginAttempt(ctx, op.ID, core.MaxFailedLogins, T0, T0.Add(core.LockoutDuration))
				switch core.ErrorCode(err) {
				case "":
					granted.Add(1)
				case core.ECONFLICT:
					refused.Add(1)
				default:
					t.Errorf("claim: %v", err)
				}
			}()
		}
		wg.Wait()
		require.Equal(t, int32(core.MaxFailedLogins), granted.Load())
		require.Equal(t, int32(20-core.MaxFailedLogins), refused.Load())
	})
	t.Run("LoginAttemptOfMissingOperatorIsNotFound", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		_, err := s.ClaimLoginAttempt(ctx, 42, 5, T0, T0)
		requireCode(t, core.ENOTFOUND, err)
	})
}

func ptr[T any](v T) *T { return &v }
