package core

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"time"
)

// A Session lets one operator's later commands skip the password check
// until it expires (decision 46): `depositctl login` makes one, the secret
// goes to a file only its user can read, and the database keeps only the
// secret's SHA-256, never the secret. A session replaces the password
// check and nothing else: the Service still reads the operator's authority
// at every call.
type Session struct {
	ID         int64
	OperatorID int64
	// TokenHash is the hex SHA-256 of the secret. A fast hash is enough: the
	// secret is 32 random bytes, which no one guesses, unlike a password.
	TokenHash string
	// SecurityStamp is the operator's stamp when the session was made; a
	// session whose stamp is not the operator's any more has ended.
	SecurityStamp int64
	CreatedAt     time.Time
	ExpiresAt     time.Time
}

// Session lifetimes: `depositctl login --ttl` takes MinSessionTTL to
// MaxSessionTTL, DefaultSessionTTL when not given.
const (
	DefaultSessionTTL = 8 * time.Hour
	MaxSessionTTL     = 12 * time.Hour
	MinSessionTTL     = time.Minute
	sessionSecretLen  = 32
)

// SessionStore keeps sessions. Both stores implement it beside Store; the
// desktop never calls it.
type SessionStore interface {
	// CreateSession inserts s, sets its ID and writes audit, in one
	// transaction; sessions expired at s.CreatedAt are deleted with it.
	CreateSession(ctx context.Context, s *Session, audit AuditEntry) error
	// FindSession returns the session with tokenHash. ENOTFOUND when none.
	FindSession(ctx context.Context, tokenHash string) (*Session, error)
	// DeleteSession deletes session id with its audit row. ENOTFOUND when
	// it is gone already (and then writes nothing).
	DeleteSession(ctx context.Context, id int64, audit AuditEntry) error
	// DatabaseIdentity names this database: random, made once by the
	// migration, the same for every connection to it.
	DatabaseIdentity(ctx context.Context) (string, error)
}

// EndsSessions reports whether upd changes what a session was granted on:
// the password, the permissions or the disabled flag. The stores add one to
// the operator's SecurityStamp in the same UPDATE when it does.
func (upd OperatorUpdate) EndsSessions() bool {
	return upd.PasswordHash != nil || upd.Permissions != nil || upd.Disabled != nil
}

// ErrSessionEnded is the refusal of a session that no longer holds, with
// its reason.
func ErrSessionEnded(reason string) error {
	return Errorf(EUNAUTHORIZED, "Your session ended: log in again (%s).", reason)
}

// Check tells whether the session still stands for op at now: not for a
// disabled operator, not at or after its expiry, not once the operator's
// security stamp moved (password, permissions or disabled flag changed),
// and never for a lifetime longer than MaxSessionTTL, whatever the row says.
func (s *Session) Check(op *Operator, now time.Time) error {
	switch {
	case op == nil || op.ID != s.OperatorID:
		return ErrSessionEnded("its operator no longer exists")
	case op.Disabled:
		return ErrSessionEnded("operator " + op.Name + " is disabled")
	case !now.Before(s.ExpiresAt):
		return ErrSessionEnded("it expired at " + s.ExpiresAt.UTC().Format(time.RFC3339))
	case s.ExpiresAt.Sub(s.CreatedAt) > MaxSessionTTL || now.Before(s.CreatedAt.Add(-time.Minute)):
		return ErrSessionEnded("its times are not ones the desk makes")
	case s.SecurityStamp != op.SecurityStamp:
		return ErrSessionEnded("the password, permissions or status of operator " + op.Name + " changed since")
	}
	return nil
}

// Fingerprint names a session in the audit log and to its user without
// telling anything that would let one use it: the first 4 bytes of its
// token hash.
func (s *Session) Fingerprint() string {
	if len(s.TokenHash) < 8 {
		return s.TokenHash
	}
	return s.TokenHash[:8]
}

// ValidateSessionTTL checks a requested session lifetime.
func ValidateSessionTTL(ttl time.Duration) error {
	if ttl < MinSessionTTL || ttl > MaxSessionTTL {
		return Errorf(EINVALID, "A session lasts from %v to %v; %v is not allowed.", MinSessionTTL, MaxSessionTTL, ttl)
	}
	return nil
}

// sessionTokenHash is the stored form of a secret; ok is false for a
// secret that is not one the desk makes (wrong encoding or length).
func sessionTokenHash(secret string) (string, bool) {
	raw, err := base64.RawURLEncoding.DecodeString(secret)
	if err != nil || len(raw) != sessionSecretLen {
		return "", false
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:]), true
}

// StartSession checks name and password exactly as Login does (lockout,
// audit) and makes a session of ttl for that operator. It returns the
// operator, the session and its secret: the secret is shown nowhere else
// and the database keeps only its hash. A session is only ever made from a
// password, never from another session, so a stolen session cannot outlive
// its expiry. Audited as session.create with the session's fingerprint.
func (s *Service) StartSession(ctx context.Context, name, password string, ttl time.Duration) (*Operator, *Session, string, error) {
	if err := ValidateSessionTTL(ttl); err != nil {
		return nil, nil, "", err
	}
	ss, err := s.sessionStore()
	if err != nil {
		return nil, nil, "", err
	}
	op, err := s.Login(ctx, name, password)
	if err != nil {
		return nil, nil, "", err
	}
	raw := make([]byte, sessionSecretLen)
	if _, err := rand.Read(raw); err != nil {
		return nil, nil, "", err
	}
	secret := base64.RawURLEncoding.EncodeToString(raw)
	hash, _ := sessionTokenHash(secret)
	now := s.now()
	sess := &Session{OperatorID: op.ID, TokenHash: hash, SecurityStamp: op.SecurityStamp, CreatedAt: now, ExpiresAt: now.Add(ttl)}
	a := s.audit(op.Name, "session.create", "operator", op.Name)
	a.After = "session " + sess.Fingerprint() + " until " + sess.ExpiresAt.Format(time.RFC3339)
	if err := ss.CreateSession(ctx, sess, a); err != nil {
		return nil, nil, "", err
	}
	return op, sess, secret, nil
}

// ResumeSession returns the operator a session's secret stands for, to
// carry in the context like Login's. EUNAUTHORIZED ("Your session ended")
// for a secret the database does not know (never made, logged out,
// tampered with, another database's), an expired session, a disabled or
// removed operator, or one whose password, permissions or disabled flag
// changed since. It writes nothing: using a session is not audited, the
// actions taken with it are.
func (s *Service) ResumeSession(ctx context.Context, secret string) (*Operator, *Session, error) {
	ss, err := s.sessionStore()
	if err != nil {
		return nil, nil, err
	}
	hash, ok := sessionTokenHash(secret)
	if !ok {
		return nil, nil, ErrSessionEnded("the session file does not hold a session")
	}
	sess, err := ss.FindSession(ctx, hash)
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, ErrSessionEnded("this database does not know it: logged out, or another database's")
	} else if err != nil {
		return nil, nil, err
	}
	ops, err := s.Store.FindOperators(ctx, OperatorFilter{ID: &sess.OperatorID})
	if err != nil {
		return nil, nil, err
	}
	var op *Operator
	if len(ops) == 1 {
		op = ops[0]
	}
	if err := sess.Check(op, s.now()); err != nil {
		return nil, nil, err
	}
	return op, sess, nil
}

// EndSession revokes the session of secret (logout), audited as
// session.revoke under its operator. ENOTFOUND when the database does not
// know it (expired and cleared, revoked already, never made here).
func (s *Service) EndSession(ctx context.Context, secret string) error {
	ss, err := s.sessionStore()
	if err != nil {
		return err
	}
	hash, ok := sessionTokenHash(secret)
	if !ok {
		return Errorf(ENOTFOUND, "No such session.")
	}
	sess, err := ss.FindSession(ctx, hash)
	if err != nil {
		return err
	}
	ops, err := s.Store.FindOperators(ctx, OperatorFilter{ID: &sess.OperatorID})
	if err != nil {
		return err
	}
	actor := "system"
	if len(ops) == 1 {
		actor = ops[0].Name
	}
	a := s.audit(actor, "session.revoke", "operator", actor)
	a.Before = "session " + sess.Fingerprint() + " until " + sess.ExpiresAt.UTC().Format(time.RFC3339)
	return ss.DeleteSession(ctx, sess.ID, a)
}

// DatabaseIdentity names the database the Service works on (SessionStore).
func (s *Service) DatabaseIdentity(ctx context.Context) (string, error) {
	ss, err := s.sessionStore()
	if err != nil {
		return "", err
	}
	return ss.DatabaseIdentity(ctx)
}

func (s *Service) sessionStore() (SessionStore, error) {
	ss, ok := s.Store.(SessionStore)
	if !ok {
		return nil, Errorf(EINVALID, "This database cannot keep login sessions.")
	}
	return ss, nil
}
