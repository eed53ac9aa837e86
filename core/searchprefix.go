package core

import (
	"strings"
)

// MinTxIDPrefix is the fewest hex digits of a hash a prefix search takes:
// 8 digits leave about one stranger's transaction in 4 billion, so the
// index range read is a handful of rows even at a million records.
const MinTxIDPrefix = 8

// minTxIDHead is the fewest digits before the "…" of a shortened hash: the
// index is read by the head, so a shorter head would read a wide range
// only to drop most of it on the tail.
const minTxIDHead = 4

// ParseTxIDPrefix reads what an operator types to find a transaction: the
// first digits of its hash ("8dba1c2f", "0x8dba1c2f"), or the hash as the
// records table shortens it ("8dba1c…b1df", "0x8dba…b1df", also with
// "..."). It returns the leading digits and the trailing ones ("" when
// none), as bare lower-case hex, the form storage matches. It needs at
// least MinTxIDPrefix digits in all, and minTxIDHead before the "…".
func ParseTxIDPrefix(s string) (head, tail string, err error) {
	s = strings.TrimSpace(s)
	h, t, short := strings.Cut(s, "…")
	if !short {
		h, t, short = strings.Cut(s, "...")
	}
	h = strings.TrimPrefix(strings.TrimPrefix(h, "0x"), "0X")
	head, tail = strings.ToLower(h), strings.ToLower(t)
	if !isHex(head) || !isHex(tail) || len(head)+len(tail) > 64 {
		return "", "", Errorf(EINVALID, "A transaction hash is searched by its first hexadecimal digits, or as the table shortens it (8dba1c…b1df).")
	}
	if short && (len(head) < minTxIDHead || tail == "") {
		return "", "", Errorf(EINVALID, "A shortened transaction hash needs at least %d digits before the \"…\" and some after it.", minTxIDHead)
	}
	if len(head)+len(tail) < MinTxIDPrefix {
		return "", "", Errorf(EINVALID, "Type at least %d hexadecimal digits of the transaction hash.", MinTxIDPrefix)
	}
	return head, tail, nil
}

func isHex(s string) bool {
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// validateRecordNoPrefix accepts the beginning of a record number
// (D20261125-000123): "D2026", "D20261125-", "D20261125-0001".
func validateRecordNoPrefix(s string) error {
	const shape = "D########-######"
	ok := s != "" && len(s) <= 32
	for i := 0; ok && i < len(s); i++ {
		want := byte('#')
		if i < len(shape) {
			want = shape[i]
		}
		ok = s[i] == want || want == '#' && s[i] >= '0' && s[i] <= '9'
	}
	if !ok {
		return Errorf(EINVALID, "Record number %q is not the beginning of a number like D20261125-000123.", truncate(s, 40))
	}
	return nil
}

// validateIdentifierPrefix accepts the beginning of a customer number or
// securities account: upper-case letters, digits and dashes, at most 32,
// not starting with a dash.
func validateIdentifierPrefix(what string) func(string) error {
	return func(s string) error {
		ok := s != "" && len(s) <= 32 && s[0] != '-'
		for i := 0; ok && i < len(s); i++ {
			c := s[i]
			ok = 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-'
		}
		if !ok {
			return Errorf(EINVALID, "%s %q must be the beginning of one: upper-case letters, digits or dashes.", what, truncate(s, 40))
		}
		return nil
	}
}

// PrefixEnd is the smallest string above every string that starts with
// prefix (non-empty ASCII, as validated search prefixes are): the range
// [prefix, PrefixEnd(prefix)) of a bytewise index holds exactly them.
func PrefixEnd(prefix string) string {
	return prefix[:len(prefix)-1] + string(prefix[len(prefix)-1]+1)
}
