package core

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Scope is what an API client's token lets it do. Scopes are deliberately
// coarse: a token is given to one client system for one job.
type Scope string

// ScopeIntake lets a client submit deposit requests, attach their TXIDs
// and read the records it created.
const ScopeIntake Scope = "intake"

// ScopeMetrics lets a monitoring system (Prometheus) read /metrics.
const ScopeMetrics Scope = "metrics"

// AllScopes lists every scope.
func AllScopes() []Scope { return []Scope{ScopeIntake, ScopeMetrics} }

// ParseScope accepts a scope's name case-insensitively.
func ParseScope(s string) (Scope, error) {
	for _, sc := range AllScopes() {
		if strings.EqualFold(strings.TrimSpace(s), string(sc)) {
			return sc, nil
		}
	}
	return "", Errorf(EINVALID, "Unknown scope %q.", truncate(s, 40))
}

// ClientPolicy is the client counterpart of Policy: the actions each scope
// allows. Clients hold no operator permission, so nothing else is open to them.
var ClientPolicy = map[Scope][]Action{
	ScopeIntake:  {ActionSubmitApplication, ActionAttachTxID, ActionViewOwnRecords},
	ScopeMetrics: {ActionViewMetrics},
}

// APIClient is a system that calls the desk's HTTP API with a bearer token.
// Only the SHA-256 of the token is kept; the token itself is shown once.
type APIClient struct {
	ID        int64
	Name      string
	TokenHash string // hex SHA-256 of the bearer token
	Scopes    []Scope
	CreatedBy string
	CreatedAt time.Time
	RevokedAt time.Time // zero while the client may call
}

// Revoked reports whether the client's token no longer works.
func (c *APIClient) Revoked() bool { return !c.RevokedAt.IsZero() }

// Actor is how the client appears in the audit log.
func (c *APIClient) Actor() string { return clientActorPrefix + c.Name }

// clientActorPrefix starts every API client's actor name.
const clientActorPrefix = "client:"

// Can reports whether the client's scopes allow the action.
func (c *APIClient) Can(a Action) bool {
	if c == nil || c.Revoked() {
		return false
	}
	for _, sc := range c.Scopes {
		if slices.Contains(ClientPolicy[sc], a) {
			return true
		}
	}
	return false
}

// requestKeyPrefix namespaces a client's idempotency keys: two clients may
// use the same key without meeting, and a record's key tells which client
// created it (the rule for who may read it).
func (c *APIClient) requestKeyPrefix() string {
	return clientKeyPrefix + strconv.FormatInt(c.ID, 10) + ":"
}

// KeyPrefixRange is the range [from, to) of the strings that start with
// prefix, in bytewise order, for the stores to scan an index with: to is
// prefix with its last byte counted up, which stays ASCII (valid UTF-8)
// for an ASCII prefix.
func KeyPrefixRange(prefix string) (from, to string, err error) {
	if prefix == "" || prefix[len(prefix)-1] >= 0x7f {
		return "", "", fmt.Errorf("request key prefix %q must be non-empty ASCII", prefix)
	}
	return prefix, PrefixEnd(prefix), nil
}

// clientKeyPrefix starts every request key a client submits; operators may
// not use it, so no operator-entered key can pass for a client's.
const clientKeyPrefix = "client-"

// RequestKeyOf returns the idempotency key the client sent for rec, or ""
// when rec was not created by c.
func (c *APIClient) RequestKeyOf(rec *DepositRecord) string {
	k, ok := strings.CutPrefix(rec.ClientRequestKey, c.requestKeyPrefix())
	if !ok {
		return ""
	}
	return k
}

// SentRequestKey is d's request key as its sender gave it: an API
// client's without the prefix that keeps clients' keys apart; "" when it
// was sent without one.
func (d *DepositRecord) SentRequestKey() string {
	if rest, ok := strings.CutPrefix(d.ClientRequestKey, clientKeyPrefix); ok {
		if _, key, ok := strings.Cut(rest, ":"); ok {
			return key
		}
	}
	return d.ClientRequestKey
}

// Owns reports whether the client created rec.
func (c *APIClient) Owns(rec *DepositRecord) bool {
	return strings.HasPrefix(rec.ClientRequestKey, c.requestKeyPrefix())
}

// MaxIdempotencyKeyLen bounds a client's key so that, with its prefix, it
// fits the 128 characters of a request key.
const MaxIdempotencyKeyLen = 100

// ValidateIdempotencyKey checks a client's key: 1 to 100 visible ASCII
// characters, so it is safe in headers, logs and the audit trail.
func ValidateIdempotencyKey(k string) error {
	if k == "" || len(k) > MaxIdempotencyKeyLen {
		return Errorf(EINVALID, "Idempotency key must be 1 to %d characters.", MaxIdempotencyKeyLen)
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return Errorf(EINVALID, "Idempotency key may contain only visible ASCII characters.")
		}
	}
	return nil
}

// TokenPrefix starts every API token so that a leaked one is easy to
// recognise in logs and secret scanners.
const TokenPrefix = "ddk_"

// NewAPIToken returns a fresh bearer token (32 random bytes) and the hash
// that is stored.
func NewAPIToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("read token bytes: %w", err)
	}
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashAPIToken(token), nil
}

// HashAPIToken is the stored form of a token. A plain SHA-256 suffices
// (unlike passwords): the token has 256 bits of entropy, so it cannot be
// guessed from its hash, and a fast hash keeps each request cheap.
func HashAPIToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// ValidateClientName checks a client's name, which appears in audit rows
// as client:<name>: 1–64 characters of letters, digits, '.', '_' and '-'.
func ValidateClientName(name string) error {
	if name == "" || len(name) > 64 {
		return Errorf(EINVALID, "Client name must be 1 to 64 characters.")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-", r)) {
			return Errorf(EINVALID, "Client name may contain only letters, digits, '.', '_' and '-'.")
		}
	}
	return nil
}

// APIClientFilter selects API clients; nil fields do not filter.
type APIClientFilter struct {
	ID        *int64
	Name      *string // case-insensitive
	TokenHash *string
}

// EncodeScopes is how storage keeps a scope list in one column.
func EncodeScopes(ss []Scope) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ",")
}

// DecodeScopes reverses EncodeScopes.
func DecodeScopes(s string) []Scope {
	if s == "" {
		return nil
	}
	var out []Scope
	for _, p := range strings.Split(s, ",") {
		out = append(out, Scope(p))
	}
	return out
}
