package core_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// clientBundle adds two intake clients to a storeBundle.
type clientBundle struct {
	*storeBundle
	crm, web       context.Context
	crmClient      *core.APIClient
	crmToken       string
	webClientToken string
}

func setupClients(t *testing.T) *clientBundle {
	t.Helper()
	b := &clientBundle{storeBundle: setupStore(t)}
	var err error
	b.crmClient, b.crmToken, err = b.svc.CreateAPIClient(b.admin, "crm", []core.Scope{core.ScopeIntake})
	require.NoError(t, err)
	var web *core.APIClient
	web, b.webClientToken, err = b.svc.CreateAPIClient(b.admin, "web", []core.Scope{"INTAKE"})
	require.NoError(t, err)
	b.crm = core.NewContextWithClient(context.Background(), b.crmClient)
	b.web = core.NewContextWithClient(context.Background(), web)
	return b
}

func (b *clientBundle) clientApp(key string) core.DepositApplication {
	a := b.app()
	a.ClientRequestKey, a.TxID = key, ""
	return a
}

func TestAPIClientLifecycle(t *testing.T) {
	t.Parallel()
	b := setupClients(t)
	ctx := context.Background()

	t.Run("TokenIsShownOnceAndOnlyItsHashStored", func(t *testing.T) {
		require.True(t, strings.HasPrefix(b.crmToken, core.TokenPrefix))
		require.Equal(t, core.HashAPIToken(b.crmToken), b.crmClient.TokenHash)
		require.NotContains(t, b.snapshot(t), b.crmToken)
	})
	t.Run("AuthenticatesByTokenWithScope", func(t *testing.T) {
		c, err := b.svc.AuthenticateClient(ctx, b.crmToken, core.ScopeIntake)
		require.NoError(t, err)
		require.Equal(t, "crm", c.Name)
		for _, tok := range []string{"", "Bearer x", b.crmToken + "x", core.TokenPrefix + strings.Repeat("A", 43)} {
			_, err := b.svc.AuthenticateClient(ctx, tok, core.ScopeIntake)
			require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), tok)
		}
		_, err = b.svc.AuthenticateClient(ctx, b.crmToken, core.Scope("refunds"))
		require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
	})
	t.Run("OnlyOperatorAdminManagesClients", func(t *testing.T) {
		_, _, err := b.svc.CreateAPIClient(b.clerk, "other", []core.Scope{core.ScopeIntake})
		require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
		_, err = b.svc.RevokeAPIClient(b.clerk, "crm", "leaked")
		require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
		_, err = b.svc.ListAPIClients(b.crm)
		require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "a client cannot manage clients")
		_, _, err = b.svc.CreateAPIClient(b.admin, "bad name", []core.Scope{core.ScopeIntake})
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, _, err = b.svc.CreateAPIClient(b.admin, "x", nil)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, _, err = b.svc.CreateAPIClient(b.admin, "CRM", []core.Scope{core.ScopeIntake})
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	})
	t.Run("ClientMayOnlyUseItsScope", func(t *testing.T) {
		_, err := b.svc.CancelDeposit(b.crm, b.rec.RecordNo, "not mine")
		require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
		_, err = b.svc.SearchDeposits(b.crm, core.DepositFilter{})
		require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err))
	})
}

func TestClientIntake(t *testing.T) {
	t.Parallel()
	b := setupClients(t)

	t.Run("SubmitsUnderItsOwnNameAndKeySpace", func(t *testing.T) {
		rec, created, err := b.svc.SubmitApplication(b.crm, b.clientApp("k-1"))
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, "k-1", b.crmClient.RequestKeyOf(rec))
		require.Equal(t, 1, countAudit(t, b.store, "client:crm", "deposit.create", rec.RecordNo))
		require.Equal(t, "client:crm", rec.SubmittedBy, "the record keeps which client sent it")
		require.Equal(t, "k-1", rec.SentRequestKey(), "the key as the client sent it")
		require.Equal(t, core.ChannelAPI, rec.Channel)
		require.Empty(t, rec.Remarks)

		again, created, err := b.svc.SubmitApplication(b.crm, b.clientApp("k-1"))
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, rec.RecordNo, again.RecordNo)
		require.Equal(t, 1, countAudit(t, b.store, "client:crm", "deposit.resubmit", rec.RecordNo), "a replay is audited too")

		other, created, err := b.svc.SubmitApplication(b.web, b.clientApp("k-1"))
		require.NoError(t, err)
		require.True(t, created, "another client's equal key is another request")
		require.NotEqual(t, rec.RecordNo, other.RecordNo)

		changed := b.clientApp("k-1")
		changed.Amount = "0.5"
		_, _, err = b.svc.SubmitApplication(b.crm, changed)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	})
	t.Run("KeyIsRequiredAndOperatorsCannotForgeOne", func(t *testing.T) {
		for _, k := range []string{"", "with space", strings.Repeat("k", 101), "tab\t"} {
			_, _, err := b.svc.SubmitApplication(b.crm, b.clientApp(k))
			require.Equal(t, core.EINVALID, core.ErrorCode(err), "%q", k)
		}
		_, _, err := b.svc.SubmitApplication(b.admin, b.clientApp("client-1:k-1"))
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("ReadsOnlyItsOwnRecords", func(t *testing.T) {
		rec, _, err := b.svc.SubmitApplication(b.crm, b.clientApp("k-read"))
		require.NoError(t, err)
		got, err := b.svc.ClientDeposit(b.crm, rec.RecordNo)
		require.NoError(t, err)
		require.Equal(t, rec.RecordNo, got.RecordNo)
		require.Equal(t, 1, countAudit(t, b.store, "client:crm", "deposit.view", rec.RecordNo))
		_, err = b.svc.ClientDeposit(b.web, rec.RecordNo)
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		_, err = b.svc.ClientDeposit(b.crm, b.rec.RecordNo)
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "an operator's record is not the client's")
	})
	t.Run("AttachesTxIDOnceToItsOwnRecord", func(t *testing.T) {
		rec, _, err := b.svc.SubmitApplication(b.crm, b.clientApp("k-tx"))
		require.NoError(t, err)
		tx := strings.Repeat("ab", 32)
		_, err = b.svc.AttachTxID(b.web, rec.RecordNo, tx, 0)
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		got, err := b.svc.AttachTxID(b.crm, rec.RecordNo, strings.ToUpper(tx), 0)
		require.NoError(t, err)
		require.Equal(t, tx, got.TxID)
		require.Equal(t, 1, countAudit(t, b.store, "client:crm", "deposit.attach_tx", rec.RecordNo))
		again, err := b.svc.AttachTxID(b.crm, rec.RecordNo, tx, 0)
		require.NoError(t, err, "the same attachment again is a retry")
		require.Equal(t, tx, again.TxID)
		_, err = b.svc.AttachTxID(b.crm, rec.RecordNo, strings.Repeat("cd", 32), 0)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))

		second, _, err := b.svc.SubmitApplication(b.crm, b.clientApp("k-tx-2"))
		require.NoError(t, err)
		_, err = b.svc.AttachTxID(b.crm, second.RecordNo, tx, 0)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a live record holds that transaction")
		_, err = b.svc.AttachTxID(b.crm, second.RecordNo, "xyz", 0)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, err = b.svc.AttachTxID(b.crm, second.RecordNo, tx, -1)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))

		_, err = b.svc.CancelDeposit(b.admin, second.RecordNo, "Duplicate user request")
		require.NoError(t, err)
		_, err = b.svc.AttachTxID(b.crm, second.RecordNo, strings.Repeat("ef", 32), 0)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), "only under verification")
	})
	t.Run("RevokedClientIsRefused", func(t *testing.T) {
		_, err := b.svc.RevokeAPIClient(b.admin, "web", "Token leaked in a log")
		require.NoError(t, err)
		_, err = b.svc.AuthenticateClient(context.Background(), b.webClientToken, core.ScopeIntake)
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
		_, err = b.svc.RevokeAPIClient(b.admin, "web", "again")
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		_, err = b.svc.RevokeAPIClient(b.admin, "nobody", "x")
		require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
	})
	t.Run("CountsByStatusWithoutLogin", func(t *testing.T) {
		n, err := b.svc.DepositCountsByStatus(context.Background())
		require.NoError(t, err)
		require.Positive(t, n[core.StatusVerifying])
	})
}

func countAudit(t *testing.T, s core.Store, actor, action, recordNo string) int {
	t.Helper()
	rows, err := s.FindAudit(context.Background(), core.AuditFilter{EntityID: &recordNo})
	require.NoError(t, err)
	n := 0
	for _, r := range rows {
		if r.Actor == actor && r.Action == action {
			n++
		}
	}
	return n
}

// TestClientAsksAboutUnservedCustomersBlind: for a customer number no
// request of the client names, the client's address read asks the store
// that one question and nothing else (neither the customer nor the asset is
// looked up), so a known and an unknown number take the same path to an
// answer that does not even repeat the number.
func TestClientAsksAboutUnservedCustomersBlind(t *testing.T) {
	t.Parallel()
	st := strictStore(t)
	var asked []string
	st.CustomerHasKeyedDepositFunc = func(_ context.Context, customerNo, keyPrefix string) (bool, error) {
		asked = append(asked, customerNo+" "+keyPrefix)
		return false, nil
	}
	client := &core.APIClient{ID: 7, Name: "crm", Scopes: []core.Scope{core.ScopeIntake}}
	_, err := newTestService(st, time.Now()).DepositAddress(core.NewContextWithClient(context.Background(), client), " c10001", "BTC", "regtest")
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err), "%v", err)
	require.NotContains(t, core.ErrorMessage(err), "C10001")
	require.Equal(t, []string{"C10001 client-7:"}, asked, "the number as stored, under the client's own key prefix")
}
