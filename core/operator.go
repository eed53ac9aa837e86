package core

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Operator is a back-office user.
type Operator struct {
	ID                int64
	Name              string
	PasswordHash      string // argon2id, PHC string format; never shown
	Permissions       []Permission
	Disabled          bool
	FailedLogins      int
	LockedUntil       time.Time // zero when not locked
	CreatedAt         time.Time
	PasswordChangedAt time.Time
	// PermissionsSetBy is the operator who last set these permissions (at
	// creation or a change); "" for the first administrator.
	PermissionsSetBy string
	// SecurityStamp moves whenever the password, the permissions or the
	// disabled flag change (OperatorUpdate.EndsSessions), ending every
	// session made before. Stores set it; nothing else writes it.
	SecurityStamp int64
}

// Lockout policy: this many consecutive failures lock the operator out for
// LockoutDuration.
const (
	MaxFailedLogins = 5
	LockoutDuration = 15 * time.Minute
	MinPasswordLen  = 10
)

// ValidateOperatorName checks a login name: 1–64 characters of letters,
// digits, dot, dash, underscore or @.
func ValidateOperatorName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 {
		return Errorf(EINVALID, "Operator name must be 1 to 64 characters.")
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-@", r)) {
			return Errorf(EINVALID, "Operator name may contain only letters, digits, '.', '_', '-' and '@'.")
		}
	}
	if slices.Contains(ReservedActors, strings.ToLower(name)) {
		return Errorf(EINVALID, "%q is the name the desk gives its own actions in the audit log; choose another operator name.", name)
	}
	return nil
}

// ReservedActors are the audit log's names for what no operator does: the
// chain watcher, the desk itself and seeding. An operator with one of them
// would sign rows that read as the desk's. (API clients act as
// "client:<name>", which no operator name can spell.)
var ReservedActors = []string{"watcher", "system", "seed"}

// ValidatePassword enforces the minimum password policy.
func ValidatePassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLen {
		return Errorf(EINVALID, "Password must be at least %d characters.", MinPasswordLen)
	}
	if len(pw) > 1024 {
		return Errorf(EINVALID, "Password is too long.")
	}
	return nil
}

// OperatorFilter selects operators; nil fields do not filter.
type OperatorFilter struct {
	ID   *int64
	Name *string
}

// OperatorUpdate changes an operator; nil fields are left alone.
type OperatorUpdate struct {
	PasswordHash      *string
	Permissions       *[]Permission
	Disabled          *bool
	FailedLogins      *int
	LockedUntil       *time.Time
	PasswordChangedAt *time.Time
	PermissionsSetBy  *string
}
