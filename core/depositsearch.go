package core

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// DepositFilter selects deposit records; nil fields do not filter. Results
// are ordered newest first by Order (then id, descending) and paged by
// keyset.
type DepositFilter struct {
	ID                *int64
	RecordNo          *string
	CustomerNo        *string
	SecuritiesAccount *string
	TxID              *string
	// Prefix makes RecordNo, CustomerNo, SecuritiesAccount and TxID match
	// every value that starts with them, as an operator searches; without
	// it they match whole values, as the intake API and the desk's own
	// look-ups need. A whole value is a prefix of itself (and of longer
	// values): "C100" finds C100 and C1001.
	Prefix bool
	// TxIDTail, with Prefix, also requires the hash to end with these hex
	// digits: Validate sets it from the table's shortened form "8dba1c…b1df".
	TxIDTail      *string
	Status        *DepositStatus
	AssetID       *int64
	CreatedFrom   *time.Time // inclusive
	CreatedTo     *time.Time // exclusive
	RequestedFrom *time.Time // inclusive
	RequestedTo   *time.Time // exclusive
	// Order is the time the page is sorted by, newest first. A range on
	// that same time bounds the search; a range on the other time only
	// filters the records read in order.
	Order DepositOrder
	After *DepositCursor // from the previous page of the same search
	Limit int            // 1–1000; 0 means DefaultPageSize
}

// DepositOrder is the time deposit records are sorted by.
type DepositOrder string

const (
	OrderCreated   DepositOrder = "created"   // when the desk recorded the request; "" means it too
	OrderRequested DepositOrder = "requested" // when the client made it: the table's Request Time
)

// ParseDepositOrder reads an order as the CLI names it ("" is creation).
func ParseDepositOrder(s string) (DepositOrder, error) {
	switch o := DepositOrder(strings.ToLower(strings.TrimSpace(s))); o {
	case "", OrderCreated:
		return OrderCreated, nil
	case OrderRequested:
		return o, nil
	}
	return "", Errorf(EINVALID, "Sort order must be %q or %q.", OrderCreated, OrderRequested)
}

// ByRequest reports whether the order is request time; anything else,
// the zero value included, is creation time.
func (o DepositOrder) ByRequest() bool { return o == OrderRequested }

// Paging limits.
const (
	DefaultPageSize = 50
	MaxPageSize     = 1000
)

// DepositCursor is the position after the last record of a page: its
// sort time and id, and which order that time belongs to.
type DepositCursor struct {
	Order DepositOrder // of the search it continues; "" is creation
	At    time.Time    // the record's creation or request time, by Order
	ID    int64
}

// cursorRequested marks a cursor in request-time order. Cursors in
// creation order keep the form they had before there was a choice
// ("<micros>:<id>"), so cursors handed out earlier still page.
const cursorRequested = "r:"

// String encodes the cursor for a CLI flag or an API.
func (c DepositCursor) String() string {
	raw := strconv.FormatInt(c.At.UnixMicro(), 10) + ":" + strconv.FormatInt(c.ID, 10)
	if c.Order.ByRequest() {
		raw = cursorRequested + raw
	}
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// ParseDepositCursor decodes a cursor made by String.
func ParseDepositCursor(s string) (*DepositCursor, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return nil, Errorf(EINVALID, "Invalid page cursor.")
	}
	order, raw := OrderCreated, string(b)
	if rest, ok := strings.CutPrefix(raw, cursorRequested); ok {
		order, raw = OrderRequested, rest
	}
	ts, id, ok := strings.Cut(raw, ":")
	micros, err1 := strconv.ParseInt(ts, 10, 64)
	n, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || n < 0 {
		return nil, Errorf(EINVALID, "Invalid page cursor.")
	}
	return &DepositCursor{Order: order, At: time.UnixMicro(micros).UTC(), ID: n}, nil
}

// DepositPage is one page of search results.
type DepositPage struct {
	Records []*DepositRecord
	Next    *DepositCursor // nil on the last page
}

// PageSize is the number of records a page of f holds: Limit, or the
// default when unset, never more than MaxPageSize.
func (f DepositFilter) PageSize() int {
	if f.Limit <= 0 {
		return DefaultPageSize
	}
	return min(f.Limit, MaxPageSize)
}

// Page makes f's page from records read in f's order with one more than
// PageSize asked for: the extra one only tells that another page follows.
func (f DepositFilter) Page(recs []*DepositRecord) DepositPage {
	size := f.PageSize()
	if len(recs) <= size {
		return DepositPage{Records: recs}
	}
	last := recs[size-1]
	next := &DepositCursor{Order: OrderCreated, At: last.CreatedAt, ID: last.ID}
	if f.Order.ByRequest() {
		next.Order, next.At = OrderRequested, last.RequestedAt
	}
	return DepositPage{Records: recs[:size], Next: next}
}

// DepositCountCap is how far a count of matches goes: past it the count
// is "more than 10,000", which an operator reads as "narrow the search",
// and which stays cheap however many records match.
const DepositCountCap = 10_000

// DepositCount is how many records a search matches, up to a cap.
type DepositCount struct {
	N    int  // exact when More is false; the cap otherwise
	More bool // more than N records match
}

// String is the count as an operator reads it: "1,234" or "more than 10,000".
func (c DepositCount) String() string {
	if c.More {
		return "more than " + thousands(c.N)
	}
	return thousands(c.N)
}

func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// Validate checks a filter's values before it reaches storage and puts
// the text filters in their stored form: customer numbers, accounts and
// record numbers upper case, transaction hashes bare lower-case hex.
func (f *DepositFilter) Validate() error {
	if f.Limit == 0 {
		f.Limit = DefaultPageSize
	}
	if f.Limit < 1 || f.Limit > MaxPageSize {
		return Errorf(EINVALID, "Page size must be between 1 and %d.", MaxPageSize)
	}
	if f.Status != nil && !f.Status.Valid() {
		return Errorf(EINVALID, "Unknown status %q.", *f.Status)
	}
	if f.CreatedFrom != nil && f.CreatedTo != nil && !f.CreatedFrom.Before(*f.CreatedTo) {
		return Errorf(EINVALID, "The start of the time range must be before its end.")
	}
	if f.RequestedFrom != nil && f.RequestedTo != nil && !f.RequestedFrom.Before(*f.RequestedTo) {
		return Errorf(EINVALID, "The start of the request time range must be before its end.")
	}
	var err error
	if f.Order, err = ParseDepositOrder(string(f.Order)); err != nil {
		return err
	}
	if f.After != nil && f.After.Order.ByRequest() != f.Order.ByRequest() {
		return Errorf(EINVALID, "The page cursor belongs to a search sorted by another time; search again from the first page.")
	}
	if f.TxIDTail != nil && !f.Prefix {
		return Errorf(EINVALID, "A transaction hash's last digits are searched only with prefix matching.")
	}
	for _, t := range []struct {
		val           **string
		exact, prefix func(string) error
	}{
		{&f.RecordNo, ValidateRecordNo, validateRecordNoPrefix},
		{&f.CustomerNo, ValidateCustomerNo, validateIdentifierPrefix("Customer number")},
		{&f.SecuritiesAccount, ValidateSecuritiesAccount, validateIdentifierPrefix("Securities account")},
	} {
		if *t.val == nil {
			continue
		}
		// All three are stored upper case. A new string, not written
		// through the caller's pointer: callers share filters between
		// searches running at once (a page and its reload, its count).
		v := strings.ToUpper(strings.TrimSpace(**t.val))
		*t.val = &v
		check := t.exact
		if f.Prefix {
			check = t.prefix
		}
		if err := check(v); err != nil {
			return err
		}
	}
	if f.TxID != nil && f.Prefix {
		typed := *f.TxID
		if f.TxIDTail != nil { // validated before: check it again as typed
			typed += "…" + *f.TxIDTail
		}
		head, tail, err := ParseTxIDPrefix(typed)
		if err != nil {
			return err
		}
		f.TxID, f.TxIDTail = &head, nil
		if tail != "" {
			f.TxIDTail = &tail
		}
		return nil
	}
	if f.TxID != nil {
		t := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(*f.TxID), "0x"))
		if !txidPattern.MatchString(t) {
			return Errorf(EINVALID, "Transaction hash must be 64 hexadecimal digits.")
		}
		f.TxID = &t // storage matches both the bare and the 0x-prefixed form
	}
	return nil
}
