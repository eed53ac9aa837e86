package core_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestDepositFilterPrefix(t *testing.T) {
	t.Parallel()
	t.Run("PutsPrefixesInTheirStoredCase", func(t *testing.T) {
		t.Parallel()
		no, cust, acct, tx := " d20261125-00 ", "c00", "sa-1", "0xABCDEF0123"
		f := core.DepositFilter{Prefix: true, RecordNo: &no, CustomerNo: &cust, SecuritiesAccount: &acct, TxID: &tx}
		require.NoError(t, f.Validate())
		require.Equal(t, "D20261125-00", *f.RecordNo)
		require.Equal(t, "C00", *f.CustomerNo)
		require.Equal(t, "SA-1", *f.SecuritiesAccount)
		require.Equal(t, "abcdef0123", *f.TxID)
		require.Nil(t, f.TxIDTail)
	})
	t.Run("ReadsTheTablesShortenedHash", func(t *testing.T) {
		t.Parallel()
		for typed, want := range map[string][2]string{
			"8dba1c…b1df":     {"8dba1c", "b1df"}, // Bitcoin, as ui/records.go shortens it (6 and 4)
			"0x8dba…b1df":     {"8dba", "b1df"},   // Ethereum: the 0x takes two of the six
			"0X8DBA...B1DF":   {"8dba", "b1df"},   // typed with three dots, upper case
			" 8dba1c2f3e4d ":  {"8dba1c2f3e4d", ""},
			"0x8dba1c2f":      {"8dba1c2f", ""},
			"8dba1c2f3e…b1df": {"8dba1c2f3e", "b1df"},
		} {
			f := core.DepositFilter{Prefix: true, TxID: &typed}
			require.NoError(t, f.Validate(), typed)
			require.Equal(t, want[0], *f.TxID, typed)
			if want[1] == "" {
				require.Nil(t, f.TxIDTail, typed)
			} else {
				require.Equal(t, want[1], *f.TxIDTail, typed)
			}
			again := f
			require.NoError(t, again.Validate(), "validating twice changes nothing: %s", typed)
			require.Equal(t, f.TxID, again.TxID)
			require.Equal(t, f.TxIDTail, again.TxIDTail)
		}
	})
	t.Run("AWholeValueIsAPrefix", func(t *testing.T) {
		t.Parallel()
		no, tx := "D20261125-000123", strings.Repeat("ab", 32)
		f := core.DepositFilter{Prefix: true, RecordNo: &no, TxID: &tx}
		require.NoError(t, f.Validate())
	})
	for name, f := range map[string]core.DepositFilter{
		"ShortTxID":             {Prefix: true, TxID: ptr("8dba1c2")},
		"ShortTxIDWith0x":       {Prefix: true, TxID: ptr("0x8dba1c2")},
		"ShortenedWithoutTail":  {Prefix: true, TxID: ptr("8dba1c2f…")},
		"ShortenedShortHead":    {Prefix: true, TxID: ptr("8db…a1c2f3e")},
		"ShortenedTooFewDigits": {Prefix: true, TxID: ptr("8dba…b1d")},
		"NonHexTxID":            {Prefix: true, TxID: ptr("8dba1c2g")},
		"LongTxID":              {Prefix: true, TxID: ptr(strings.Repeat("a", 65))},
		"TailWithoutPrefix":     {TxID: ptr(strings.Repeat("a", 64)), TxIDTail: ptr("b1df")},
		"RecordNoShape":         {Prefix: true, RecordNo: ptr("D2026X")},
		"RecordNoNoDash":        {Prefix: true, RecordNo: ptr("D202611250")},
		"CustomerSpace":         {Prefix: true, CustomerNo: ptr("C 1")},
		"CustomerLeadingDash":   {Prefix: true, CustomerNo: ptr("-C1")},
		"EmptyAccount":          {Prefix: true, SecuritiesAccount: ptr("  ")},
		"PartialWithoutPrefix":  {CustomerNo: ptr("C")},
		"PartialTxIDExact":      {TxID: ptr("8dba1c2f")},
		"UnknownOrder":          {Order: "amount"},
		"CursorOfOtherOrder":    {Order: core.OrderRequested, After: &core.DepositCursor{Order: core.OrderCreated, ID: 1}},
		"CreationCursorDefault": {After: &core.DepositCursor{Order: core.OrderRequested, ID: 1}},
		"InvertedRequestRange":  {RequestedFrom: ptr(time.Now()), RequestedTo: ptr(time.Now().Add(-time.Hour))},
	} {
		t.Run("Rejects"+name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, core.EINVALID, core.ErrorCode(f.Validate()))
		})
	}
}

func TestDepositOrder(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]core.DepositOrder{"": core.OrderCreated, "created": core.OrderCreated, " Requested ": core.OrderRequested} {
		got, err := core.ParseDepositOrder(s)
		require.NoError(t, err, s)
		require.Equal(t, want, got, s)
	}
	_, err := core.ParseDepositOrder("updated")
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	f := core.DepositFilter{}
	require.NoError(t, f.Validate())
	require.Equal(t, core.OrderCreated, f.Order, "the zero order is creation")
}

func TestDepositPageCursorCarriesTheSortTime(t *testing.T) {
	t.Parallel()
	created, requested := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC), time.Date(2026, 11, 24, 8, 0, 0, 0, time.UTC)
	recs := []*core.DepositRecord{{ID: 9, CreatedAt: created, RequestedAt: requested}, {ID: 8}}
	page := core.DepositFilter{Limit: 1}.Page(recs)
	require.Equal(t, core.DepositCursor{Order: core.OrderCreated, At: created, ID: 9}, *page.Next)
	page = core.DepositFilter{Limit: 1, Order: core.OrderRequested}.Page(recs)
	require.Equal(t, core.DepositCursor{Order: core.OrderRequested, At: requested, ID: 9}, *page.Next)
	require.Len(t, page.Records, 1)
	require.Nil(t, core.DepositFilter{Limit: 2}.Page(recs).Next)
}

func TestDepositCountText(t *testing.T) {
	t.Parallel()
	require.Equal(t, "0", core.DepositCount{}.String())
	require.Equal(t, "999", core.DepositCount{N: 999}.String())
	require.Equal(t, "1,234", core.DepositCount{N: 1234}.String())
	require.Equal(t, "more than 10,000", core.DepositCount{N: core.DepositCountCap, More: true}.String())
}

// The count is of the search the page shows: the same filter, as Validate
// puts it, on every page; a cursor does not shrink it.
func TestCountDepositsCountsTheSearch(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	page, err := b.svc.SearchDeposits(b.clerk, core.DepositFilter{Prefix: true, CustomerNo: ptr("c100")})
	require.NoError(t, err)
	require.Len(t, page.Records, 1)
	n, err := b.svc.CountDeposits(b.clerk, core.DepositFilter{Prefix: true, CustomerNo: ptr("c100"), After: &core.DepositCursor{At: page.Records[0].CreatedAt, ID: page.Records[0].ID}})
	require.NoError(t, err)
	require.Equal(t, core.DepositCount{N: 1}, n)
	n, err = b.svc.CountDeposits(b.clerk, core.DepositFilter{CustomerNo: ptr("c100")})
	require.NoError(t, err)
	require.Equal(t, core.DepositCount{}, n, "without Prefix a number matches itself only")
}

// A record number names its creation day, so its prefix bounds the
// creation time searched; the filter's own range narrows it further.
func TestRecordNoPrefixBoundsCreation(t *testing.T) {
	t.Parallel()
	day := func(y int, m time.Month, d int) *time.Time { t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC); return &t }
	for prefix, want := range map[string][2]*time.Time{
		"D20261125-0001": {day(2026, 11, 25), day(2026, 11, 26)},
		"D20261125":      {day(2026, 11, 25), day(2026, 11, 26)},
		"D2026112":       {day(2026, 11, 20), day(2026, 11, 30)},
		"D202612":        {day(2026, 11, 30), day(2027, 3, 10)}, // wider than December, never narrower
		"D2026":          {day(2025, 11, 30), day(2034, 6, 8)},
		"D":              {nil, nil},
	} {
		f := core.DepositFilter{Prefix: true, RecordNo: &prefix}
		from, to := f.CreatedRange()
		require.Equal(t, want, [2]*time.Time{from, to}, prefix)
	}
	// Every real day of a prefix is inside its bounds.
	for d := *day(2024, 1, 1); d.Before(*day(2028, 1, 1)); d = d.AddDate(0, 0, 1) {
		no := core.FormatRecordNo(d.Add(23*time.Hour), 1)
		for n := 2; n <= 9; n++ {
			f := core.DepositFilter{Prefix: true, RecordNo: ptr(no[:n])}
			from, to := f.CreatedRange()
			require.False(t, d.Before(*from) || !d.Add(23*time.Hour).Before(*to), "%s in %s", no, no[:n])
		}
	}
	f := core.DepositFilter{Prefix: true, RecordNo: ptr("D2026112"), CreatedFrom: day(2026, 11, 25), CreatedTo: day(2026, 12, 5)}
	from, to := f.CreatedRange()
	require.Equal(t, [2]*time.Time{day(2026, 11, 25), day(2026, 11, 30)}, [2]*time.Time{from, to})
	f = core.DepositFilter{RecordNo: ptr("D20261125-000001"), CreatedTo: day(2026, 12, 5)}
	from, to = f.CreatedRange()
	require.Equal(t, [2]*time.Time{nil, day(2026, 12, 5)}, [2]*time.Time{from, to}, "a whole number is looked up, not ranged")
}

// Validate puts values in their stored form in the filter it is given,
// never in the caller's strings, which other searches may be reading.
func TestDepositFilterValidateLeavesTheCallersStrings(t *testing.T) {
	t.Parallel()
	no, cust, acct, tx := "d2026", " c100 ", "sa-1", "0xABCDEF01…B1DF"
	f := core.DepositFilter{Prefix: true, RecordNo: &no, CustomerNo: &cust, SecuritiesAccount: &acct, TxID: &tx}
	g := f
	require.NoError(t, g.Validate())
	require.Equal(t, []string{"D2026", "C100", "SA-1", "abcdef01", "b1df"}, []string{*g.RecordNo, *g.CustomerNo, *g.SecuritiesAccount, *g.TxID, *g.TxIDTail})
	require.Equal(t, []string{"d2026", " c100 ", "sa-1", "0xABCDEF01…B1DF"}, []string{*f.RecordNo, *f.CustomerNo, *f.SecuritiesAccount, *f.TxID})
}
