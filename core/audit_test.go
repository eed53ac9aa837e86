package core_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// sealedChain builds n sealed rows as storage would append them.
func sealedChain(n int) []*core.AuditEntry {
	at := time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.UTC)
	rows := make([]*core.AuditEntry, n)
	prev := core.GenesisHash
	for i := range rows {
		e := &core.AuditEntry{At: at.Add(time.Duration(i) * time.Second), Actor: "alice", Action: "deposit.cancel",
			Entity: "deposit", EntityID: core.FormatRecordNo(at, int64(i+1)), Before: "verifying_address", After: "cancelled", Remarks: "no funds"}
		e.Seal(int64(i+1), prev)
		prev = e.Hash
		rows[i] = e
	}
	return rows
}

func TestAuditSeal(t *testing.T) {
	t.Parallel()
	e := &core.AuditEntry{At: time.Date(2026, 11, 25, 9, 0, 0, 123456789, time.FixedZone("KST", 9*3600)), Actor: "a", Action: "x"}
	e.Seal(7, "abc")
	require.Equal(t, int64(7), e.Seq)
	require.Equal(t, "abc", e.PrevHash)
	require.Equal(t, time.UTC, e.At.Location())
	require.Equal(t, 123456000, e.At.Nanosecond(), "truncated to what every engine stores")
	require.Len(t, e.Hash, 64)
	require.Equal(t, core.ChainHash("abc", e), e.Hash)
	require.NotEqual(t, core.ChainHash("abd", e), e.Hash, "the hash covers the link")
}

func TestAuditCanonicalSeparatesFields(t *testing.T) {
	t.Parallel()
	// Moving text from one field into the next must change the hash.
	a := &core.AuditEntry{Seq: 1, Actor: "ab", Action: "c"}
	b := &core.AuditEntry{Seq: 1, Actor: "a", Action: "bc"}
	require.NotEqual(t, core.ChainHash("", a), core.ChainHash("", b))
}

func TestVerifyAuditChain(t *testing.T) {
	t.Parallel()
	t.Run("IntactChainVerifies", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(5)
		broken, reason, lastSeq, lastHash := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Zero(t, broken, reason)
		require.Equal(t, int64(5), lastSeq)
		require.Equal(t, rows[4].Hash, lastHash)
	})
	t.Run("VerifiesInBatches", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(6)
		broken, _, seq, hash := core.VerifyAuditChain(rows[:2], 0, core.GenesisHash)
		require.Zero(t, broken)
		broken, _, seq, hash = core.VerifyAuditChain(rows[2:], seq, hash)
		require.Zero(t, broken)
		require.Equal(t, int64(6), seq)
		require.Equal(t, rows[5].Hash, hash)
	})
	t.Run("EmptyChainVerifies", func(t *testing.T) {
		t.Parallel()
		broken, _, seq, hash := core.VerifyAuditChain(nil, 0, core.GenesisHash)
		require.Zero(t, broken)
		require.Zero(t, seq)
		require.Equal(t, core.GenesisHash, hash)
	})

	tamper := map[string]func(e *core.AuditEntry){
		"At":       func(e *core.AuditEntry) { e.At = e.At.Add(time.Microsecond) },
		"Actor":    func(e *core.AuditEntry) { e.Actor = "mallory" },
		"Action":   func(e *core.AuditEntry) { e.Action = "deposit.delete" },
		"Entity":   func(e *core.AuditEntry) { e.Entity = "asset" },
		"EntityID": func(e *core.AuditEntry) { e.EntityID = "D20261125-999999" },
		"Before":   func(e *core.AuditEntry) { e.Before = "credited" },
		"After":    func(e *core.AuditEntry) { e.After = "refunded" },
		"Remarks":  func(e *core.AuditEntry) { e.Remarks = "" },
		"PrevHash": func(e *core.AuditEntry) { e.PrevHash = "00" + e.PrevHash[2:] },
		"Hash":     func(e *core.AuditEntry) { e.Hash = "00" + e.Hash[2:] },
	}
	for field, f := range tamper {
		t.Run("DetectsTampered"+field+"AtItsRow", func(t *testing.T) {
			t.Parallel()
			rows := sealedChain(5)
			f(rows[2])
			broken, reason, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
			require.Equal(t, int64(3), broken, reason)
			require.NotEmpty(t, reason)
		})
	}
	t.Run("DetectsTamperedSeqNamingTheExpectedRow", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(5)
		rows[2].Seq = 99
		broken, reason, lastSeq, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Equal(t, int64(99), broken)
		require.Contains(t, reason, "expected row 3")
		require.Equal(t, int64(2), lastSeq)
	})
	t.Run("DetectsTamperedFirstRow", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(3)
		rows[0].Remarks = "edited"
		broken, _, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Equal(t, int64(1), broken)
	})
	t.Run("DetectsResealedRowAtTheNextRow", func(t *testing.T) {
		t.Parallel()
		// Someone edits row 3 and recomputes its hash: row 4's link breaks.
		rows := sealedChain(5)
		rows[2].Remarks = "edited"
		rows[2].Seal(3, rows[2].PrevHash)
		broken, reason, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Equal(t, int64(4), broken, reason)
	})
	t.Run("DetectsDeletedRowAsGap", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(5)
		rows = append(rows[:2], rows[3:]...)
		broken, reason, lastSeq, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Equal(t, int64(4), broken)
		require.Contains(t, reason, "gap")
		require.Equal(t, int64(2), lastSeq, "state stops at the last good row")
	})
	t.Run("DetectsDeletedLastRowsOnlyFromOutside", func(t *testing.T) {
		t.Parallel()
		// Truncating the tail leaves a valid shorter chain: only an
		// exported head hash (kept elsewhere) reveals it.
		rows := sealedChain(5)
		broken, _, _, lastHash := core.VerifyAuditChain(rows[:4], 0, core.GenesisHash)
		require.Zero(t, broken)
		require.NotEqual(t, rows[4].Hash, lastHash)
	})
	t.Run("DetectsReorderedRows", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(5)
		rows[1], rows[2] = rows[2], rows[1]
		broken, _, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Equal(t, int64(3), broken, "row 3 appears where row 2 belongs")
	})
	t.Run("DetectsRenumberedReorder", func(t *testing.T) {
		t.Parallel()
		// Swapping contents but keeping seq numbers in place breaks the links.
		rows := sealedChain(5)
		rows[1], rows[2] = rows[2], rows[1]
		rows[1].Seq, rows[2].Seq = 2, 3
		broken, _, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
		require.Equal(t, int64(2), broken)
	})
	t.Run("DetectsWrongStartingPoint", func(t *testing.T) {
		t.Parallel()
		rows := sealedChain(3)
		broken, _, _, _ := core.VerifyAuditChain(rows[1:], 0, core.GenesisHash)
		require.Equal(t, int64(2), broken)
		broken, _, _, _ = core.VerifyAuditChain(rows[1:], 1, "ff")
		require.Equal(t, int64(2), broken)
	})
}
