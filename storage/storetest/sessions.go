package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runSessions(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	setup := func(t *testing.T) (core.Store, core.SessionStore, *core.Operator) {
		t.Helper()
		s := newStore(t)
		ss, ok := s.(core.SessionStore)
		require.True(t, ok, "every store keeps sessions")
		return s, ss, MustCreateOperator(t, s, "alice", core.PermDepositRecords)
	}
	session := func(op *core.Operator, secret string, created time.Time, ttl time.Duration) *core.Session {
		sum := sha256.Sum256([]byte(secret))
		return &core.Session{OperatorID: op.ID, TokenHash: hex.EncodeToString(sum[:]), SecurityStamp: op.SecurityStamp,
			CreatedAt: created, ExpiresAt: created.Add(ttl)}
	}

	t.Run("CreatesAndFindsSessionByTokenHashWithItsAuditRow", func(t *testing.T) {
		t.Parallel()
		s, ss, op := setup(t)
		want := session(op, "one", T0, 8*time.Hour)
		require.NoError(t, ss.CreateSession(ctx, want, audit("session.create", "operator", "alice", T0)))
		require.NotZero(t, want.ID)
		got, err := ss.FindSession(ctx, want.TokenHash)
		require.NoError(t, err)
		require.Equal(t, want, got)
		require.Equal(t, 2, MustVerifyChain(t, s))
	})
	t.Run("UnknownTokenHashIsNotFound", func(t *testing.T) {
		t.Parallel()
		_, ss, op := setup(t)
		require.NoError(t, ss.CreateSession(ctx, session(op, "one", T0, time.Hour), audit("session.create", "operator", "alice", T0)))
		_, err := ss.FindSession(ctx, session(op, "two", T0, time.Hour).TokenHash)
		requireCode(t, core.ENOTFOUND, err)
	})
	t.Run("RefusesATokenHashTwice", func(t *testing.T) {
		t.Parallel()
		s, ss, op := setup(t)
		require.NoError(t, ss.CreateSession(ctx, session(op, "one", T0, time.Hour), audit("session.create", "operator", "alice", T0)))
		err := ss.CreateSession(ctx, session(op, "one", T0, time.Hour), audit("session.create", "operator", "alice", T0))
		requireCode(t, core.ECONFLICT, err)
		require.Equal(t, 2, MustVerifyChain(t, s), "the refused session wrote no audit row")
	})
	t.Run("DeletesASessionOnceWithItsAuditRow", func(t *testing.T) {
		t.Parallel()
		s, ss, op := setup(t)
		sess := session(op, "one", T0, time.Hour)
		require.NoError(t, ss.CreateSession(ctx, sess, audit("session.create", "operator", "alice", T0)))
		require.NoError(t, ss.DeleteSession(ctx, sess.ID, audit("session.revoke", "operator", "alice", T0)))
		_, err := ss.FindSession(ctx, sess.TokenHash)
		requireCode(t, core.ENOTFOUND, err)
		requireCode(t, core.ENOTFOUND, ss.DeleteSession(ctx, sess.ID, audit("session.revoke", "operator", "alice", T0)))
		require.Equal(t, 3, MustVerifyChain(t, s), "the second revocation wrote nothing")
	})
	t.Run("ANewSessionClearsExpiredOnes", func(t *testing.T) {
		t.Parallel()
		_, ss, op := setup(t)
		old := session(op, "old", T0, time.Hour)
		live := session(op, "live", T0, 3*time.Hour)
		require.NoError(t, ss.CreateSession(ctx, old, audit("session.create", "operator", "alice", T0)))
		require.NoError(t, ss.CreateSession(ctx, live, audit("session.create", "operator", "alice", T0)))
		require.NoError(t, ss.CreateSession(ctx, session(op, "new", T0.Add(time.Hour), time.Hour), audit("session.create", "operator", "alice", T0.Add(time.Hour))))
		_, err := ss.FindSession(ctx, old.TokenHash)
		requireCode(t, core.ENOTFOUND, err)
		_, err = ss.FindSession(ctx, live.TokenHash)
		require.NoError(t, err, "a session not expired stays")
	})
	t.Run("SecurityStampMovesWithPasswordPermissionsAndDisabledOnly", func(t *testing.T) {
		t.Parallel()
		s, _, op := setup(t)
		stamp := op.SecurityStamp
		update := func(upd core.OperatorUpdate) int64 {
			got, err := s.UpdateOperator(ctx, op.ID, upd, audit("operator.update", "operator", "alice", T0))
			require.NoError(t, err)
			return got.SecurityStamp
		}
		for name, upd := range map[string]core.OperatorUpdate{
			"FailedLogins":     {FailedLogins: ptr(3)},
			"LockedUntil":      {LockedUntil: ptr(T0.Add(time.Hour))},
			"PermissionsSetBy": {PermissionsSetBy: ptr("bob")},
		} {
			require.Equal(t, stamp, update(upd), "%s leaves sessions alone", name)
		}
		_, err := s.ClaimLoginAttempt(ctx, op.ID, core.MaxFailedLogins, T0.Add(2*time.Hour), T0.Add(3*time.Hour))
		require.NoError(t, err)
		got, err := s.FindOperators(ctx, core.OperatorFilter{ID: &op.ID})
		require.NoError(t, err)
		require.Equal(t, stamp, got[0].SecurityStamp, "a login attempt leaves sessions alone")
		for name, upd := range map[string]core.OperatorUpdate{
			"PasswordHash": {PasswordHash: ptr("$argon2id$v=19$m=65536,t=1,p=4$b3RoZXJzYWx0$b3RoZXJoYXNo")},
			"Permissions":  {Permissions: &[]core.Permission{core.PermCancel}},
			"Disabled":     {Disabled: ptr(true)},
			"Enabled":      {Disabled: ptr(false)},
		} {
			next := update(upd)
			require.NotEqual(t, stamp, next, "%s ends sessions", name)
			stamp = next
		}
	})
	t.Run("DatabaseIdentityIsStableAndItsOwn", func(t *testing.T) {
		t.Parallel()
		_, ss, _ := setup(t)
		_, other, _ := setup(t)
		id, err := ss.DatabaseIdentity(ctx)
		require.NoError(t, err)
		require.GreaterOrEqual(t, len(id), 32)
		again, err := ss.DatabaseIdentity(ctx)
		require.NoError(t, err)
		require.Equal(t, id, again)
		otherID, err := other.DatabaseIdentity(ctx)
		require.NoError(t, err)
		require.NotEqual(t, id, otherID)
	})
}
