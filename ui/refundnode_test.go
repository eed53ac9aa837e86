package ui

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"math/big"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
	"depositdesk/internal/stationtest"
	"depositdesk/internal/testkeys"
	"depositdesk/storage/storetest"
)

// payNode is a Bitcoin node for refund tests: it knows the outputs in
// coins (outpoint → amount and address) and the transactions that made
// them, answers a fee estimate when FeeRateFunc is set, and accepts what
// is sent, keeping it. The real-node paths are tested in
// core/watcher/realrefund_test.go.
type payNode struct {
	storetest.EmptyChain
	FeeRateFunc func(ctx context.Context) (*big.Int, error)

	mu    sync.Mutex
	coins map[string]payCoin
	txs   map[string][]byte
	sent  [][]byte
}

type payCoin struct {
	amount  *big.Int
	address string
}

var (
	_ core.BitcoinPayer      = (*payNode)(nil)
	_ core.Broadcaster       = (*payNode)(nil)
	_ core.TransactionSource = (*payNode)(nil)
)

func (n *payNode) RawTransaction(_ context.Context, txid string) ([]byte, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	raw, ok := n.txs[txid]
	if !ok {
		return nil, core.Errorf(core.ENOTFOUND, "The node does not know transaction %s.", txid)
	}
	return raw, nil
}

func (n *payNode) Unspent(_ context.Context, outpoint string) (*big.Int, string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.coins[outpoint]
	if !ok {
		return nil, "", core.Errorf(core.ENOTFOUND, "No unspent output %s.", outpoint)
	}
	return c.amount, c.address, nil
}

func (n *payNode) FeeRate(ctx context.Context) (*big.Int, error) {
	if n.FeeRateFunc == nil {
		return nil, core.Errorf(core.ENOTFOUND, "No fee estimate yet.")
	}
	return n.FeeRateFunc(ctx)
}

// Send keeps raw and names it as a node does: the transaction's hash.
func (n *payNode) Send(_ context.Context, raw []byte) (string, error) {
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return "", core.Errorf(core.ECONFLICT, "The node refused the transaction: %v.", err)
	}
	n.mu.Lock()
	n.sent = append(n.sent, raw)
	n.mu.Unlock()
	return tx.TxHash().String(), nil
}

// testKeys is a signing keyring holding one account key in memory; the
// OS keyring is tested in core/signer and core/watcher.
type testKeys struct{ xprv string }

func (testKeys) Put(*core.Asset, string) error { return nil }
func (testKeys) Check(*core.Asset) error       { return nil }
func (k testKeys) Sign(a *core.Asset, r *core.Refund, p *core.Payout) ([]byte, string, error) {
	key, err := hdkeychain.NewKeyFromString(k.xprv)
	if err != nil {
		return nil, "", err
	}
	return payout.Sign(a, r, p, key)
}

// refundDesk is a bundle set up to pay a Bitcoin refund: BTC@regtest has an
// account key, a refund fee rate of 2 sat/vB and a cap; rec is credited at
// customer C10001's derived deposit address, another customer's deposit is
// a second coin of the account; the node knows both outputs, this station
// holds the account's private key, and sam (Refund Approval) approves.
type refundDesk struct {
	*bundle
	node  *payNode
	asset *core.Asset
	rec   *core.DepositRecord // credited, its source address Verified: the refund goes there
}

func setupRefundDesk(t *testing.T) *refundDesk {
	t.Helper()
	b := setup(t)
	b.withData(t, 1)
	xprv, xpub, err := testkeys.Account("deposit desk ui refund test seed", 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	as, err := b.svc.ListAssets(b.admin, core.AssetFilter{Symbol: ptr("BTC")})
	require.NoError(t, err)
	a, err := b.svc.UpdateAsset(b.admin, as[0].ID, core.AssetUpdate{AccountXPub: &xpub, RefundFeeRate: big.NewInt(2),
		RefundFeeCap: big.NewInt(10_000)})
	require.NoError(t, err)
	d := &refundDesk{bundle: b, node: &payNode{coins: map[string]payCoin{}, txs: map[string][]byte{}}, asset: a}
	b.svc.Nodes = core.NodeMap{a.Net(): d.node}
	b.svc.Keys = testKeys{xprv}
	// Operators' approval keys, made at login as the OS keyring's are: the
	// station takes a refund only with the requester's and approver's.
	b.svc.OperatorKeys = &stationtest.OperatorKeys{}
	d.rec = d.credited(t, "C10001", "0.001", 100)
	d.credited(t, "C10002", "0.002", 101)

	src := d.rec.SourceAddress
	ws, err := b.svc.FindWalletAddresses(b.admin, core.WalletAddressFilter{Address: &src})
	require.NoError(t, err)
	_, err = b.svc.SubmitManualEvidence(b.admin, ws[0].ID, "passport scan DOC-17")
	require.NoError(t, err)
	b.checker(t, "sam", "sam-password-01", core.PermRefundApproval)
	vera := b.checker(t, "vera", "vera-password-1", core.PermAddressVerification)
	_, err = b.svc.ApproveManualEvidence(core.NewContextWithOperator(context.Background(), vera), ws[0].ID)
	require.NoError(t, err)
	for name, pw := range map[string]string{"admin": adminPW, "sam": "sam-password-01"} {
		_, err = b.svc.Login(context.Background(), name, pw) // registers their approval keys
		require.NoError(t, err)
	}
	return d
}

// credited submits a deposit of amount to the customer's derived deposit
// address and credits it as the watcher would; the node knows its
// transaction (output 0 pays the deposit) and output.
func (d *refundDesk) credited(t *testing.T, customerNo, amount string, n int) *core.DepositRecord {
	t.Helper()
	to, err := d.svc.DepositAddress(d.admin, customerNo, "BTC", "regtest")
	require.NoError(t, err)
	sats, err := core.ParseAmount(amount, 8)
	require.NoError(t, err)
	addr, err := btcutil.DecodeAddress(to.Address, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	script, err := txscript.PayToAddrScript(addr)
	require.NoError(t, err)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: sha256.Sum256([]byte(fmt.Sprint("pay", n)))}, nil, [][]byte{{1}}))
	tx.AddTxOut(wire.NewTxOut(sats.Int64(), script))
	var raw bytes.Buffer
	require.NoError(t, tx.Serialize(&raw))
	d.node.mu.Lock()
	d.node.txs[tx.TxHash().String()] = raw.Bytes()
	d.node.mu.Unlock()
	rec, _, err := d.svc.SubmitApplication(d.admin, core.DepositApplication{Channel: core.ChannelBranch, ClientRequestKey: fmt.Sprint("pay", n), CustomerNo: customerNo,
		SecuritiesAccount: "SA-" + customerNo, AssetSymbol: "BTC", Network: "regtest", Amount: amount,
		SourceAddress: regtestAddress(t), TxID: tx.TxHash().String()})
	require.NoError(t, err)
	require.Equal(t, to.Address, rec.DestinationAddress)
	require.Zero(t, rec.TxIndex)
	for _, to := range []core.DepositStatus{core.StatusConfirming, core.StatusCredited} {
		rec, err = d.store.TransitionDeposit(context.Background(), core.DepositTransition{ID: rec.ID, From: rec.Status, To: to,
			Audit: core.AuditEntry{At: time.Now(), Actor: "watcher", Action: "deposit." + string(to), Entity: "deposit"}})
		require.NoError(t, err)
	}
	d.node.mu.Lock()
	d.node.coins[fmt.Sprintf("%s:%d", rec.TxID, rec.TxIndex)] = payCoin{amount: rec.Amount, address: rec.DestinationAddress}
	d.node.mu.Unlock()
	return rec
}

// request asks for the refund of rec to its source address as admin.
func (d *refundDesk) request(t *testing.T) *core.Refund {
	t.Helper()
	ws, err := d.svc.RefundAddresses(d.admin, d.rec.RecordNo)
	require.NoError(t, err)
	require.Len(t, ws, 1)
	r, err := d.svc.RequestRefund(d.admin, d.rec.RecordNo, core.RefundRequest{AddressID: ws[0].ID, IdentityCheck: "video call, ticket 4471"})
	require.NoError(t, err)
	return r
}

// refundsAs logs name in and opens the Refunds page.
func (d *refundDesk) refundsAs(t *testing.T, name, pw string) *refundsPage {
	t.Helper()
	d.ui.showLogin("")
	d.loginAs(t, name, pw)
	d.tap(t, d.ui.nav[pageRefunds])
	return d.ui.refunds
}

// watcherMoves moves refund id as the watcher does behind the desk's back
// (confirmations, or Confirmed with its deposit Refunded) and announces it
// as the watcher's pass does.
func (d *refundDesk) watcherMoves(t *testing.T, r *core.Refund, confirmations int) {
	t.Helper()
	ctx := context.Background()
	if confirmations < r.ConfirmationsRequired {
		require.NoError(t, d.store.UpdateRefundChain(ctx, r.ID, core.RefundBroadcast, confirmations))
	} else {
		at := time.Now()
		_, err := d.store.TransitionRefund(ctx, core.RefundTransition{ID: r.ID, From: core.RefundBroadcast, To: core.RefundConfirmed,
			Audit: core.AuditEntry{At: at, Actor: "watcher", Action: "refund.confirm", Entity: "refund", EntityID: r.RecordNo},
			Deposit: &core.DepositTransition{ID: r.DepositID, From: core.StatusRefunding, To: core.StatusRefunded,
				Audit: core.AuditEntry{At: at, Actor: "watcher", Action: "deposit.refunded", Entity: "deposit", EntityID: r.RecordNo}}})
		require.NoError(t, err)
	}
	d.ui.DepositsChanged("*")
	d.settle(t)
}
