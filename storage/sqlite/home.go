package sqlite

import (
	"context"
	"fmt"
	"math/big"
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
// from the table, and summed here exactly: SQLite's sum() is 64-bit and
// amounts in wei are not.
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
	rows, err := s.read.QueryContext(ctx, `SELECT status, asset_id, created_at / ?, count(*) FROM deposits INDEXED BY deposits_status_asset
		WHERE status IN `+statusList(core.AllDepositStatuses())+` AND asset_id IN (SELECT id FROM assets)
		AND created_at >= ? AND created_at < ? GROUP BY 1, 2, 3`, dayMicros, lo, hi)
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
	var credited []core.DepositStatus
	for _, s := range core.AllDepositStatuses() {
		if core.WasCredited(s) {
			credited = append(credited, s)
		}
	}
	rows, err = s.read.QueryContext(ctx, `SELECT asset_id, created_at / ?, amount FROM deposits INDEXED BY deposits_status_asset
		WHERE status IN `+statusList(credited)+` AND asset_id IN (SELECT id FROM assets) AND created_at >= ? AND created_at < ?`, dayMicros, lo, hi)
	if err != nil {
		return nil, fmt.Errorf("deposit stats: %w", err)
	}
	defer rows.Close()
	var amount big.Int
	var text []byte
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.asset, &k.day, &text); err != nil {
			return nil, fmt.Errorf("deposit stats: %w", err)
		}
		if _, ok := amount.SetString(string(text), 10); !ok {
			return nil, fmt.Errorf("deposit stats: amount %q is not a decimal integer", text)
		}
		d := day(k)
		d.Credited.Add(d.Credited, &amount)
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
