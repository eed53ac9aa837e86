package core

import (
	"strconv"
	"strings"
	"time"
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

// CreatedRange is the creation-time range f searches: CreatedFrom and
// CreatedTo, narrowed by a record-number prefix. A record number names
// its creation day, UTC (FormatRecordNo), so "D20260615-" or "D202606"
// also says when those records were created, and a search of an old
// day's numbers reads that stretch of the time index, not everything
// created since.
func (f DepositFilter) CreatedRange() (from, to *time.Time) {
	from, to = f.CreatedFrom, f.CreatedTo
	if !f.Prefix || f.RecordNo == nil {
		return from, to
	}
	lo, hi, ok := recordNoDays(*f.RecordNo)
	if !ok {
		return from, to
	}
	if from == nil || from.Before(lo) {
		from = &lo
	}
	if to == nil || to.After(hi) {
		to = &hi
	}
	return from, to
}

// recordNoDays bounds the creation time of records whose number starts
// with prefix: the day digits it has, the rest filled with 0s for the
// start and 9s for the end. time.Date carries a month or day out of range
// (00, 19, 99) over to the next unit, which only moves the start earlier
// and the end later, so the bounds hold every real date of the prefix.
func recordNoDays(prefix string) (from, to time.Time, ok bool) {
	digits, _, _ := strings.Cut(strings.TrimPrefix(prefix, "D"), "-")
	if digits == "" || len(digits) > 8 || !allDigits(digits) {
		return time.Time{}, time.Time{}, false
	}
	day := func(fill string) time.Time {
		s := digits + strings.Repeat(fill, 8-len(digits))
		y, _ := strconv.Atoi(s[:4])
		m, _ := strconv.Atoi(s[4:6])
		d, _ := strconv.Atoi(s[6:])
		return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	}
	return day("0"), day("9").AddDate(0, 0, 1), true
}
