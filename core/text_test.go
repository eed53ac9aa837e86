package core_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestCheckTextRefusesWhatReadsDifferentlyThanItIsStored(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		text      string
		multiline bool
		refused   string // part of the message, "" when accepted
	}{
		{"Duplicate user request", false, ""},
		{"Kunde hat storniert — 重复申请", false, ""},
		{"line one\nline two\twith a tab", true, ""},
		{"line one\nline two", false, "control character (U+000A) at character 9"},
		{"ok \x1b[2Jcleared", true, "control character (U+001B) at character 4"},
		{"bell\a", true, "control character (U+0007)"},
		{"c1 \u0085 next line", true, "control character (U+0085)"},
		{"refund to \u202Eevil\u202C", true, "text-direction control (U+202E) at character 11"},
		{"isolate \u2066x\u2069", false, "text-direction control (U+2066)"},
		{"mark \u200F", false, "text-direction control (U+200F)"},
		{"bad \xff utf8", true, "must be UTF-8 text"},
	} {
		err := core.CheckText("Remarks", c.text, c.multiline)
		if c.refused == "" {
			require.NoError(t, err, "%q", c.text)
			continue
		}
		require.Equal(t, core.EINVALID, core.ErrorCode(err), "%q", c.text)
		require.Contains(t, core.ErrorMessage(err), c.refused, "%q", c.text)
	}
}
