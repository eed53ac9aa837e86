package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// MustCreateAPIClient registers an intake client with a fresh token and
// returns it with the token.
func MustCreateAPIClient(tb testing.TB, s core.Store, name string) (*core.APIClient, string) {
	tb.Helper()
	token, hash, err := core.NewAPIToken()
	require.NoError(tb, err)
	c := &core.APIClient{Name: name, TokenHash: hash, Scopes: []core.Scope{core.ScopeIntake}, CreatedBy: "admin", CreatedAt: T0}
	require.NoError(tb, s.CreateAPIClient(context.Background(), c, audit("client.create", "client", name, T0)))
	return c, token
}

func runAPIClients(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("CreatesAndFindsClientByNameIDAndTokenHash", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c, token := MustCreateAPIClient(t, s, "crm")
		require.NotZero(t, c.ID)
		hash := core.HashAPIToken(token)
		for _, f := range []core.APIClientFilter{{Name: ptr("CRM")}, {ID: &c.ID}, {TokenHash: &hash}} {
			got, err := s.FindAPIClients(ctx, f)
			require.NoError(t, err)
			require.Len(t, got, 1)
			require.Equal(t, c, got[0])
		}
		none, err := s.FindAPIClients(ctx, core.APIClientFilter{TokenHash: ptr(core.HashAPIToken(token + "x"))})
		require.NoError(t, err)
		require.Empty(t, none)
	})
	t.Run("FindsClientsOrderedByName", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		for _, n := range []string{"web", "crm", "mobile"} {
			MustCreateAPIClient(t, s, n)
		}
		got, err := s.FindAPIClients(ctx, core.APIClientFilter{})
		require.NoError(t, err)
		require.Len(t, got, 3)
		require.Equal(t, []string{"crm", "mobile", "web"}, []string{got[0].Name, got[1].Name, got[2].Name})
	})
	t.Run("RefusesDuplicateClientNameIgnoringCase", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		MustCreateAPIClient(t, s, "crm")
		_, hash, err := core.NewAPIToken()
		require.NoError(t, err)
		c := &core.APIClient{Name: "CRM", TokenHash: hash, Scopes: []core.Scope{core.ScopeIntake}, CreatedBy: "admin", CreatedAt: T0}
		requireCode(t, core.ECONFLICT, s.CreateAPIClient(ctx, c, audit("client.create", "client", "CRM", T0)))
		require.Equal(t, 1, MustVerifyChain(t, s), "a refused insert writes no audit row")
	})
	t.Run("RevokesOnceAndAudits", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		c, _ := MustCreateAPIClient(t, s, "crm")
		at := T0.Add(time.Hour)
		got, err := s.RevokeAPIClient(ctx, c.ID, audit("client.revoke", "client", "crm", at))
		require.NoError(t, err)
		require.Equal(t, at, got.RevokedAt)
		require.True(t, got.Revoked())
		_, err = s.RevokeAPIClient(ctx, c.ID, audit("client.revoke", "client", "crm", at.Add(time.Hour)))
		requireCode(t, core.ECONFLICT, err)
		again, _ := s.FindAPIClients(ctx, core.APIClientFilter{ID: &c.ID})
		require.Equal(t, at, again[0].RevokedAt, "a second revoke changes nothing")
		require.Equal(t, 2, MustVerifyChain(t, s))
		_, err = s.RevokeAPIClient(ctx, 999, audit("client.revoke", "client", "ghost", at))
		requireCode(t, core.ENOTFOUND, err)
	})
}

func runAttachTx(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	attach := func(f *Fixture, rec *core.DepositRecord, txid string, at time.Time) (*core.DepositRecord, error) {
		return f.Store.AttachDepositTx(ctx, core.DepositTxAttachment{ID: rec.ID, TxID: txid, TxIndex: 1,
			Audit: audit("deposit.attach_tx", "deposit", "", at)})
	}
	withoutTx := func(f *Fixture, i int) *core.DepositRecord {
		d := f.Deposit(f.BTC, f.Customer, i)
		d.TxID = ""
		return f.MustCreateDeposit(t, d)
	}
	t.Run("AttachesTxToApplicationUnderVerificationOnce", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := withoutTx(f, 0)
		txid, at := TxID(core.ChainBitcoin, 424242), T0.Add(time.Hour)
		got, err := attach(f, rec, txid, at)
		require.NoError(t, err)
		require.Equal(t, txid, got.TxID)
		require.Equal(t, 1, got.TxIndex)
		require.Equal(t, at, got.UpdatedAt)
		require.Equal(t, rec.RequestHash, got.RequestHash, "the request fingerprint stays that of the original request")
		require.Equal(t, 1, CountAudit(t, f.Store, "deposit.attach_tx", rec.RecordNo), "audited under the record no")

		_, err = attach(f, got, TxID(core.ChainBitcoin, 5), at)
		requireCode(t, core.ECONFLICT, err)
		page, _ := f.Store.FindDeposits(ctx, core.DepositFilter{ID: &rec.ID})
		require.Equal(t, txid, page.Records[0].TxID, "the first TXID stays")
	})
	t.Run("DoesNotAttachTxOutsideVerification", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		rec := f.MustTransition(t, withoutTx(f, 0), core.StatusCancelled)
		before := MustVerifyChain(t, f.Store)
		_, err := attach(f, rec, TxID(core.ChainBitcoin, 1), T0.Add(time.Hour))
		requireCode(t, core.ECONFLICT, err)
		require.Equal(t, before, MustVerifyChain(t, f.Store), "nothing audited")
	})
	t.Run("DoesNotAttachTxALiveRecordHolds", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		holder := f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, 0))
		rec := withoutTx(f, 1)
		before := MustVerifyChain(t, f.Store)
		_, err := f.Store.AttachDepositTx(ctx, core.DepositTxAttachment{ID: rec.ID, TxID: holder.TxID, TxIndex: holder.TxIndex,
			Audit: audit("deposit.attach_tx", "deposit", "", T0.Add(time.Hour))})
		requireCode(t, core.ECONFLICT, err)
		require.Equal(t, before, MustVerifyChain(t, f.Store))

		f.MustTransition(t, holder, core.StatusCancelled)
		got, err := f.Store.AttachDepositTx(ctx, core.DepositTxAttachment{ID: rec.ID, TxID: holder.TxID, TxIndex: holder.TxIndex,
			Audit: audit("deposit.attach_tx", "deposit", "", T0.Add(2*time.Hour))})
		require.NoError(t, err, "a cancelled record no longer holds its transaction")
		require.Equal(t, holder.TxID, got.TxID)
	})
	t.Run("AttachToMissingRecordIsNotFound", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		_, err := attach(f, &core.DepositRecord{ID: 4242}, TxID(core.ChainBitcoin, 1), T0)
		requireCode(t, core.ENOTFOUND, err)
	})
	t.Run("CountsRecordsByStatus", func(t *testing.T) {
		t.Parallel()
		f := NewFixture(t, newStore)
		got, err := f.Store.CountDepositsByStatus(ctx)
		require.NoError(t, err)
		require.Empty(t, got)
		for i, st := range []core.DepositStatus{core.StatusVerifying, core.StatusVerifying, core.StatusCredited, core.StatusCancelled} {
			f.MustTransition(t, f.MustCreateDeposit(t, f.Deposit(f.BTC, f.Customer, i)), PathTo(st)...)
		}
		got, err = f.Store.CountDepositsByStatus(ctx)
		require.NoError(t, err)
		require.Equal(t, map[core.DepositStatus]int64{core.StatusVerifying: 2, core.StatusCredited: 1, core.StatusCancelled: 1}, got)
	})
}
