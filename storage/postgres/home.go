package postgres

import (
	"context"
	"fmt"
	"math/big"
	"time"

	"depositdesk/core"
)

// CountDepositsInStatus implements core.HomeStore: the deposits_status
// index answers it, and it stops at limit entries.
func (s *Store) CountDepositsInStatus(ctx context.Context, status core.DepositStatus, limit int) (int64, error) {
	return s.count(ctx, "count deposits", `SELECT count(*) FROM (SELECT 1 FROM deposits WHERE status = $1 LIMIT $2) t`, string(status), limit)
}

// CountWalletAddresses implements core.HomeStore. wallet_addresses has no
// status index: a customer has a handful of addresses, and the scan stops
// at limit matches.
func (s *Store) CountWalletAddresses(ctx context.Context, status core.AddressStatus, limit int) (int64, error) {
	return s.count(ctx, "count wallet addresses",
		`SELECT count(*) FROM (SELECT 1 FROM wallet_addresses WHERE status = $1 LIMIT $2) t`, string(status), limit)
}

// CountManualVerifications implements core.HomeStore: the table holds only
// documents still waiting (approval removes them).
func (s *Store) CountManualVerifications(ctx context.Context, limit int) (int64, error) {
	return s.count(ctx, "count manual verifications", `SELECT count(*) FROM (SELECT 1 FROM manual_verifications LIMIT $1) t`, limit)
}

// CountRefunds implements core.HomeStore. Refunds are rare beside
// deposits; the scan stops at limit matches.
func (s *Store) CountRefunds(ctx context.Context, status core.RefundStatus, unnotified bool, limit int) (int64, error) {
	return s.count(ctx, "count refunds",
		`SELECT count(*) FROM (SELECT 1 FROM refunds WHERE status = $1 AND (NOT $2 OR notified_at IS NULL) LIMIT $3) t`,
		string(status), unnotified, limit)
}

func (s *Store) count(ctx context.Context, what, query string, args ...any) (int64, error) {
	var n int64
	if err := s.pool.QueryRow(ctx, query, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("%s: %w", what, err)
	}
	return n, nil
}

// DepositStats implements core.HomeStore: one pass over the created_at
// range of deposits_created; NUMERIC sums amounts exactly.
func (s *Store) DepositStats(ctx context.Context, from, to time.Time) (*core.DepositStats, error) {
	st := &core.DepositStats{From: from.UTC(), To: to.UTC(), Statuses: map[core.DepositStatus]int64{}}
	type key struct{ day, asset int64 }
	days := map[key]*core.DepositDay{}
	rows, err := s.pool.Query(ctx, `SELECT status, asset_id, floor(extract(epoch FROM created_at) / 86400)::bigint, count(*), sum(amount)::text
		FROM deposits WHERE created_at >= $1 AND created_at < $2 GROUP BY 1, 2, 3`, from, to)
	if err != nil {
		return nil, fmt.Errorf("deposit stats: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var status, sum string
		var k key
		var n int64
		if err := rows.Scan(&status, &k.asset, &k.day, &n, &sum); err != nil {
			return nil, fmt.Errorf("deposit stats: %w", err)
		}
		d := days[k]
		if d == nil {
			d = &core.DepositDay{Day: time.Unix(k.day*86400, 0).UTC(), AssetID: k.asset, Credited: new(big.Int)}
			days[k] = d
		}
		d.Records += n
		st.Statuses[core.DepositStatus(status)] += n
		if core.WasCredited(core.DepositStatus(status)) {
			amount, ok := new(big.Int).SetString(sum, 10)
			if !ok {
				return nil, fmt.Errorf("deposit stats: sum %q is not a decimal integer", sum)
			}
			d.Credited.Add(d.Credited, amount)
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
