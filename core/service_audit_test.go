package core_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/mock"
)

// auditStore serves rows through FindAudit the way storage pages them.
func auditStore(t *testing.T, rows []*core.AuditEntry) *mock.Store {
	store := strictStore(t)
	store.FindAuditFunc = func(_ context.Context, f core.AuditFilter) ([]*core.AuditEntry, error) {
		var out []*core.AuditEntry
		for _, r := range rows {
			if r.Seq > f.AfterSeq && (f.Limit == 0 || len(out) < f.Limit) {
				out = append(out, r)
			}
		}
		return out, nil
	}
	// The head is the last row, as a store keeps it.
	store.AuditStateFunc = func(context.Context) (core.AuditState, error) {
		st := core.AuditState{Rows: int64(len(rows))}
		for _, r := range rows {
			if st.MinSeq == 0 || r.Seq < st.MinSeq {
				st.MinSeq = r.Seq
			}
			if r.Seq >= st.MaxSeq {
				st.MaxSeq, st.HeadSeq, st.HeadHash = r.Seq, r.Seq, r.Hash
			}
		}
		return st, nil
	}
	store.SettingFunc = func(context.Context, string) (string, error) { return "", nil }
	return store
}

func TestVerifyAudit(t *testing.T) {
	t.Parallel()
	ctx := withOperator("auditor", core.PermAuditView)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	t.Run("IntactChain", func(t *testing.T) {
		t.Parallel()
		v, err := newTestService(auditStore(t, sealedChain(7)), now).VerifyAudit(ctx, core.AuditAnchors{})
		require.NoError(t, err)
		require.True(t, v.Intact())
		require.Equal(t, int64(7), v.Checked)
	})
	t.Run("NamesTheFirstTamperedRow", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(7)
		rows[4].After = "credited"
		rows[5].Remarks = "also edited"
		v, err := newTestService(auditStore(t, rows), now).VerifyAudit(ctx, core.AuditAnchors{})
		require.NoError(t, err)
		require.False(t, v.Intact())
		require.Equal(t, int64(5), v.FirstBroken)
		require.Equal(t, int64(4), v.Checked, "rows before the broken one verified")
		require.NotEmpty(t, v.Reason)
	})
	t.Run("NamesADeletedRowAsGap", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(5)
		rows = append(rows[:1], rows[2:]...)
		v, err := newTestService(auditStore(t, rows), now).VerifyAudit(ctx, core.AuditAnchors{})
		require.NoError(t, err)
		require.Equal(t, int64(3), v.FirstBroken)
		require.Contains(t, v.Reason, "expected row 2")
	})
}

func TestExportAudit(t *testing.T) {
	t.Parallel()
	ctx := withOperator("auditor", core.PermAuditView)
	now := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	t.Run("RefusesUnknownFormatWithoutAuditing", func(t *testing.T) {
		t.Parallel()
		err := newTestService(strictStore(t), now).ExportAudit(ctx, &bytes.Buffer{}, "xml")
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("WritesEveryRowAndAuditsTheExport", func(t *testing.T) {
		t.Parallel()
		store := auditStore(t, sealedChain(3))
		var exported []core.AuditEntry
		store.AppendAuditFunc = func(_ context.Context, e core.AuditEntry) error {
			exported = append(exported, e)
			return nil
		}
		var buf bytes.Buffer
		require.NoError(t, newTestService(store, now).ExportAudit(ctx, &buf, core.AuditCSV))
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		require.Len(t, lines, 4, "header and three rows")
		require.True(t, strings.HasPrefix(lines[0], "seq,at,actor"))
		require.Len(t, exported, 1)
		require.Equal(t, "audit.export", exported[0].Action)
		require.Equal(t, "auditor", exported[0].Actor)
	})
}
