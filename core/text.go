package core

import (
	"fmt"
	"unicode"
	"unicode/utf8"
)

// CheckText refuses free text an operator or client gives the desk that
// could make it show something else than it stores: invalid UTF-8, control
// characters (an ANSI escape rewrites a terminal, a newline forges the
// next line of a one-line field) and the invisible bidirectional controls
// that reorder what a reader sees (a "Trojan Source" override). Multi-line
// text (remarks, evidence) may hold line breaks and tabs. what names the
// field in the error, which says which character and where.
func CheckText(what, s string, multiline bool) error {
	if !utf8.ValidString(s) {
		return Errorf(EINVALID, "%s must be UTF-8 text.", what)
	}
	pos := 0
	for _, r := range s {
		pos++
		switch {
		case multiline && (r == '\n' || r == '\t' || r == '\r'):
		case unicode.IsControl(r):
			return Errorf(EINVALID, "%s contain%s a control character (%s) at character %d; type plain text.", what, plural(what), runeName(r), pos)
		case isBidiControl(r):
			return Errorf(EINVALID, "%s contain%s an invisible text-direction control (%s) at character %d; it can make the text read differently than it is stored.", what, plural(what), runeName(r), pos)
		}
	}
	return nil
}

// isBidiControl reports the Unicode bidirectional formatting characters:
// embeddings, overrides, isolates and the implicit marks.
func isBidiControl(r rune) bool {
	return r >= 0x202A && r <= 0x202E || r >= 0x2066 && r <= 0x2069 || r == 0x200E || r == 0x200F || r == 0x061C
}

func runeName(r rune) string { return fmt.Sprintf("U+%04X", r) }

// plural makes "Remarks contain" and "Name contains" read right.
func plural(what string) string {
	if len(what) > 0 && what[len(what)-1] == 's' {
		return ""
	}
	return "s"
}
