// Package storetest is the one behaviour suite every core.Store engine must
// pass. An engine's test supplies only a constructor of a fresh, empty,
// migrated store; the cases are named as the rules they check.
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// NewStoreFunc returns a fresh, empty, migrated store closed at test end.
type NewStoreFunc func(t *testing.T) core.Store

// Run runs every case against stores made by newStore.
func Run(t *testing.T, newStore NewStoreFunc) {
	t.Run("Operators", func(t *testing.T) { runOperators(t, newStore) })
	t.Run("Assets", func(t *testing.T) { runAssets(t, newStore) })
	t.Run("Customers", func(t *testing.T) { runCustomers(t, newStore) })
	t.Run("Deposits", func(t *testing.T) { runDeposits(t, newStore) })
	t.Run("Transitions", func(t *testing.T) { runTransitions(t, newStore) })
	t.Run("Search", func(t *testing.T) { runSearch(t, newStore) })
	t.Run("Audit", func(t *testing.T) { runAudit(t, newStore) })
	t.Run("Concurrency", func(t *testing.T) { runConcurrency(t, newStore) })
	t.Run("Challenges", func(t *testing.T) { runChallenges(t, newStore) })
	t.Run("DepositAddresses", func(t *testing.T) { runDepositAddresses(t, newStore) })
	t.Run("WatcherState", func(t *testing.T) { runWatcherState(t, newStore) })
	t.Run("WatcherLeases", func(t *testing.T) { runWatcherLeases(t, newStore) })
	t.Run("SharedNetworkName", func(t *testing.T) { runSharedNetworkName(t, newStore) })
	t.Run("MicroDeposits", func(t *testing.T) { runMicroDeposits(t, newStore) })
	t.Run("APIClients", func(t *testing.T) { runAPIClients(t, newStore) })
	t.Run("AttachTx", func(t *testing.T) { runAttachTx(t, newStore) })
	t.Run("Settings", func(t *testing.T) { runSettings(t, newStore) })
	t.Run("Refunds", func(t *testing.T) { runRefunds(t, newStore) })
	t.Run("OperatorKeys", func(t *testing.T) { runOperatorKeys(t, newStore) })
	t.Run("Sessions", func(t *testing.T) { runSessions(t, newStore) })
	t.Run("RefundPayouts", func(t *testing.T) { runPayouts(t, newStore) })
	t.Run("Home", func(t *testing.T) { runHome(t, newStore) })
	t.Run("Property", func(t *testing.T) { RunProperty(t, newStore) })
}

// T0 is the fixed time fixtures start at; every timestamp is derived from it.
var T0 = time.Date(2026, 11, 25, 9, 30, 0, 123456000, time.UTC)

func audit(action, entity, id string, at time.Time) core.AuditEntry {
	return core.AuditEntry{At: at, Actor: "tester", Action: action, Entity: entity, EntityID: id}
}

// Fixture is a store with one customer and one enabled asset per chain.
type Fixture struct {
	Store    core.Store
	BTC, ETH *core.Asset
	Customer *core.Customer
	n        int
}

// NewFixture makes a fresh store with a BTC regtest asset, an ETH dev asset
// and one customer.
func NewFixture(t *testing.T, newStore NewStoreFunc) *Fixture {
	t.Helper()
	f := &Fixture{Store: newStore(t)}
	f.BTC = MustCreateAsset(t, f.Store, "BTC", core.ChainBitcoin, "regtest", 8)
	f.ETH = MustCreateAsset(t, f.Store, "ETH", core.ChainEthereum, "dev", 18)
	f.Customer = MustCreateCustomer(t, f.Store, "C10001", "SA-20001")
	return f
}

// MustCreateAsset configures an enabled asset.
func MustCreateAsset(tb testing.TB, s core.Store, symbol, chain, network string, decimals int) *core.Asset {
	tb.Helper()
	a := &core.Asset{Chain: chain, Network: network, Symbol: symbol, Name: symbol + " on " + network, Decimals: decimals,
		MinDeposit: big.NewInt(1000), ConfirmationsRequired: 3, Enabled: true, CreatedAt: T0, UpdatedAt: T0}
	require.NoError(tb, s.CreateAsset(context.Background(), a, audit("asset.create", "asset", a.Key(), T0)))
	return a
}

// MustCreateCustomer registers a customer.
func MustCreateCustomer(tb testing.TB, s core.Store, no, account string) *core.Customer {
	tb.Helper()
	c := &core.Customer{CustomerNo: no, SecuritiesAccount: account, Name: "Customer " + no, IdentityRef: "KYC-" + no, CreatedAt: T0}
	require.NoError(tb, s.CreateCustomer(context.Background(), c, audit("customer.create", "customer", no, T0)))
	return c
}

// MustCreateOperator adds an operator with the given permissions.
func MustCreateOperator(tb testing.TB, s core.Store, name string, perms ...core.Permission) *core.Operator {
	tb.Helper()
	op := &core.Operator{Name: name, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdHNhbHQ$aGFzaGhhc2g", Permissions: perms,
		CreatedAt: T0, PasswordChangedAt: T0}
	require.NoError(tb, s.CreateOperator(context.Background(), op, audit("operator.create", "operator", name, T0)))
	return op
}

// MustCreateWalletAddress registers a Pending address of c on a's network.
func MustCreateWalletAddress(tb testing.TB, s core.Store, c *core.Customer, a *core.Asset, address string) *core.WalletAddress {
	tb.Helper()
	w := &core.WalletAddress{CustomerID: c.ID, CustomerNo: c.CustomerNo, Chain: a.Chain, Network: a.Network, Address: address,
		Label: "main wallet", Status: core.AddressPending, CreatedAt: T0}
	require.NoError(tb, s.CreateWalletAddress(context.Background(), w, audit("address.add", "address", address, T0)))
	return w
}

// BTCAddress is the i-th of a set of distinct, valid regtest P2WPKH
// addresses (bcrt1q…).
func BTCAddress(i int) string {
	h := sha256.Sum256([]byte("btc-" + strconv.Itoa(i)))
	a, err := btcutil.NewAddressWitnessPubKeyHash(h[:20], &chaincfg.RegressionNetParams)
	if err != nil {
		panic(err) // a 20-byte program is always valid
	}
	return a.EncodeAddress()
}

// ETHAddress is the i-th of a set of distinct Ethereum addresses in their
// EIP-55 checksummed form, as the desk stores them.
func ETHAddress(i int) string {
	h := sha256.Sum256([]byte("eth-" + strconv.Itoa(i)))
	a, err := core.NormalizeEthereumAddress("0x" + hex.EncodeToString(h[:20]))
	if err != nil {
		panic(err)
	}
	return a
}

// TxID is the i-th of a set of distinct transaction hashes in the canonical
// form for chain (0x-prefixed on Ethereum).
func TxID(chain string, i int) string {
	h := sha256.Sum256([]byte("tx-" + strconv.Itoa(i)))
	if chain == core.ChainEthereum {
		return "0x" + hex.EncodeToString(h[:])
	}
	return hex.EncodeToString(h[:])
}

// Deposit builds (without storing) a record in Verifying for asset a,
// created i minutes after T0, with a unique request key and txid.
func (f *Fixture) Deposit(a *core.Asset, c *core.Customer, i int) *core.DepositRecord {
	f.n++
	created := T0.Add(time.Duration(i) * time.Minute)
	txid := TxID(a.Chain, f.n*7919+i)
	src, dst := BTCAddress(f.n), BTCAddress(1_000_000+f.n)
	if a.Chain == core.ChainEthereum {
		src, dst = ETHAddress(f.n), ETHAddress(1_000_000+f.n)
	}
	return &core.DepositRecord{
		ClientRequestKey: fmt.Sprintf("req-%d", f.n), RequestHash: fmt.Sprintf("h%d", f.n),
		CustomerID: c.ID, CustomerNo: c.CustomerNo, SecuritiesAccount: c.SecuritiesAccount,
		AssetID: a.ID, AssetSymbol: a.Symbol, Chain: a.Chain, Network: a.Network, Decimals: a.Decimals,
		Amount: big.NewInt(int64(100_000 + f.n)), SourceAddress: src, DestinationAddress: dst, TxID: txid,
		RequestedAt: created, CreatedAt: created, UpdatedAt: created,
		Status: core.StatusVerifying, ConfirmationsRequired: a.ConfirmationsRequired,
	}
}

// MustCreateDeposit stores d and requires that it was created.
func (f *Fixture) MustCreateDeposit(tb testing.TB, d *core.DepositRecord) *core.DepositRecord {
	tb.Helper()
	rec, created, err := f.Store.CreateDeposit(context.Background(), d, audit("deposit.create", "deposit", "", d.CreatedAt))
	require.NoError(tb, err)
	require.True(tb, created)
	return rec
}

// MustTransition moves a record along a path of statuses.
func (f *Fixture) MustTransition(tb testing.TB, rec *core.DepositRecord, path ...core.DepositStatus) *core.DepositRecord {
	tb.Helper()
	for _, to := range path {
		var err error
		rec, err = f.Store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: to,
			Remarks: "to " + string(to), Audit: audit("deposit."+string(to), "deposit", "", rec.UpdatedAt.Add(time.Second))})
		require.NoError(tb, err)
	}
	return rec
}

// PathTo is a chain of allowed transitions from Verifying to status.
func PathTo(status core.DepositStatus) []core.DepositStatus {
	switch status {
	case core.StatusVerifying:
		return nil
	case core.StatusConfirming:
		return []core.DepositStatus{core.StatusConfirming}
	case core.StatusHeld:
		return []core.DepositStatus{core.StatusHeld}
	case core.StatusRejected:
		return []core.DepositStatus{core.StatusHeld, core.StatusRejected}
	case core.StatusCredited:
		return []core.DepositStatus{core.StatusConfirming, core.StatusCredited}
	case core.StatusRefunding:
		return []core.DepositStatus{core.StatusConfirming, core.StatusCredited, core.StatusRefunding}
	case core.StatusRefunded:
		return []core.DepositStatus{core.StatusConfirming, core.StatusCredited, core.StatusRefunding, core.StatusRefunded}
	}
	return []core.DepositStatus{status} // cancelled, deleted: one step
}

// MustVerifyChain walks the whole audit log and requires it intact,
// returning the number of rows.
func MustVerifyChain(tb testing.TB, s core.Store) int {
	tb.Helper()
	rows, err := s.FindAudit(context.Background(), core.AuditFilter{})
	require.NoError(tb, err)
	broken, reason, _, _ := core.VerifyAuditChain(rows, 0, core.GenesisHash)
	require.Zero(tb, broken, reason)
	return len(rows)
}

// CountAudit counts audit rows with the given action for an entity id.
func CountAudit(tb testing.TB, s core.Store, action, entityID string) int {
	tb.Helper()
	rows, err := s.FindAudit(context.Background(), core.AuditFilter{EntityID: &entityID})
	require.NoError(tb, err)
	n := 0
	for _, r := range rows {
		if r.Action == action {
			n++
		}
	}
	return n
}

func requireCode(tb testing.TB, code string, err error) {
	tb.Helper()
	require.Error(tb, err)
	require.Equal(tb, code, core.ErrorCode(err), "error: %v", err)
	require.NotContains(tb, strings.ToLower(core.ErrorMessage(err)), "constraint", "engine text must not leak")
}

// SeedAudit makes each bulk-inserted record's audit row, as seeding does.
func SeedAudit(at time.Time) func(*core.DepositRecord) core.AuditEntry {
	return func(d *core.DepositRecord) core.AuditEntry {
		return core.AuditEntry{At: at, Actor: core.SeedActor, Action: "deposit.seed", Entity: "deposit", EntityID: d.RecordNo,
			After: string(d.Status), Remarks: core.DepositFacts(d)}
	}
}
