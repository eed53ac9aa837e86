package sqlite

import (
	"context"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"depositdesk/core"
)

// dayMicros is one day in the unit times are stored in.
const dayMicros = int64(24 * time.Hour / time.Microsecond)

// CountDepositsInStatus implements core.HomeStore: the deposits_status
// index alone answers it, and it stops at limit entries.
func (s *Store) CountDepositsInStatus(ctx context.Context, status core.DepositStatus, limit int) (int64, error) {
	return s.count(ctx, "count deposits",
		`SELECT count(*) FROM (SELECT 1 FROM deposits INDEXED BY deposits_status WHERE status = ? LIMIT ?)`, string(status), limit)
}

// CountWalletAddresses implements core.HomeStore. wallet_addresses has no
// status index: a customer has a handful of addresses, so the table is a
// small fraction of deposits, and the scan stops at limit matches.
func (s *Store) CountWalletAddresses(ctx context.Context, status core.AddressStatus, limit int) (int64, error) {
	return s.count(ctx, "count wallet addresses",
		`SELECT count(*) FROM (SELECT 1 FROM wallet_addresses WHERE status = ? LIMIT ?)`, string(status), limit)
}

// CountManualVerifications implements core.HomeStore: the table holds only
// documents still waiting (approval removes them).
func (s *Store) CountManualVerifications(ctx context.Context, limit int) (int64, error) {
	return s.count(ctx, "count manual verifications", `SELECT count(*) FROM (SELECT 1 FROM manual_verifications LIMIT ?)`, limit)
}

// CountRefunds implements core.HomeStore. Refunds are rare beside
// deposits; the scan stops at limit matches.
func (s *Store) CountRefunds(ctx context.Context, status core.RefundStatus, unnotified bool, limit int) (int64, error) {
	return s.count(ctx, "count refunds",
		`SELECT count(*) FROM (SELECT 1 FROM refunds WHERE status = ? AND (NOT ? OR notified_at = 0) LIMIT ?)`, string(status), unnotified, limit)
}

func (s *Store) count(ctx context.Context, what, query string, args ...any) (int64, error) {
	var n int64
	if err := s.read.QueryRowContext(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// DepositStats implements core.HomeStore. Counts come from the
// deposits_status_asset index alone (every status and asset named, so each
// is one range of created_at); only the credited records' amounts are read
// from the table. SQLite's sum() is 64-bit and an amount in wei is not, so
// each amount is summed in 12-digit pieces (a piece's sum fits 64 bits for
// up to 9 million records a day) that are put together here exactly.
func (s *Store) DepositStats(ctx context.Context, from, to time.Time) (*core.DepositStats, error) {
	st := &core.DepositStats{From: from.UTC(), To: to.UTC(), Statuses: map[core.DepositStatus]int64{}}
	type key struct{ day, asset int64 }
	days := map[key]*core.DepositDay{}
	day := func(k key) *core.DepositDay {
		d := days[k]
		if d == nil {
			d = &core.DepositDay{Day: fromMicros(k.day * dayMicros), AssetID: k.asset, Credited: new(big.Int)}
			days[k] = d
		}
		return d
	}
	lo, hi := micros(from), micros(to)
	rows, err := s.read.QueryContext(ctx, statsCountSQL, dayMicros, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("deposit stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status string
		var k key
		var n int64
		if err := rows.Scan(&status, &k.asset, &k.day, &n); err != nil {
			return nil, fmt.Errorf("deposit stats: %w", err)
		}
		st.Statuses[core.DepositStatus(status)] += n
		day(k).Records += n
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deposit stats: %w", err)
	}
	rows, err = s.read.QueryContext(ctx, statsCreditedSQL, dayMicros, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("deposit stats: %w", err)
	}
	defer rows.Close()
	var sums [amountChunks]int64
	dest := []any{nil, nil}
	for i := range sums {
		dest = append(dest, &sums[i])
	}
	for rows.Next() {
		var k key
		dest[0], dest[1] = &k.asset, &k.day
		if err := rows.Scan(dest...); err != nil {
			return nil, fmt.Errorf("deposit stats: %w", err)
		}
		d := day(k)
		var part big.Int
		for i := amountChunks - 1; i >= 0; i-- { // Σ sums[i]·10^(12i), by Horner
			d.Credited.Mul(d.Credited, chunkBase)
			d.Credited.Add(d.Credited, part.SetInt64(sums[i]))
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("deposit stats: %w", err)
	}
	for _, d := range days {
		st.Days = append(st.Days, *d)
	}
	core.SortDepositDays(st.Days)
	return st, nil
}

// The stats' queries: every status and asset named, so that each (status,
// asset) pair is one range of created_at in deposits_status_asset.
var (
	statsCountSQL = `SELECT status, asset_id, created_at / ?, count(*) FROM deposits INDEXED BY deposits_status_asset
		WHERE status IN ` + statusList(core.AllDepositStatuses()) + ` AND asset_id IN (SELECT id FROM assets)
		AND created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`
	statsCreditedSQL = `SELECT asset_id, created_at / ?, ` + chunkSums() + ` FROM deposits INDEXED BY deposits_status_asset
		WHERE status IN ` + statusList(slices.DeleteFunc(core.AllDepositStatuses(), func(s core.DepositStatus) bool { return !core.WasCredited(s) })) + `
		AND asset_id IN (SELECT id FROM assets) AND created_at >= ? AND created_at < ? GROUP BY 1, 2`
)

// amountChunks pieces of 12 digits hold the longest amount (78 digits).
const amountChunks = 7

var chunkBase = big.NewInt(1_000_000_000_000)

// chunkSums is the SQL of the sums of each amount's 12-digit pieces, the
// lowest first: piece k is the digits 12k+1 to 12k+12 counted from the
// right, 0 when the amount is shorter.
func chunkSums() string {
	var out []string
	for k := range amountChunks {
		out = append(out, fmt.Sprintf(`sum(CASE WHEN length(amount) > %[1]d THEN CAST(substr(amount, max(length(amount) - %[2]d + 1, 1), min(12, length(amount) - %[1]d)) AS INTEGER) ELSE 0 END)`,
			12*k, 12*(k+1)))
	}
	return strings.Join(out, ", ")
}

// statusList is statuses as an SQL list of literals ('a', 'b'): they are
// constants, and literals let the planner see each range of the index.
func statusList(ss []core.DepositStatus) string {
	out := "("
	for i, s := range ss {
		if i > 0 {
			out += ", "
		}
		out += "'" + string(s) + "'"
	}
	return out + ")"
}
