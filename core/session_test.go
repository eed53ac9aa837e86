package core_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestSessionCheck(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	op := &core.Operator{ID: 7, Name: "clerk", SecurityStamp: 3}
	sess := core.Session{ID: 1, OperatorID: 7, SecurityStamp: 3, CreatedAt: t0, ExpiresAt: t0.Add(8 * time.Hour)}
	for _, tc := range []struct {
		name   string
		op     func(core.Operator) *core.Operator
		sess   func(core.Session) core.Session
		now    time.Time
		reason string // "" when the session stands
	}{
		{name: "OK", now: t0.Add(time.Hour)},
		{name: "OKJustBeforeExpiry", now: t0.Add(8*time.Hour - time.Microsecond)},
		{name: "ErrExpiredAtItsExpiry", now: t0.Add(8 * time.Hour), reason: "expired at 2026-12-02T17:00:00Z"},
		{name: "ErrOperatorDisabled", now: t0, op: func(o core.Operator) *core.Operator { o.Disabled = true; o.SecurityStamp++; return &o }, reason: "disabled"},
		{name: "ErrStampMoved", now: t0, op: func(o core.Operator) *core.Operator { o.SecurityStamp++; return &o }, reason: "changed since"},
		{name: "ErrOperatorGone", now: t0, op: func(core.Operator) *core.Operator { return nil }, reason: "no longer exists"},
		{name: "ErrAnotherOperator", now: t0, op: func(o core.Operator) *core.Operator { o.ID = 8; return &o }, reason: "no longer exists"},
		{name: "ErrLongerThanTheMaximum", now: t0, sess: func(s core.Session) core.Session {
			s.ExpiresAt = s.CreatedAt.Add(core.MaxSessionTTL + time.Second)
			return s
		}, reason: "not ones the desk makes"},
		{name: "ErrMadeInTheFuture", now: t0, sess: func(s core.Session) core.Session { s.CreatedAt = t0.Add(time.Hour); return s }, reason: "not ones the desk makes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			o, s := op, sess
			if tc.op != nil {
				o = tc.op(*op)
			}
			if tc.sess != nil {
				s = tc.sess(sess)
			}
			err := s.Check(o, tc.now)
			if tc.reason == "" {
				require.NoError(t, err)
				return
			}
			require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
			require.True(t, strings.HasPrefix(core.ErrorMessage(err), "Your session ended: log in again ("), core.ErrorMessage(err))
			require.Contains(t, core.ErrorMessage(err), tc.reason)
		})
	}
}

func TestValidateSessionTTL(t *testing.T) {
	t.Parallel()
	for ttl, ok := range map[time.Duration]bool{
		core.MinSessionTTL: true, core.DefaultSessionTTL: true, core.MaxSessionTTL: true,
		0: false, -time.Hour: false, core.MinSessionTTL - time.Second: false, core.MaxSessionTTL + time.Second: false,
	} {
		err := core.ValidateSessionTTL(ttl)
		if ok {
			require.NoError(t, err, ttl)
		} else {
			require.Equal(t, core.EINVALID, core.ErrorCode(err), ttl)
		}
	}
}

// sessionBundle is the store bundle with a clock the test moves and a
// session the clerk started.
type sessionBundle struct {
	*storeBundle
	now    *time.Time
	secret string
	sess   *core.Session
}

func setupSession(t *testing.T) *sessionBundle {
	t.Helper()
	b := &sessionBundle{storeBundle: setupStore(t)}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	b.now = &now
	b.svc.Now = func() time.Time { return *b.now }
	op, sess, secret, err := b.svc.StartSession(context.Background(), "clerk", "clerk-password-1", core.DefaultSessionTTL)
	require.NoError(t, err)
	require.Equal(t, "clerk", op.Name)
	b.sess, b.secret = sess, secret
	return b
}

func (b *sessionBundle) resume() error {
	_, _, err := b.svc.ResumeSession(context.Background(), b.secret)
	return err
}

func requireSessionEnded(t *testing.T, err error, reason string) {
	t.Helper()
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "Your session ended: log in again")
	require.Contains(t, core.ErrorMessage(err), reason)
}

func TestSessionStandsInForThePassword(t *testing.T) {
	t.Parallel()
	b := setupSession(t)
	op, sess, err := b.svc.ResumeSession(context.Background(), b.secret)
	require.NoError(t, err)
	require.Equal(t, "clerk", op.Name)
	require.Equal(t, b.sess.ID, sess.ID)
	require.Equal(t, b.now.Add(core.DefaultSessionTTL), sess.ExpiresAt)

	raw, err := base64.RawURLEncoding.DecodeString(b.secret)
	require.NoError(t, err)
	require.Len(t, raw, 32, "32 random bytes")
	sum := sha256.Sum256(raw)
	require.Equal(t, hex.EncodeToString(sum[:]), sess.TokenHash, "the database keeps the secret's hash")
	require.NotContains(t, sess.TokenHash, b.secret)

	_, err = b.svc.SearchDeposits(core.NewContextWithOperator(context.Background(), op), core.DepositFilter{})
	require.NoError(t, err, "the operator acts as after a password login")

	rows, err := b.store.FindAudit(context.Background(), core.AuditFilter{})
	require.NoError(t, err)
	var actions []string
	for _, r := range rows {
		if strings.HasPrefix(r.Action, "session.") {
			actions = append(actions, r.Action+" "+r.After)
		}
	}
	require.Equal(t, []string{"session.create session " + sess.Fingerprint() + " until 2026-11-25T18:00:00Z"}, actions,
		"one row for the session, none for its use")
}

// Each cause that ends a session, one by one.
func TestSessionEnds(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		end    func(t *testing.T, b *sessionBundle)
		reason string
	}{
		{name: "Expired", reason: "expired at 2026-11-25T18:00:00Z", end: func(t *testing.T, b *sessionBundle) {
			*b.now = b.now.Add(core.DefaultSessionTTL)
		}},
		{name: "OperatorDisabled", reason: "operator clerk is disabled", end: func(t *testing.T, b *sessionBundle) {
			_, err := b.svc.SetOperatorDisabled(b.admin, "clerk", true, "left the firm")
			require.NoError(t, err)
		}},
		{name: "DisabledAndEnabledAgain", reason: "changed since", end: func(t *testing.T, b *sessionBundle) {
			_, err := b.svc.SetOperatorDisabled(b.admin, "clerk", true, "left the firm")
			require.NoError(t, err)
			_, err = b.svc.SetOperatorDisabled(b.admin, "clerk", false, "came back")
			require.NoError(t, err)
		}},
		{name: "PasswordChanged", reason: "changed since", end: func(t *testing.T, b *sessionBundle) {
			require.NoError(t, b.svc.ChangePassword(b.clerk, "clerk-password-1", "clerk-password-2"))
		}},
		{name: "PermissionsChanged", reason: "changed since", end: func(t *testing.T, b *sessionBundle) {
			_, err := b.svc.SetOperatorPermissions(b.admin, "clerk", []core.Permission{core.PermDepositRecords})
			require.NoError(t, err)
		}},
		{name: "LoggedOut", reason: "does not know it", end: func(t *testing.T, b *sessionBundle) {
			require.NoError(t, b.svc.EndSession(context.Background(), b.secret))
		}},
		{name: "RowDeleted", reason: "does not know it", end: func(t *testing.T, b *sessionBundle) {
			ss := b.store.(core.SessionStore)
			require.NoError(t, ss.DeleteSession(context.Background(), b.sess.ID, core.AuditEntry{At: *b.now, Actor: "dba", Action: "session.revoke", Entity: "operator", EntityID: "clerk"}))
		}},
		{name: "SecretTampered", reason: "does not know it", end: func(t *testing.T, b *sessionBundle) {
			raw, err := base64.RawURLEncoding.DecodeString(b.secret)
			require.NoError(t, err)
			raw[0] ^= 1
			b.secret = base64.RawURLEncoding.EncodeToString(raw)
		}},
		{name: "SecretTruncated", reason: "does not hold a session", end: func(t *testing.T, b *sessionBundle) {
			b.secret = b.secret[:20]
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setupSession(t)
			require.NoError(t, b.resume())
			tc.end(t, b)
			requireSessionEnded(t, b.resume(), tc.reason)
		})
	}
}

func TestSessionNeedsThePassword(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	_, _, _, err := b.svc.StartSession(context.Background(), "clerk", "wrong-password", core.DefaultSessionTTL)
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	require.Equal(t, "Wrong operator name or password.", core.ErrorMessage(err))

	before, err := b.store.AuditState(context.Background())
	require.NoError(t, err)
	_, _, _, err = b.svc.StartSession(context.Background(), "clerk", "clerk-password-1", core.MaxSessionTTL+time.Minute)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	after, err := b.store.AuditState(context.Background())
	require.NoError(t, err)
	require.Equal(t, before.Rows, after.Rows, "a refused lifetime is refused before the password is checked")
}

func TestLogoutIsAuditedOnce(t *testing.T) {
	t.Parallel()
	b := setupSession(t)
	require.NoError(t, b.svc.EndSession(context.Background(), b.secret))
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(b.svc.EndSession(context.Background(), b.secret)))
	rows, err := b.store.FindAudit(context.Background(), core.AuditFilter{})
	require.NoError(t, err)
	var revoked []*core.AuditEntry
	for _, r := range rows {
		if r.Action == "session.revoke" {
			revoked = append(revoked, r)
		}
	}
	require.Len(t, revoked, 1)
	require.Equal(t, "clerk", revoked[0].Actor)
	require.Equal(t, "session "+b.sess.Fingerprint()+" until 2026-11-25T18:00:00Z", revoked[0].Before)

	v, err := b.svc.VerifyAudit(b.admin, core.AuditAnchors{State: true})
	require.NoError(t, err)
	require.True(t, v.Intact(), "session rows chain and replay like any other: %+v", v)
}
