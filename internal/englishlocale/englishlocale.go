// Package englishlocale names English as the language of messages when
// the environment names none that Fyne can read. Import it for its side
// effect from a program's main package:
//
//	import _ "depositdesk/internal/englishlocale"
//
// Fyne reads the operator's languages when its lang package initialises,
// before main runs, as github.com/jeandeaual/go-locale does: LC_ALL,
// LC_MESSAGES, LANG, then LANGUAGE. "C.UTF-8", the default of many
// servers and containers, reaches it as the language "C", which it logs at
// every start ("Error parsing user locale C"). This package's init runs
// first: packages initialise in import-path order once their own imports
// have, and it imports only os and strings, which Fyne's lang imports too.
// It sets LANGUAGE, which chooses only the languages of messages, so
// character handling (LC_CTYPE) stays as the environment set it.
package englishlocale

import (
	"os"
	"strings"
)

func init() {
	if !Readable(os.Getenv) {
		_ = os.Setenv("LANGUAGE", "en_US")
	}
}

// Readable says whether the languages the environment (getenv) names are
// language tags Fyne can read, or none is named: "C" and "POSIX" exactly
// mean none, and Fyne falls back to English by itself.
func Readable(getenv func(string) string) bool {
	loc := ""
	for _, v := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if loc = getenv(v); loc != "" {
			break
		}
	}
	if loc == "C" || loc == "POSIX" {
		return true
	}
	names := []string{loc}
	if l := getenv("LANGUAGE"); l != "" {
		names = strings.Split(l, ":")
	} else if loc == "" {
		return true
	}
	for _, n := range names { // e.g. "en_US.UTF-8", "de", "sr@latin"
		lang := n
		if i := strings.IndexAny(lang, "_-.@"); i >= 0 {
			lang = lang[:i]
		}
		if len(lang) < 2 || len(lang) > 3 || strings.Trim(strings.ToLower(lang), "abcdefghijklmnopqrstuvwxyz") != "" {
			return false
		}
	}
	return true
}
