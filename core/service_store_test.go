package core_test

import (
	"context"
	"encoding/json"
	"math/big"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/storage/sqlite"
	"depositdesk/storage/storetest"
)

// storeBundle is a Service over a real SQLite store with an administrator,
// a clerk without Cancel, one customer with a verified address, an enabled
// and a disabled asset, and one application under verification.
type storeBundle struct {
	svc        *core.Service
	store      core.Store
	admin      context.Context
	clerk      context.Context
	rec        *core.DepositRecord
	btcAddress string
}

func setupStore(t *testing.T) *storeBundle {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	svc := core.NewService(st)
	svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	svc.Now = func() time.Time { return time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC) }
	svc.Nodes = storetest.EmptyNodes()
	admin, err := svc.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(t, err)
	b := &storeBundle{svc: svc, store: st, admin: core.NewContextWithOperator(ctx, admin)}
	clerk, err := svc.CreateOperator(b.admin, "clerk", "clerk-password-1", []core.Permission{core.PermDepositRecords, core.PermDepositApplication})
	require.NoError(t, err)
	b.clerk = core.NewContextWithOperator(ctx, clerk)
	for _, a := range []*core.Asset{
		{Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(10_000), ConfirmationsRequired: 1, Enabled: true},
		{Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1), ConfirmationsRequired: 2, Enabled: false},
	} {
		require.NoError(t, svc.CreateAsset(b.admin, a))
	}
	require.NoError(t, svc.CreateCustomer(b.admin, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Wei Chan", IdentityRef: "KYC-1"}))
	b.btcAddress = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"
	b.rec, _, err = svc.SubmitApplication(b.admin, b.app())
	require.NoError(t, err)
	return b
}

func (b *storeBundle) app() core.DepositApplication {
	return core.DepositApplication{Channel: core.ChannelBranch, Remarks: "Customer came to the branch", ClientRequestKey: "req-1", CustomerNo: "C10001", SecuritiesAccount: "SA-20001", AssetSymbol: "BTC",
		Network: "regtest", Amount: "0.015", SourceAddress: b.btcAddress, DestinationAddress: "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry",
		TxID: "4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"}
}

// credit moves rec through the store as the watcher does: Confirming, then
// Credited.
func (b *storeBundle) credit(t *testing.T, rec *core.DepositRecord) *core.DepositRecord {
	t.Helper()
	for _, to := range []core.DepositStatus{core.StatusConfirming, core.StatusCredited} {
		var err error
		rec, err = b.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: to,
			Audit: core.AuditEntry{At: b.svc.Now(), Actor: "watcher", Action: "deposit." + string(to), Entity: "deposit"}})
		require.NoError(t, err)
	}
	return rec
}

// snapshot is everything a failed call must leave unchanged.
func (b *storeBundle) snapshot(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	audit, err := b.store.FindAudit(ctx, core.AuditFilter{})
	require.NoError(t, err)
	page, err := b.store.FindDeposits(ctx, core.DepositFilter{Limit: core.MaxPageSize})
	require.NoError(t, err)
	ops, _ := b.store.FindOperators(ctx, core.OperatorFilter{})
	assets, _ := b.store.FindAssets(ctx, core.AssetFilter{})
	customers, _ := b.store.FindCustomers(ctx, core.CustomerFilter{})
	addrs, _ := b.store.FindWalletAddresses(ctx, core.WalletAddressFilter{})
	out, err := json.Marshal([]any{audit, page.Records, ops, assets, customers, addrs})
	require.NoError(t, err)
	return string(out)
}

func TestBadInputChangesNothing(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	with := func(change func(*core.DepositApplication)) core.DepositApplication {
		a := b.app()
		a.ClientRequestKey = "req-bad"
		a.TxID = ""
		change(&a)
		return a
	}
	submit := func(ctx context.Context, a core.DepositApplication) error {
		_, _, err := b.svc.SubmitApplication(ctx, a)
		return err
	}
	cases := []struct {
		name string
		code string
		call func() error
	}{
		{"NegativeAmount", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = "-1" })) }},
		{"ExponentAmount", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = "1e3" })) }},
		{"ExcessPrecision", core.EINVALID, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = "0.000000001" }))
		}},
		{"NaNAmount", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = "NaN" })) }},
		{"EmptyAmount", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = "" })) }},
		{"HugeAmount", core.EINVALID, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = strings.Repeat("9", 79) }))
		}},
		{"BelowMinimum", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.Amount = "0.00001" })) }},
		{"UnknownAsset", core.ENOTFOUND, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) { a.AssetSymbol = "DOGE" }))
		}},
		{"DisabledAsset", core.EINVALID, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) {
				a.AssetSymbol, a.Network, a.SourceAddress = "ETH", "dev", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"
			}))
		}},
		{"BadCustomerNo", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.CustomerNo = "c 1" })) }},
		{"UnknownCustomer", core.ENOTFOUND, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) { a.CustomerNo = "C99999" }))
		}},
		{"AccountOfAnotherCustomer", core.EINVALID, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) { a.SecuritiesAccount = "SA-99999" }))
		}},
		{"WrongNetworkAddress", core.EINVALID, func() error {
			return submit(b.admin, with(func(a *core.DepositApplication) { a.SourceAddress = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }))
		}},
		{"BadTxID", core.EINVALID, func() error { return submit(b.admin, with(func(a *core.DepositApplication) { a.TxID = "abc" })) }},
		{"SameKeyOtherBody", core.ECONFLICT, func() error {
			a := b.app()
			a.Amount = "0.02"
			return submit(b.admin, a)
		}},
		{"BadRecordNo", core.EINVALID, func() error { _, err := b.svc.CancelDeposit(b.admin, "12345", "Duplicate user request"); return err }},
		{"UnknownRecord", core.ENOTFOUND, func() error {
			_, err := b.svc.CancelDeposit(b.admin, "D20261125-999999", "Duplicate user request")
			return err
		}},
		{"EmptyRemarks", core.EINVALID, func() error { _, err := b.svc.CancelDeposit(b.admin, b.rec.RecordNo, "  "); return err }},
		{"DeleteWithoutRemarks", core.EINVALID, func() error { _, err := b.svc.DeleteApplication(b.admin, b.rec.RecordNo, ""); return err }},
		{"CancelRemarksWithAnEscape", core.EINVALID, func() error {
			_, err := b.svc.CancelDeposit(b.admin, b.rec.RecordNo, "dup\x1b[2J request")
			return err
		}},
		{"DeleteRemarksWithAnOverride", core.EINVALID, func() error {
			_, err := b.svc.DeleteApplication(b.admin, b.rec.RecordNo, "abnormal \u202Etseuqer")
			return err
		}},
		{"CustomerNameWithANewline", core.EINVALID, func() error {
			return b.svc.CreateCustomer(b.admin, &core.Customer{CustomerNo: "C77777", SecuritiesAccount: "SA-77777", Name: "Ann\nApproved: yes"})
		}},
		{"AddressLabelWithAnIsolate", core.EINVALID, func() error {
			_, err := b.svc.AddWalletAddress(b.admin, "C10001", core.ChainBitcoin, "regtest", storetest.BTCAddress(77), "cold \u2066wallet")
			return err
		}},
		{"OperatorWithoutCancel", core.EFORBIDDEN, func() error {
			_, err := b.svc.CancelDeposit(b.clerk, b.rec.RecordNo, "Duplicate user request")
			return err
		}},
		{"NobodyLoggedIn", core.EUNAUTHORIZED, func() error {
			_, err := b.svc.CancelDeposit(context.Background(), b.rec.RecordNo, "Duplicate user request")
			return err
		}},
		{"ClerkConfiguresAsset", core.EFORBIDDEN, func() error {
			return b.svc.CreateAsset(b.clerk, &core.Asset{Chain: "bitcoin", Network: "mainnet", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(1), ConfirmationsRequired: 3})
		}},
		{"AssetWithBadDecimals", core.EINVALID, func() error {
			return b.svc.CreateAsset(b.admin, &core.Asset{Chain: "bitcoin", Network: "mainnet", Symbol: "BTC", Decimals: 99, MinDeposit: big.NewInt(1), ConfirmationsRequired: 3})
		}},
		{"DuplicateAsset", core.ECONFLICT, func() error {
			return b.svc.CreateAsset(b.admin, &core.Asset{Chain: "bitcoin", Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(1), ConfirmationsRequired: 3})
		}},
		{"ShortPassword", core.EINVALID, func() error { _, err := b.svc.CreateOperator(b.admin, "bob", "short", nil); return err }},
		{"ClerkCreatesOperator", core.EFORBIDDEN, func() error {
			_, err := b.svc.CreateOperator(b.clerk, "bob", "bob-password-1", []core.Permission{core.PermCancel})
			return err
		}},
	}
	for _, c := range cases {
		before := b.snapshot(t)
		err := c.call()
		require.Equal(t, c.code, core.ErrorCode(err), "%s: %v", c.name, err)
		require.NotEmpty(t, core.ErrorMessage(err), c.name)
		require.Equal(t, before, b.snapshot(t), "%s changed the database", c.name)
	}
}

func TestCancelAndDeleteFollowTheGuide(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	rec, err := b.svc.CancelDeposit(b.admin, b.rec.RecordNo, "Duplicate user request")
	require.NoError(t, err)
	require.Equal(t, core.StatusCancelled, rec.Status)
	det, err := b.svc.DepositDetail(b.admin, rec.RecordNo)
	require.NoError(t, err)
	last := det.Trail[len(det.Trail)-1]
	require.Equal(t, "admin", last.Actor)
	require.Equal(t, "deposit.cancel", last.Action)
	require.Equal(t, "Duplicate user request", last.Remarks)
	require.Equal(t, b.svc.Now(), last.At)
	require.Equal(t, core.AddressPending, det.SourceAddress.Status, "the application registered its source address for verification")

	_, err = b.svc.DeleteApplication(b.admin, rec.RecordNo, "Abnormal application")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a cancelled record cannot be deleted")

	// The same transaction may be resubmitted once its record is cancelled.
	again := b.app()
	again.ClientRequestKey = "req-2"
	rec2, created, err := b.svc.SubmitApplication(b.admin, again)
	require.NoError(t, err)
	require.True(t, created)
	require.NotEqual(t, rec.RecordNo, rec2.RecordNo)
	v, err := b.svc.VerifyAudit(b.admin, core.AuditAnchors{})
	require.NoError(t, err)
	require.True(t, v.Intact())
}

func TestRefusedIntakeRegistersNoAddress(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	other := b.app()
	other.ClientRequestKey, other.Amount = "req-other", "0.5"
	other.SourceAddress = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"
	_, _, err := b.svc.SubmitApplication(b.admin, other)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "the txid belongs to another request")
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &other.SourceAddress})
	require.NoError(t, err)
	require.Empty(t, ws, "a refused application leaves no Pending address behind")
}

func TestLockoutExpiresWithAFullAllowance(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	b.svc.Now = func() time.Time { return now }
	ctx := context.Background()
	for range core.MaxFailedLogins {
		_, err := b.svc.Login(ctx, "clerk", "wrong-password")
		require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	}
	_, err := b.svc.Login(ctx, "clerk", "clerk-password-1")
	require.Equal(t, "Wrong operator name or password.", core.ErrorMessage(err), "locked even with the right password, and not saying so")

	now = now.Add(core.LockoutDuration + time.Minute)
	_, err = b.svc.Login(ctx, "clerk", "wrong-password")
	require.Equal(t, "Wrong operator name or password.", core.ErrorMessage(err), "one slip after the lockout is not a new lockout")
	op, err := b.svc.Login(ctx, "clerk", "clerk-password-1")
	require.NoError(t, err)
	require.Equal(t, "clerk", op.Name)
}

func TestRevokingAnAddressHoldsItsUncreditedDeposits(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &b.btcAddress})
	require.NoError(t, err)
	require.Len(t, ws, 1)
	b.verifyManually(t, ws[0].ID, "passport scan DOC-17")

	credited := b.app()
	credited.ClientRequestKey, credited.TxID = "req-credited", "5a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b"
	rec2, _, err := b.svc.SubmitApplication(b.admin, credited)
	require.NoError(t, err)
	rec2 = b.credit(t, rec2)
	other := b.app()
	other.ClientRequestKey, other.TxID = "req-other-source", ""
	other.SourceAddress = "bcrt1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qzf4jry"
	rec3, _, err := b.svc.SubmitApplication(b.admin, other)
	require.NoError(t, err)

	_, err = b.svc.RevokeAddress(b.admin, ws[0].ID, "customer reported the wallet compromised")
	require.NoError(t, err)

	status := func(recordNo string) core.DepositStatus {
		det, err := b.svc.DepositDetail(b.admin, recordNo)
		require.NoError(t, err)
		return det.Record.Status
	}
	require.Equal(t, core.StatusHeld, status(b.rec.RecordNo), "uncredited deposit from the revoked address is held")
	require.Equal(t, core.StatusCredited, status(rec2.RecordNo), "credited deposits are not touched")
	require.Equal(t, core.StatusVerifying, status(rec3.RecordNo), "deposits from other addresses are not touched")
	det, err := b.svc.DepositDetail(b.admin, b.rec.RecordNo)
	require.NoError(t, err)
	last := det.Trail[len(det.Trail)-1]
	require.Equal(t, "deposit.hold", last.Action)
	require.Equal(t, "Source address revoked: customer reported the wallet compromised", last.Remarks)
	v, err := b.svc.VerifyAudit(b.admin, core.AuditAnchors{})
	require.NoError(t, err)
	require.True(t, v.Intact())
}

// An administrator's change bites at the operator's next action, whatever
// the operator's session remembers from its login.
func TestAuthorityIsReadAtEveryAction(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	search := func(ctx context.Context) error {
		_, err := b.svc.SearchDeposits(ctx, core.DepositFilter{})
		return err
	}
	require.NoError(t, search(b.clerk))

	_, err := b.svc.SetOperatorPermissions(b.admin, "clerk", []core.Permission{core.PermAddressVerification})
	require.NoError(t, err)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(search(b.clerk)), "a permission taken away is gone at once")

	_, err = b.svc.SetOperatorPermissions(b.admin, "clerk", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	require.NoError(t, search(b.clerk), "and one given is there at once")

	_, err = b.svc.SetOperatorDisabled(b.admin, "clerk", true, "left the firm")
	require.NoError(t, err)
	err = search(b.clerk)
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "disabled")
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(b.svc.ChangePassword(b.clerk, "clerk-password-1", "a new password!")))
}

// Guessing the current password in Change password counts like guessing
// at the login: the fifth wrong guess locks the operator and ends the
// session; a single slip is only a refusal.
func TestChangePasswordGuessesCountTowardsTheLockout(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	for i := 1; i < core.MaxFailedLogins; i++ {
		err := b.svc.ChangePassword(b.clerk, "not-the-password", "a brand new password")
		require.Equal(t, core.EINVALID, core.ErrorCode(err), "guess %d", i)
		require.Equal(t, "The current password is wrong.", core.ErrorMessage(err))
	}
	err := b.svc.ChangePassword(b.clerk, "not-the-password", "a brand new password")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "the fifth guess is checked, and locks")
	err = b.svc.ChangePassword(b.clerk, "clerk-password-1", "a brand new password")
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "locked: even the right password is refused")
	_, err = b.svc.Login(context.Background(), "clerk", "clerk-password-1")
	require.Equal(t, core.EUNAUTHORIZED, core.ErrorCode(err), "and the login too")
}

// CanCancel and CanDelete answer what CancelDeposit and DeleteApplication
// would, with the same words, and change nothing.
func TestCanCancelAndCanDeleteAnswerAsTheActionWould(t *testing.T) {
	t.Parallel()
	b := setupStore(t)
	no := b.rec.RecordNo
	require.NotEmpty(t, b.rec.TxID)
	before := b.snapshot(t)
	require.NoError(t, b.svc.CanCancel(b.admin, no), "the regtest node says the chain has not seen it")
	require.NoError(t, b.svc.CanDelete(b.admin, no))
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(b.svc.CanCancel(b.clerk, no)), "the clerk has no Cancel")
	require.NoError(t, b.svc.CanDelete(b.clerk, no), "the clerk has Deposit Application")
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(b.svc.CanDelete(b.admin, "D20261125-999999")))

	t.Run("NoNodeForTheNetwork", func(t *testing.T) {
		b.svc.Nodes = core.NodeMap{}
		defer func() { b.svc.Nodes = storetest.EmptyNodes() }()
		can := b.svc.CanCancel(b.admin, no)
		_, err := b.svc.CancelDeposit(b.admin, no, "Duplicate user request")
		require.Equal(t, core.ECONFLICT, core.ErrorCode(can))
		require.Equal(t, core.ErrorMessage(err), core.ErrorMessage(can), "the same rule, the same words")
		require.Contains(t, core.ErrorMessage(can), "cannot check that transaction "+b.rec.TxID)
		require.NoError(t, b.svc.CanDelete(b.admin, no), "deleting an abnormal application does not depend on the chain")
	})
	require.Equal(t, before, b.snapshot(t), "asking changed the database")

	_, err := b.svc.CancelDeposit(b.admin, no, "Duplicate user request")
	require.NoError(t, err)
	for _, c := range []struct {
		can func() error
		do  func() error
	}{
		{func() error { return b.svc.CanCancel(b.admin, no) }, func() error {
			_, err := b.svc.CancelDeposit(b.admin, no, "again")
			return err
		}},
		{func() error { return b.svc.CanDelete(b.admin, no) }, func() error {
			_, err := b.svc.DeleteApplication(b.admin, no, "again")
			return err
		}},
	} {
		can, err := c.can(), c.do()
		require.Equal(t, core.EINVALID, core.ErrorCode(can))
		require.Equal(t, core.ErrorMessage(err), core.ErrorMessage(can))
		require.Contains(t, core.ErrorMessage(can), "this one is \"Cancelled\"")
	}
}
