// Package core is the domain of Deposit Desk: its types, states, permissions,
// errors and the Service that enforces every rule of the operating guide.
// It imports no database engine, no GUI toolkit and no RPC client.
package core

import (
	"errors"
	"fmt"
)

// Error codes. Every edge (UI dialog, CLI exit status, HTTP problem) maps
// these in exactly one place.
const (
	ECONFLICT     = "conflict"     // the record changed under us or a uniqueness rule holds
	EINTERNAL     = "internal"     // a bug or an infrastructure failure
	EINVALID      = "invalid"      // bad input, or an operation the rules do not allow
	ENOTFOUND     = "not_found"    // no such entity
	EUNAUTHORIZED = "unauthorized" // not logged in, wrong password, locked or disabled
	EFORBIDDEN    = "forbidden"    // logged in but the policy table denies the action
)

// Error is an error an operator may see. Anything that is not an *Error is
// shown as an internal error so internals never leak.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string {
	return fmt.Sprintf("depositdesk error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the operator-facing message of err. Errors that are
// not *Error get a generic message.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
