package main

import (
	"encoding/json"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/internal/pgtest"
)

func TestRefundCommandsOnSQLite(t *testing.T) {
	t.Parallel()
	refundCommands(t, newCLI(t, filepath.Join(t.TempDir(), "desk.db")))
}

func TestRefundCommandsOnPostgres(t *testing.T) {
	t.Parallel()
	refundCommands(t, newCLI(t, pgtest.NewDatabase(t)))
}

func refundCommands(t *testing.T, c cli) {
	r := c.admin("--json", "search", "--status", "credited", "--limit", "1")
	require.Equal(t, 0, r.code, r.stderr)
	var recs []struct {
		RecordNo      string `json:"record_no"`
		SourceAddress string `json:"source_address"`
		Amount        string `json:"amount"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &recs))
	rec := recs[0]

	const identity = "--identity=video call, ticket 4471"
	require.Equal(t, 3, c.admin("refund", "request", rec.RecordNo, "--address", "bc1qnotthecustomers", identity).code)
	require.Equal(t, 3, c.admin("refund", "request", rec.RecordNo, "--address", rec.SourceAddress, "--amount", "0.001", identity).code,
		"an adjusted amount needs its reason")
	require.Equal(t, 2, c.admin("refund", "request", rec.RecordNo, "--address", rec.SourceAddress).code, "--identity is required")
	require.Equal(t, 3, c.admin("refund", "request", rec.RecordNo, "--address", rec.SourceAddress, "--identity", " ").code,
		"an empty identity check is refused")
	var got struct {
		ID          int64  `json:"id"`
		Status      string `json:"status"`
		Amount      string `json:"amount"`
		RequestedBy string `json:"requested_by"`
		ApprovedBy  string `json:"approved_by"`
		Identity    string `json:"identity_check"`
		Forced      bool   `json:"forced"`
	}
	c.jsonOut(&got, "refund", "request", rec.RecordNo, "--address", rec.SourceAddress, identity, "--forced")
	require.Equal(t, "Requested", got.Status)
	require.Equal(t, "video call, ticket 4471", got.Identity)
	require.True(t, got.Forced)
	require.Equal(t, rec.Amount, got.Amount, "the deposit's amount by default")
	require.Equal(t, 3, c.admin("refund", "request", rec.RecordNo, "--address", rec.SourceAddress, identity).code, "the record is Refunding now")
	require.Equal(t, 7, c.admin("refund", "approve", strconv.FormatInt(got.ID, 10)).code, "nobody approves their own request")

	c.checker("sam", "sam-password-01", "refund-approval")
	r = c.as("sam", "sam-password-01", "--json", "refund", "approve", strconv.FormatInt(got.ID, 10))
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Equal(t, "Approved", got.Status)
	require.Equal(t, "sam", got.ApprovedBy)
	require.Equal(t, 2, c.as("sam", "sam-password-01", "refund", "reject", strconv.FormatInt(got.ID, 10)).code, "--remarks is required")
	r = c.as("sam", "sam-password-01", "refund", "reject", strconv.FormatInt(got.ID, 10), "--remarks", "customer withdrew")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "Credited", c.search("--record-no", rec.RecordNo)[0].Status)
	var shown struct {
		Refunds []struct {
			Status     string `json:"status"`
			ApprovedBy string `json:"approved_by"`
		} `json:"refunds"`
	}
	c.jsonOut(&shown, "show", rec.RecordNo)
	require.Len(t, shown.Refunds, 1)
	require.Equal(t, "Rejected", shown.Refunds[0].Status)
	require.Equal(t, "sam", shown.Refunds[0].ApprovedBy)

	r = c.admin("--json", "refund", "list", "--status", "rejected")
	require.Equal(t, 0, r.code, r.stderr)
	var list []json.RawMessage
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &list))
	require.Len(t, list, 1)
}

func TestHeldRecordsAreReleasedOrRejectedOnSQLite(t *testing.T) {
	t.Parallel()
	c := newCLI(t, filepath.Join(t.TempDir(), "desk.db"))
	held := c.search("--status", "held for review", "--limit", "2")
	require.Len(t, held, 2, "the seed holds some records")
	require.Equal(t, 3, c.admin("release", held[0].RecordNo).code, "remarks are required")
	r := c.admin("release", held[0].RecordNo, "--remarks", "amount checked with the customer")
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "released "+held[0].RecordNo+": Confirming")
	r = c.admin("reject", held[1].RecordNo, "--remarks", "sent from another customer's wallet")
	require.Equal(t, 0, r.code, r.stderr)
	require.Equal(t, "Rejected", c.search("--record-no", held[1].RecordNo)[0].Status)
	require.Equal(t, 3, c.admin("reject", held[1].RecordNo, "--remarks", "again").code, "only a held record is decided")
}
