package core_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/mock"
)

// loginBundle is a Service over a mock holding one operator in memory, with
// a clock the test moves.
type loginBundle struct {
	svc      *core.Service
	store    *mock.Store
	op       *core.Operator
	now      time.Time
	attempts int // login attempts the store granted
	audits   []core.AuditEntry
}

func setupLogin(t *testing.T) *loginBundle {
	t.Helper()
	hash, err := core.HashPassword("correct horse battery", cheapArgon2)
	require.NoError(t, err)
	b := &loginBundle{store: strictStore(t), now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC),
		op: &core.Operator{ID: 7, Name: "alice", PasswordHash: hash, Permissions: []core.Permission{core.PermDepositRecords}}}
	b.svc = &core.Service{Store: b.store, Now: func() time.Time { return b.now }, PasswordCost: cheapArgon2}
	b.store.FindOperatorsFunc = func(_ context.Context, f core.OperatorFilter) ([]*core.Operator, error) {
		if f.Name != nil && *f.Name == b.op.Name {
			cp := *b.op
			return []*core.Operator{&cp}, nil
		}
		return nil, nil
	}
	// The store's guarded claim, as both engines implement it.
	b.store.ClaimLoginAttemptFunc = func(_ context.Context, id int64, max int, now, lockUntil time.Time) (*core.Operator, error) {
		require.Equal(t, b.op.ID, id)
		expired := !b.op.LockedUntil.IsZero() && !b.op.LockedUntil.After(now)
		if !expired && (b.op.LockedUntil.After(now) || b.op.FailedLogins >= max) {
			return nil, core.Errorf(core.ECONFLICT, "no attempt left")
		}
		b.attempts++
		if expired {
			b.op.FailedLogins, b.op.LockedUntil = 0, time.Time{}
		}
		b.op.FailedLogins++
		if b.op.FailedLogins >= max {
			b.op.LockedUntil = lockUntil
		}
		cp := *b.op
		return &cp, nil
	}
	b.store.AppendAuditFunc = func(_ context.Context, a core.AuditEntry) error {
		b.audits = append(b.audits, a)
		return nil
	}
	b.store.UpdateOperatorFunc = func(_ context.Context, id int64, upd core.OperatorUpdate, a core.AuditEntry) (*core.Operator, error) {
		if upd.FailedLogins != nil {
			b.op.FailedLogins = *upd.FailedLogins
		}
		if upd.LockedUntil != nil {
			b.op.LockedUntil = *upd.LockedUntil
		}
		b.audits = append(b.audits, a)
		cp := *b.op
		return &cp, nil
	}
	return b
}

func TestLogin(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		b := setupLogin(t)
		op, err := b.svc.Login(ctx, "alice", "correct horse battery")
		require.NoError(t, err)
		require.Equal(t, "alice", op.Name)
		require.Len(t, b.audits, 1)
		require.Equal(t, "operator.login", b.audits[0].Action)
	})
	t.Run("WrongPasswordIsUnauthorizedAndCounted", func(t *testing.T) {
		t.Parallel()
		b := setupLogin(t)
		_, err := b.svc.Login(ctx, "alice", "wrong password!")
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
		require.Equal(t, 1, b.attempts)
		require.Equal(t, "operator.login_failed", b.audits[0].Action)
	})
	t.Run("UnknownNameLooksLikeWrongPassword", func(t *testing.T) {
		t.Parallel()
		b := setupLogin(t)
		_, errUnknown := b.svc.Login(ctx, "mallory", "correct horse battery")
		_, errWrong := b.svc.Login(ctx, "alice", "wrong password!")
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(errUnknown))
		require.Equal(t, core.ErrorMessage(errWrong), core.ErrorMessage(errUnknown), "names cannot be probed")
		require.Equal(t, 1, b.attempts, "only the known operator's attempt is counted")
	})
	t.Run("LocksAfterFiveAttemptsAndSaysNothingMore", func(t *testing.T) {
		t.Parallel()
		b := setupLogin(t)
		var wrong error
		for i := 1; i <= core.MaxFailedLogins; i++ {
			_, wrong = b.svc.Login(ctx, "alice", "wrong password!")
			require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(wrong))
			require.Equal(t, i, b.attempts)
		}
		require.Equal(t, b.now.Add(core.LockoutDuration), b.op.LockedUntil)
		require.Contains(t, b.audits[len(b.audits)-1].After, "locked until")

		_, err := b.svc.Login(ctx, "alice", "correct horse battery")
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "the right password does not open a locked operator")
		require.Equal(t, core.ErrorMessage(wrong), core.ErrorMessage(err), "a locked operator reads like a wrong password")
		require.Equal(t, core.MaxFailedLogins, b.attempts, "a locked attempt is not checked or counted")

		b.now = b.now.Add(core.LockoutDuration + time.Second)
		op, err := b.svc.Login(ctx, "alice", "correct horse battery")
		require.NoError(t, err, "the lock expires")
		require.Zero(t, op.FailedLogins, "a successful login resets the counter")
		require.True(t, op.LockedUntil.IsZero())
	})
	t.Run("FourFailuresDoNotLock", func(t *testing.T) {
		t.Parallel()
		b := setupLogin(t)
		for range core.MaxFailedLogins - 1 {
			_, _ = b.svc.Login(ctx, "alice", "wrong password!")
		}
		require.True(t, b.op.LockedUntil.IsZero())
		op, err := b.svc.Login(ctx, "alice", "correct horse battery")
		require.NoError(t, err)
		require.Zero(t, op.FailedLogins)
	})
	t.Run("DisabledOperatorIsToldOnlyWithTheRightPassword", func(t *testing.T) {
		t.Parallel()
		b := setupLogin(t)
		b.op.Disabled = true
		_, wrong := b.svc.Login(ctx, "alice", "wrong password!")
		_, unknown := b.svc.Login(ctx, "mallory", "wrong password!")
		require.Equal(t, core.ErrorMessage(unknown), core.ErrorMessage(wrong), "a disabled operator reads like any other")
		_, err := b.svc.Login(ctx, "alice", "correct horse battery")
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
		require.Contains(t, core.ErrorMessage(err), "disabled")
	})
}

func TestOperatorAdministration(t *testing.T) {
	t.Parallel()
	ctx := withOperator("root", core.PermOperatorAdmin)
	t.Run("CannotDisableSelf", func(t *testing.T) {
		t.Parallel()
		_, err := newTestService(strictStore(t), time.Now()).SetOperatorDisabled(ctx, "ROOT", true, "oops")
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("CannotDropOwnAdmin", func(t *testing.T) {
		t.Parallel()
		_, err := newTestService(strictStore(t), time.Now()).SetOperatorPermissions(ctx, "root", []core.Permission{core.PermAuditView})
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("DisableNeedsRemarks", func(t *testing.T) {
		t.Parallel()
		_, err := newTestService(strictStore(t), time.Now()).SetOperatorDisabled(ctx, "bob", true, " ")
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("CreateRefusesWeakPasswordAndUnknownPermission", func(t *testing.T) {
		t.Parallel()
		svc := newTestService(strictStore(t), time.Now())
		_, err := svc.CreateOperator(ctx, "bob", "short", nil)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, err = svc.CreateOperator(ctx, "bob", "long enough password", []core.Permission{"Superuser"})
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, err = svc.CreateOperator(ctx, "bob smith", "long enough password", nil)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("BootstrapOnlyOnEmptyDatabase", func(t *testing.T) {
		t.Parallel()
		store := strictStore(t)
		store.CountOperatorsFunc = func(context.Context) (int, error) { return 1, nil }
		_, err := newTestService(store, time.Now()).Bootstrap(context.Background(), "admin", "long enough password")
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	})
}
