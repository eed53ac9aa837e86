package core_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/mock"
)

// depositBundle is a Service over a mock that knows one customer and a few
// assets, and records every write.
type depositBundle struct {
	svc      *core.Service
	store    *mock.Store
	now      time.Time
	assets   []*core.Asset
	created  []*core.DepositRecord
	moves    []core.DepositTransition
	existing *core.DepositRecord // what FindDeposits returns
}

const (
	srcRegtest = "mipcBbFg9gMiCh81Kj8tqqdgoZub1ZJRfn"
	dstRegtest = "bcrt1qs758ursh4q9z627kt3pp5yysm78ddny6txaqgw"
)

func setupDeposits(t *testing.T) *depositBundle {
	t.Helper()
	b := &depositBundle{store: strictStore(t), now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	b.svc = newTestService(b.store, b.now)
	b.assets = []*core.Asset{
		{ID: 1, Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, MinDeposit: big.NewInt(10000), ConfirmationsRequired: 3, Enabled: true},
		{ID: 2, Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, MinDeposit: big.NewInt(1), ConfirmationsRequired: 12, Enabled: false},
	}
	customer := &core.Customer{ID: 5, CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Kim"}
	b.store.FindCustomersFunc = func(_ context.Context, f core.CustomerFilter) ([]*core.Customer, error) {
		if f.CustomerNo != nil && *f.CustomerNo == customer.CustomerNo {
			return []*core.Customer{customer}, nil
		}
		return nil, nil
	}
	b.store.FindAssetsFunc = func(_ context.Context, f core.AssetFilter) ([]*core.Asset, error) {
		var out []*core.Asset
		for _, a := range b.assets {
			if (f.Symbol == nil || *f.Symbol == a.Symbol) && (f.Network == nil || *f.Network == a.Network) && (f.ID == nil || *f.ID == a.ID) {
				out = append(out, a)
			}
		}
		return out, nil
	}
	b.store.FindWalletAddressesFunc = func(context.Context, core.WalletAddressFilter) ([]*core.WalletAddress, error) {
		return []*core.WalletAddress{{ID: 1, CustomerID: customer.ID, Address: srcRegtest, Status: core.AddressVerified}}, nil
	}
	b.store.FindDepositsFunc = func(_ context.Context, f core.DepositFilter) (core.DepositPage, error) {
		if b.existing != nil && f.RecordNo != nil && *f.RecordNo == b.existing.RecordNo {
			return core.DepositPage{Records: []*core.DepositRecord{b.existing}}, nil
		}
		return core.DepositPage{}, nil
	}
	return b
}

// allowWrites lets CreateDeposit and TransitionDeposit succeed, recording them.
func (b *depositBundle) allowWrites() {
	b.store.CreateDepositFunc = func(_ context.Context, d *core.DepositRecord, _ core.AuditEntry) (*core.DepositRecord, bool, error) {
		for _, c := range b.created {
			if d.ClientRequestKey != "" && c.ClientRequestKey == d.ClientRequestKey {
				return c, false, nil
			}
		}
		for _, c := range b.created {
			if d.TxID != "" && c.Network == d.Network && c.TxID == d.TxID && c.TxIndex == d.TxIndex {
				return c, false, nil
			}
		}
		cp := *d
		cp.ID, cp.RecordNo = int64(len(b.created)+1), core.FormatRecordNo(d.CreatedAt, int64(len(b.created)+1))
		b.created = append(b.created, &cp)
		return &cp, true, nil
	}
	b.store.TransitionDepositFunc = func(_ context.Context, tr core.DepositTransition) (*core.DepositRecord, error) {
		b.moves = append(b.moves, tr)
		cp := *b.existing
		cp.Status = tr.To
		return &cp, nil
	}
}

func goodApplication() core.DepositApplication {
	return core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: "req-1", CustomerNo: "c10001", SecuritiesAccount: "sa-20001",
		AssetSymbol: "btc", Network: "regtest", Amount: "0.5", SourceAddress: srcRegtest, DestinationAddress: dstRegtest,
		TxID: strings.Repeat("ab", 32)}
}

func TestSubmitApplication(t *testing.T) {
	t.Parallel()
	ctx := withOperator("clerk", core.PermDepositApplication)
	t.Run("OK", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		rec, created, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, core.StatusVerifying, rec.Status)
		require.Equal(t, "C10001", rec.CustomerNo)
		require.Equal(t, "SA-20001", rec.SecuritiesAccount)
		require.Equal(t, "50000000", rec.Amount.String())
		require.Equal(t, b.now, rec.RequestedAt, "zero request time means now")
		require.Equal(t, 3, rec.ConfirmationsRequired)
		require.NotEmpty(t, rec.RequestHash)
	})
	t.Run("SameKeySameBodyReturnsTheRecord", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		first, _, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		again, created, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.RecordNo, again.RecordNo)
	})
	t.Run("SameKeyDifferentBodyConflicts", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		_, _, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		other := goodApplication()
		other.Amount = "0.6"
		_, _, err = b.svc.SubmitApplication(ctx, other)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		require.Contains(t, core.ErrorMessage(err), "req-1")
		require.Len(t, b.created, 1)
	})
	t.Run("SameTxIDSameBodyReturnsTheRecord", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		first, _, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		retry := goodApplication()
		retry.ClientRequestKey = "req-2"
		again, created, err := b.svc.SubmitApplication(ctx, retry)
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, first.RecordNo, again.RecordNo)
	})
	t.Run("SameTxIDDifferentBodyConflicts", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		_, _, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		other := goodApplication()
		other.ClientRequestKey, other.Amount = "", "0.7"
		rec, _, err := b.svc.SubmitApplication(ctx, other)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
		require.Nil(t, rec)
		require.Len(t, b.created, 1)
	})
	t.Run("RegistersAnUnknownSourceAddressAsPending", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		b.store.FindWalletAddressesFunc = func(context.Context, core.WalletAddressFilter) ([]*core.WalletAddress, error) { return nil, nil }
		var added *core.WalletAddress
		b.store.CreateWalletAddressFunc = func(_ context.Context, w *core.WalletAddress, _ core.AuditEntry) error {
			added = w
			return nil
		}
		_, _, err := b.svc.SubmitApplication(ctx, goodApplication())
		require.NoError(t, err)
		require.NotNil(t, added)
		require.Equal(t, core.AddressPending, added.Status)
		require.Equal(t, srcRegtest, added.Address)
	})

	bad := map[string]struct {
		edit func(a *core.DepositApplication)
		code string
	}{
		"BadAmount":                   {func(a *core.DepositApplication) { a.Amount = "1,5" }, core.EINVALID},
		"ExcessPrecision":             {func(a *core.DepositApplication) { a.Amount = "0.000000001" }, core.EINVALID},
		"ZeroAmount":                  {func(a *core.DepositApplication) { a.Amount = "0" }, core.EINVALID},
		"BelowMinimum":                {func(a *core.DepositApplication) { a.Amount = "0.00009999" }, core.EINVALID},
		"UnknownAsset":                {func(a *core.DepositApplication) { a.AssetSymbol = "DOGE" }, core.ENOTFOUND},
		"AssetOnOtherNetwork":         {func(a *core.DepositApplication) { a.Network = "mainnet" }, core.ENOTFOUND},
		"DisabledAsset":               {func(a *core.DepositApplication) { a.AssetSymbol, a.Network = "ETH", "dev" }, core.EINVALID},
		"UnknownCustomer":             {func(a *core.DepositApplication) { a.CustomerNo = "C99999" }, core.ENOTFOUND},
		"MalformedCustomer":           {func(a *core.DepositApplication) { a.CustomerNo = "c 1" }, core.EINVALID},
		"AccountOfOtherCustomer":      {func(a *core.DepositApplication) { a.SecuritiesAccount = "SA-99999" }, core.EINVALID},
		"MainnetSourceAddress":        {func(a *core.DepositApplication) { a.SourceAddress = "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2" }, core.EINVALID},
		"MainnetDestination":          {func(a *core.DepositApplication) { a.DestinationAddress = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4" }, core.EINVALID},
		"BadTxID":                     {func(a *core.DepositApplication) { a.TxID = "abc" }, core.EINVALID},
		"NegativeTxIndex":             {func(a *core.DepositApplication) { a.TxIndex = -1 }, core.EINVALID},
		"FutureRequestTime":           {func(a *core.DepositApplication) { a.RequestedAt = time.Date(2026, 11, 25, 9, 6, 0, 0, time.UTC) }, core.EINVALID},
		"LongRequestKey":              {func(a *core.DepositApplication) { a.ClientRequestKey = strings.Repeat("k", 129) }, core.EINVALID},
		"OperatorEntryWithoutChannel": {func(a *core.DepositApplication) { a.Channel = "" }, core.EINVALID},
		"UnknownChannel":              {func(a *core.DepositApplication) { a.Channel = "fax" }, core.EINVALID},
		"OperatorEntryThroughTheAPI":  {func(a *core.DepositApplication) { a.Channel = core.ChannelAPI }, core.EINVALID},
		"BadRemarks":                  {func(a *core.DepositApplication) { a.Remarks = strings.Repeat("r", 501) }, core.EINVALID},
	}
	for name, tc := range bad {
		t.Run("Refuses"+name+"WithoutWriting", func(t *testing.T) {
			t.Parallel()
			b := setupDeposits(t) // no write Funcs: any write fails the test
			app := goodApplication()
			tc.edit(&app)
			rec, created, err := b.svc.SubmitApplication(ctx, app)
			require.Equal(t, tc.code, core.ErrorCode(err), "%v", err)
			require.Nil(t, rec)
			require.False(t, created)
		})
	}
	t.Run("KeepsTheOperatorTheChannelAndTheRemarks", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		var audited core.AuditEntry
		create := b.store.CreateDepositFunc
		b.store.CreateDepositFunc = func(ctx context.Context, d *core.DepositRecord, a core.AuditEntry) (*core.DepositRecord, bool, error) {
			audited = a
			return create(ctx, d, a)
		}
		app := goodApplication()
		app.Channel, app.Remarks = " Phone ", " Customer called from the registered number "
		rec, _, err := b.svc.SubmitApplication(ctx, app)
		require.NoError(t, err)
		require.Equal(t, "clerk", rec.SubmittedBy)
		require.Equal(t, core.ChannelPhone, rec.Channel)
		require.Equal(t, "Customer called from the registered number", rec.Remarks)
		require.Equal(t, "operator clerk (phone)", rec.Submitter())
		require.Equal(t, "clerk", audited.Actor)
		require.Equal(t, core.DepositFacts(rec)+"; received via phone: Customer called from the registered number", audited.Remarks)
	})
	t.Run("AcceptsRequestTimeWithinClockSkew", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.allowWrites()
		app := goodApplication()
		app.RequestedAt = b.now.Add(4 * time.Minute)
		_, _, err := b.svc.SubmitApplication(ctx, app)
		require.NoError(t, err)
	})
}

func TestOperatorTransitions(t *testing.T) {
	t.Parallel()
	const recNo = "D20261125-000001"
	record := func(st core.DepositStatus) *core.DepositRecord {
		return &core.DepositRecord{ID: 9, RecordNo: recNo, Status: st, Chain: core.ChainBitcoin, Network: "regtest"}
	}
	all := withOperator("sup", core.PermCancel, core.PermDepositApplication, core.PermRefundApproval)
	type op func(s *core.Service, remarks string) (*core.DepositRecord, error)
	cancel := func(s *core.Service, r string) (*core.DepositRecord, error) { return s.CancelDeposit(all, recNo, r) }
	del := func(s *core.Service, r string) (*core.DepositRecord, error) {
		return s.DeleteApplication(all, recNo, r)
	}
	release := func(s *core.Service, r string) (*core.DepositRecord, error) { return s.DecideHeld(all, recNo, true, r) }
	reject := func(s *core.Service, r string) (*core.DepositRecord, error) {
		return s.DecideHeld(all, recNo, false, r)
	}
	cases := []struct {
		name     string
		do       op
		from, to core.DepositStatus
		action   string
	}{
		{"Cancel", cancel, core.StatusVerifying, core.StatusCancelled, "deposit.cancel"},
		{"Delete", del, core.StatusVerifying, core.StatusDeleted, "deposit.delete"},
		{"Release", release, core.StatusHeld, core.StatusConfirming, "deposit.release"},
		{"Reject", reject, core.StatusHeld, core.StatusRejected, "deposit.reject"},
	}
	for _, tc := range cases {
		t.Run(tc.name+"/OK", func(t *testing.T) {
			t.Parallel()
			b := setupDeposits(t)
			b.existing = record(tc.from)
			b.allowWrites()
			rec, err := tc.do(b.svc, "  customer called  ")
			require.NoError(t, err)
			require.Equal(t, tc.to, rec.Status)
			require.Len(t, b.moves, 1)
			m := b.moves[0]
			require.Equal(t, core.DepositTransition{ID: 9, From: tc.from, To: tc.to, Remarks: "customer called", Audit: m.Audit}, m)
			require.Equal(t, tc.action, m.Audit.Action)
			require.Equal(t, "sup", m.Audit.Actor)
			require.Equal(t, recNo, m.Audit.EntityID)
			require.Equal(t, "customer called", m.Audit.Remarks)
			require.Equal(t, b.now, m.Audit.At)
		})
		t.Run(tc.name+"/RequiresRemarks", func(t *testing.T) {
			t.Parallel()
			b := setupDeposits(t)
			b.existing = record(tc.from)
			_, err := tc.do(b.svc, " \n ")
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
		})
		for _, st := range core.AllDepositStatuses() {
			if st == tc.from {
				continue
			}
			t.Run(tc.name+"/RefusedFrom"+string(st), func(t *testing.T) {
				t.Parallel()
				b := setupDeposits(t)
				b.existing = record(st)
				_, err := tc.do(b.svc, "remarks")
				require.Equal(t, core.EINVALID, core.ErrorCode(err))
				require.Contains(t, core.ErrorMessage(err), st.Display())
			})
		}
		t.Run(tc.name+"/UnknownRecordIsNotFound", func(t *testing.T) {
			t.Parallel()
			_, err := tc.do(setupDeposits(t).svc, "remarks")
			require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
		})
	}
	t.Run("MalformedRecordNoIsInvalid", func(t *testing.T) {
		t.Parallel()
		_, err := setupDeposits(t).svc.CancelDeposit(all, "D1", "remarks")
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("CancelRefusedWhenChainShowsTheTx", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.existing = record(core.StatusVerifying)
		b.existing.TxID = strings.Repeat("ab", 32)
		b.svc.Nodes = core.NodeMap{b.existing.Net(): txSeen(true)}
		_, err := b.svc.CancelDeposit(all, recNo, "never arrived")
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("CancelAllowedWhenChainShowsNothing", func(t *testing.T) {
		t.Parallel()
		b := setupDeposits(t)
		b.existing = record(core.StatusVerifying)
		b.existing.TxID = strings.Repeat("ab", 32)
		b.svc.Nodes = core.NodeMap{b.existing.Net(): txSeen(false)}
		b.allowWrites()
		_, err := b.svc.CancelDeposit(all, recNo, "never arrived")
		require.NoError(t, err)
	})
}

// txSeen is a node that knows every transaction (true) or none; cancel
// asks it nothing else.
type txSeen bool

func (s txSeen) Transaction(_ context.Context, txid string) (*core.ChainTx, error) {
	if s {
		return &core.ChainTx{TxID: txid}, nil
	}
	return nil, core.Errorf(core.ENOTFOUND, "unknown transaction")
}

func (txSeen) Head(context.Context) (core.ChainBlock, error) {
	return core.ChainBlock{}, errors.New("not asked")
}

func (txSeen) Block(context.Context, int64) (*core.ChainBlock, error) {
	return nil, errors.New("not asked")
}

func (txSeen) Conflict(context.Context, []string) (bool, string, error) {
	return false, "", errors.New("not asked")
}
