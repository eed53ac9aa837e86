package main

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/pgtest"
	"depositdesk/internal/tamper"
)

// tamperDB is plain SQL on a desk's database, as someone with write access
// to it would use it, engine by engine.
type tamperDB struct {
	t      *testing.T
	sqlite *sql.DB
	pg     *pgx.Conn
}

func openTamper(t *testing.T, db string) *tamperDB {
	t.Helper()
	if filepath.IsAbs(db) {
		conn, err := sql.Open("sqlite3", db+"?_busy_timeout=5000")
		require.NoError(t, err)
		t.Cleanup(func() { conn.Close() })
		return &tamperDB{t: t, sqlite: conn}
	}
	conn, err := pgx.Connect(context.Background(), db)
	require.NoError(t, err)
	t.Cleanup(func() { conn.Close(context.Background()) })
	return &tamperDB{t: t, pg: conn}
}

// dropGuards takes down the append-only triggers, as an attacker with
// the file (SQLite) or the tables' owner role (Postgres) can.
func (d *tamperDB) dropGuards() {
	d.t.Helper()
	if d.sqlite != nil {
		d.exec(tamper.SQLiteDropGuards)
		return
	}
	_, err := d.pg.Exec(context.Background(), tamper.PostgresDisableGuards)
	require.NoError(d.t, err)
}

// exec runs stmt with ? placeholders on either engine.
func (d *tamperDB) exec(stmt string, args ...any) {
	d.t.Helper()
	if d.sqlite != nil {
		_, err := d.sqlite.Exec(stmt, args...)
		require.NoError(d.t, err, stmt)
		return
	}
	n := 0
	var b strings.Builder
	for _, r := range stmt {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	_, err := d.pg.Exec(context.Background(), b.String(), args...)
	require.NoError(d.t, err, stmt)
}

// one reads one text value.
func (d *tamperDB) one(query string) string {
	d.t.Helper()
	var v string
	if d.sqlite != nil {
		require.NoError(d.t, d.sqlite.QueryRow(query).Scan(&v), query)
		return v
	}
	require.NoError(d.t, d.pg.QueryRow(context.Background(), query).Scan(&v), query)
	return v
}

// rows reads the whole log in order.
func (d *tamperDB) rows() []*core.AuditEntry {
	d.t.Helper()
	var out []*core.AuditEntry
	q := `SELECT seq, at, actor, action, entity, entity_id, before, after, remarks FROM audit_log ORDER BY seq`
	if d.sqlite != nil {
		rs, err := d.sqlite.Query(q)
		require.NoError(d.t, err)
		defer rs.Close()
		for rs.Next() {
			var e core.AuditEntry
			var at int64
			require.NoError(d.t, rs.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.Remarks))
			e.At = time.UnixMicro(at).UTC()
			out = append(out, &e)
		}
		return out
	}
	rs, err := d.pg.Query(context.Background(), q)
	require.NoError(d.t, err)
	defer rs.Close()
	for rs.Next() {
		var e core.AuditEntry
		require.NoError(d.t, rs.Scan(&e.Seq, &e.At, &e.Actor, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.Remarks))
		out = append(out, &e)
	}
	return out
}

// rewrite replaces the log from row `from` on with rows, re-sealed into a
// valid chain, and points the head at the new last row: what someone who
// knows the format does to make a forgery verify.
func (d *tamperDB) rewrite(from int64, rows []*core.AuditEntry) {
	d.t.Helper()
	all := d.rows()
	prev := core.GenesisHash
	for _, r := range all {
		if r.Seq < from {
			r.Seal(r.Seq, prev)
			prev = r.Hash
		}
	}
	d.exec(`DELETE FROM audit_log WHERE seq >= ?`, from)
	seq := from
	for _, r := range rows {
		r.Seal(seq, prev)
		at := any(r.At.UTC())
		if d.sqlite != nil {
			at = r.At.UnixMicro()
		}
		d.exec(`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, r.Seq, at, r.Actor, r.Action, r.Entity, r.EntityID, r.Before, r.After, r.Remarks, r.PrevHash, r.Hash)
		prev, seq = r.Hash, seq+1
	}
	d.exec(`UPDATE audit_head SET last_seq = ?, last_hash = ? WHERE id = 1`, seq-1, prev)
}

// Every attack on the audit log with plain SQL is named by `audit verify`,
// holding the log against the checkpoints the desk made, and exits 5.
// Not parallel: the real keyring's session bus is named in the environment.
func TestAuditTamperingIsNamed(t *testing.T) {
	engines := map[string]func(t *testing.T) string{
		"SQLite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "desk.db") },
		"Postgres": func(t *testing.T) string { return pgtest.NewDatabase(t) },
	}
	attacks := []struct {
		name   string
		attack func(d *tamperDB, cps [2]int64)
		names  string // what verify must say
	}{
		{"EditARow", func(d *tamperDB, _ [2]int64) {
			d.exec(`UPDATE audit_log SET remarks = 'Customer asked' WHERE seq = 5`)
		}, "broken at row 5: row content does not match its hash"},
		{"DeleteAMiddleRow", func(d *tamperDB, _ [2]int64) {
			d.exec(`DELETE FROM audit_log WHERE seq = 5`)
		}, "broken at row 6: sequence gap: expected row 5"},
		{"DeleteTheTailAndRewindTheHead", func(d *tamperDB, cps [2]int64) {
			d.rewrite(cps[1]-1, nil)
		}, "the log was truncated: a checkpoint signed at"},
		{"RehashEverythingFromARow", func(d *tamperDB, cps [2]int64) {
			rows := d.rows()[4:]
			rows[0].Remarks = "history rewritten"
			d.rewrite(5, rows)
		}, "was rewritten: its hash is not the one signed in the checkpoint"},
		{"RenumberAfterDeletingARow", func(d *tamperDB, _ [2]int64) {
			rows := d.rows()
			d.rewrite(5, rows[5:])
		}, "was rewritten: its hash is not the one signed in the checkpoint"},
		{"ReplaceTheWholeLog", func(d *tamperDB, _ [2]int64) {
			d.rewrite(1, []*core.AuditEntry{{At: time.Now(), Actor: "admin", Action: "operator.create", Entity: "operator", EntityID: "admin"}})
		}, "the log was truncated"},
		{"WipeTheLog", func(d *tamperDB, _ [2]int64) {
			d.exec(`DELETE FROM audit_log`)
			d.exec(`UPDATE audit_head SET last_seq = 0, last_hash = '' WHERE id = 1`)
		}, "the log was truncated"},
		{"InsertAtTheEndWithoutTheHead", func(d *tamperDB, _ [2]int64) {
			rows := d.rows()
			last := rows[len(rows)-1]
			e := &core.AuditEntry{At: time.Now(), Actor: "admin", Action: "operator.login", Entity: "operator", EntityID: "admin"}
			e.Seal(last.Seq+100, "")
			d.exec(`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
				SELECT ?, at, actor, action, entity, entity_id, before, after, remarks, hash, ? FROM audit_log WHERE seq = ?`, last.Seq+100, e.Hash, last.Seq)
		}, "there are rows after the head"},
		{"RowsNumberedZeroAndBelow", func(d *tamperDB, _ [2]int64) {
			d.exec(`INSERT INTO audit_log (seq, at, actor, action, entity, entity_id, before, after, remarks, prev_hash, hash)
				SELECT -seq, at, actor, 'operator.create', entity, 'ghost', before, after, remarks, prev_hash, hash FROM audit_log WHERE seq = 1`)
		}, "there are rows numbered 0 and below"},
		// Business rows edited behind the log's back: the replay names them.
		{"EditADepositsStatus", func(d *tamperDB, _ [2]int64) {
			rec := d.one(`SELECT min(record_no) FROM deposits WHERE status = 'verifying_address'`)
			d.exec(`UPDATE deposits SET status = 'credited' WHERE record_no = ?`, rec)
		}, "is Credited, but its history in the log ends at Wallet Address Under Verification"},
		{"EditADepositsAmount", func(d *tamperDB, _ [2]int64) {
			d.exec(`UPDATE deposits SET amount = 99900000000 WHERE record_no = (SELECT min(record_no) FROM deposits)`)
		}, "no longer matches the facts recorded when it was made"},
		{"ForgeACreditAtTheEnd", func(d *tamperDB, _ [2]int64) {
			rec := d.one(`SELECT min(record_no) FROM deposits WHERE status = 'verifying_address'`)
			last := d.rows()
			d.rewrite(last[len(last)-1].Seq+1, []*core.AuditEntry{{At: time.Now(), Actor: "watcher", Action: "deposit.credit",
				Entity: "deposit", EntityID: rec, Before: "verifying_address", After: "credited", Remarks: "3 of 3 confirmations"}})
		}, "to Credited, which no rule allows"},
		{"InsertARecordWithoutHistory", func(d *tamperDB, _ [2]int64) {
			d.exec(`UPDATE deposits SET record_no = 'D20200101-000001' WHERE record_no = (SELECT max(record_no) FROM deposits)`)
		}, "record D20200101-000001 ("},
		{"ChangeAnAddressesVerification", func(d *tamperDB, _ [2]int64) {
			d.exec(`UPDATE wallet_addresses SET status = 'revoked' WHERE id = (SELECT min(id) FROM wallet_addresses)`)
		}, "is Revoked, but the log last made it Verified"},
		{"LowerARefundsAmount", func(d *tamperDB, _ [2]int64) {
			d.exec(`UPDATE refunds SET amount = 1`)
		}, "no longer matches its request in the log"},
		{"BringBackARevokedClient", func(d *tamperDB, _ [2]int64) {
			if d.sqlite != nil {
				d.exec(`UPDATE api_clients SET revoked_at = 0`)
				return
			}
			d.exec(`UPDATE api_clients SET revoked_at = NULL`)
		}, "API client crm was revoked in the log but works again"},
		{"LowerAnAssetsConfirmations", func(d *tamperDB, _ [2]int64) {
			d.exec(`UPDATE assets SET confirmations_required = 1 WHERE symbol = 'BTC'`)
		}, "asset BTC@mainnet is configured otherwise than its last change in the log says"},
		{"AddAnOperatorBehindTheLog", func(d *tamperDB, _ [2]int64) {
			d.exec(`INSERT INTO operators (name, password_hash, permissions, disabled, failed_logins, locked_until, created_at, password_changed_at, permissions_set_by)
				SELECT 'ghost', password_hash, permissions, disabled, failed_logins, locked_until, created_at, password_changed_at, permissions_set_by
				FROM operators WHERE name = 'admin'`)
		}, "operator ghost has no creation in the log"},
		// Without its head the desk writes nothing, a login included, and
		// every command says why.
		{"DropTheHead", func(d *tamperDB, _ [2]int64) {
			d.exec(`DELETE FROM audit_head`)
		}, "The audit log's head row is missing"},
	}
	for engine, newDB := range engines {
		for _, a := range attacks {
			t.Run(engine+"/"+a.name, func(t *testing.T) {
				keyringtest.Start(t) // a station of its own, with its own checkpoint key
				db := newDB(t)
				dir := t.TempDir()
				c := cli{t: t, db: db}
				r := c.run(adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")
				require.Equal(t, 0, r.code, r.stderr)
				r = c.admin("--checkpoints", dir, "audit", "key", "--create")
				require.Equal(t, 0, r.code, r.stderr)
				r = c.admin("seed", "--records", "30", "--seed", "5")
				require.Equal(t, 0, r.code, r.stderr)
				// A refund and a revoked API client, for the attacks on them.
				credited := c.search("--status", "Credited", "--limit", "1")[0]
				var shown struct {
					Source string `json:"source_address"`
				}
				c.jsonOut(&shown, "show", credited.RecordNo)
				require.Equal(t, 0, c.admin("refund", "request", credited.RecordNo, "--address", shown.Source,
					"--identity", "video call, ticket 4471").code)
				require.Equal(t, 0, c.admin("client", "create", "--name", "crm").code)
				require.Equal(t, 0, c.admin("client", "revoke", "crm", "--remarks", "replaced").code)
				var cps [2]int64
				for i := range cps {
					for range 4 {
						require.Equal(t, 0, c.admin("firm", "show").code)
					}
					r = c.admin("--checkpoints", dir, "--json", "audit", "checkpoint")
					require.Equal(t, 0, r.code, r.stderr)
					_, err := fmt.Sscanf(strings.TrimSpace(r.stdout[strings.Index(r.stdout, `"seq":`):]), `"seq": %d`, &cps[i])
					require.NoError(t, err, r.stdout)
				}
				require.Equal(t, 0, c.admin("firm", "show").code)
				r = c.admin("--checkpoints", dir, "audit", "verify", "--state")
				require.Equal(t, 0, r.code, "intact before the attack: %s", r.stderr)
				require.Contains(t, r.stdout, "2 checkpoints held, 30 records replayed")

				d := openTamper(t, db)
				d.dropGuards()
				a.attack(d, cps)
				r = c.admin("--checkpoints", dir, "audit", "verify", "--state")
				require.Equal(t, 5, r.code, "%s went unnoticed: %s", a.name, r.stdout)
				require.Contains(t, r.stderr, a.names)
				if a.name == "DeleteTheTailAndRewindTheHead" {
					require.Contains(t, r.stderr, fmt.Sprintf("covers row %d, but the log ends at row %d", cps[1], cps[1]-1))
				}
			})
		}
	}
}
