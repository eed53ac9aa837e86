package ui

import (
	"bytes"
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/internal/tamper"
	"depositdesk/internal/wire"
	"depositdesk/storage/sqlite"
)

type closingBuffer struct{ bytes.Buffer }

func (*closingBuffer) Close() error { return nil }

func TestAuditLogPagesFiltersVerifiesAndExports(t *testing.T) {
	b := setup(t)
	recs := b.withData(t, 130) // more than a page of audit rows
	b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAudit])
	p := b.ui.audit
	require.Len(t, p.rows, auditPageSize)
	require.Equal(t, int64(1), p.rows[0].Seq, "oldest first")
	require.True(t, p.prevBtn.Disabled())
	b.tap(t, p.nextBtn)
	require.Equal(t, int64(auditPageSize+1), p.rows[0].Seq)
	require.Contains(t, p.pageInfo.Text, "Page 2")
	b.tap(t, p.prevBtn)
	require.Equal(t, int64(1), p.rows[0].Seq)

	p.entity.SetSelected("deposit")
	test.Type(p.entityID, recs[0].RecordNo)
	b.tap(t, p.searchBtn)
	require.NotEmpty(t, p.rows)
	for _, e := range p.rows {
		require.Equal(t, recs[0].RecordNo, e.EntityID)
	}
	require.True(t, p.nextBtn.Disabled())
	p.table.Select(widget.TableCellID{Row: 0})
	require.Contains(t, p.detail.Text, recs[0].RecordNo)
	require.Contains(t, p.detail.Text, "Hash: "+p.rows[0].Hash)

	b.tap(t, p.verifyBtn)
	require.Regexp(t, `^Intact: \d+ rows verified, 0 checkpoints held, \d+ records replayed\.$`, p.verdict.Text)

	var out closingBuffer
	p.export(&out, core.AuditCSV, "audit-log.csv")
	b.settle(t)
	require.Equal(t, "Audit log exported to audit-log.csv.", p.message.Text)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Greater(t, len(lines), auditPageSize, "the whole log, not the page")
}

func TestAuditLogNamesATamperedRow(t *testing.T) {
	test.NewTempApp(t)
	path := filepath.Join(t.TempDir(), "desk.db")
	st, err := sqlite.Open(context.Background(), path)
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc := wire.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	b := &bundle{svc: svc, store: st, ui: New(test.NewTempApp(t), svc)}
	t.Cleanup(b.stop)
	b.withData(t, 3)
	raw, err := sql.Open("sqlite3", path)
	require.NoError(t, err)
	defer raw.Close()
	_, err = raw.Exec(tamper.SQLiteDropGuards)
	require.NoError(t, err)
	_, err = raw.Exec(`UPDATE audit_log SET remarks = 'edited' WHERE seq = 4`)
	require.NoError(t, err)

	b.loginAs(t, "admin", adminPW)
	b.tap(t, b.ui.nav[pageAudit])
	b.tap(t, b.ui.audit.verifyBtn)
	require.True(t, strings.HasPrefix(b.ui.audit.verdict.Text, "BROKEN at row 4:"), b.ui.audit.verdict.Text)
}
