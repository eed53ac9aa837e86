package postgres_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/storetest"
)

// The audit head's guard (migration 00020) reads the log through its
// primary key: moving the head scans no table, however long the log, where
// the guard of 00010 read the whole log on every append of every desk.
func TestMovingTheAuditHeadScansNoTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, url := open(t)
	for i := range 300 {
		require.NoError(t, s.AppendAudit(ctx, core.AuditEntry{At: storetest.T0, Actor: "op", Action: "operator.login",
			Entity: "operator", EntityID: "op", Remarks: fmt.Sprint(i)}))
	}
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `ANALYZE audit_log`)
	require.NoError(t, err)

	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(ctx)
	var seq int64
	var hash string
	require.NoError(t, tx.QueryRow(ctx, `SELECT last_seq, last_hash FROM audit_head WHERE id = 1 FOR UPDATE`).Scan(&seq, &hash))
	require.EqualValues(t, 300, seq)
	insert := func(seq int64, prevHash, hash string) {
		_, err := tx.Exec(ctx, `INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
			VALUES ($1, now(), 'probe', 'probe', 'probe', '', '', '', '', $2, $3)`, seq, prevHash, hash)
		require.NoError(t, err)
	}
	// A session plans the guard's statements for their values five times,
	// then settles on a generic plan: the sixth move on is what a desk's
	// pooled connection runs all day.
	for i := seq + 1; i <= seq+10; i++ {
		insert(i, hash, fmt.Sprint("probe-", i))
		hash = fmt.Sprint("probe-", i)
		_, err = tx.Exec(ctx, `UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, i, hash)
		require.NoError(t, err, "the guard lets the head move to the log's last row")
	}
	var scans int64
	require.NoError(t, tx.QueryRow(ctx, `SELECT seq_scan FROM pg_stat_xact_user_tables WHERE relname = 'audit_log'`).Scan(&scans))
	require.Zero(t, scans, "the guard read the audit log by sequential scan")

	// The guard still holds the head to the log's last row.
	last := seq + 10
	for _, i := range []int64{last + 1, last + 2} {
		insert(i, "", fmt.Sprint("probe-", i))
	}
	_, err = tx.Exec(ctx, `UPDATE audit_head SET last_seq = $1, last_hash = $2 WHERE id = 1`, last+1, fmt.Sprint("probe-", last+1))
	require.ErrorContains(t, err, "only moves forward, to the last row")
}
