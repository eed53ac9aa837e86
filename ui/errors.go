package ui

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"

	"depositdesk/core"
)

// errorText is the one place an error becomes what an operator reads:
// core's message, or for an internal error a reference to the log line.
func errorText(err error) string {
	if err == nil {
		return ""
	}
	if core.ErrorCode(err) == core.EINTERNAL {
		b := make([]byte, 4)
		_, _ = rand.Read(b)
		id := hex.EncodeToString(b)
		slog.Error("internal error", "id", id, "err", err)
		return "Internal error (reference " + id + "). Please report it to your administrator."
	}
	return core.ErrorMessage(err)
}
