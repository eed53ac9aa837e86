package watcher_test

import (
	"context"
	"math/big"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/testkeys"
)

// oneNode is the desk's nodes when it has one: the chain the watcher follows.
type oneNode struct{ chain core.Chain }

func (n oneNode) Chain(context.Context, core.Network) (core.Chain, error) { return n.chain, nil }

// refunder is a live desk set up to pay refunds: its asset has a fee cap,
// this station's keyring holds the account key, and sam approves.
type refunder struct {
	*liveDesk
	sam context.Context
}

func newRefunder(t *testing.T, d *liveDesk, purpose, coin uint32, params *chaincfg.Params, feeRate, feeCap *big.Int) *refunder {
	t.Helper()
	d.svc.Nodes = oneNode{d.w.Chain}
	a, err := d.svc.UpdateAsset(d.admin, d.asset.ID, core.AssetUpdate{RefundFeeRate: feeRate, RefundFeeCap: feeCap})
	require.NoError(t, err)
	*d.asset = *a
	xprv, _, err := testkeys.Account("deposit desk watcher test seed!!", purpose, coin, params)
	require.NoError(t, err)
	require.NoError(t, d.svc.ImportSigningKey(d.admin, d.asset.Symbol, d.asset.Network, xprv))
	hr, err := d.svc.CreateOperator(d.admin, "hr", "hr-password-01", []core.Permission{core.PermOperatorAdmin})
	require.NoError(t, err)
	_, err = d.svc.CreateOperator(core.NewContextWithOperator(context.Background(), hr), "sam", "sam-password-01",
		[]core.Permission{core.PermRefundApproval})
	require.NoError(t, err)
	sam, err := d.svc.Login(context.Background(), "sam", "sam-password-01")
	require.NoError(t, err)
	// Logging in makes each operator's approval key in the test's keyring,
	// so their requests and approvals are signed as a station wants them.
	admin, err := d.svc.Login(context.Background(), "admin", "admin-password-1")
	require.NoError(t, err)
	d.admin = core.NewContextWithOperator(context.Background(), admin)
	return &refunder{liveDesk: d, sam: core.NewContextWithOperator(context.Background(), sam)}
}

// refund takes a credited record through the guide's refund to the
// customer's verified source address: request with the identity check,
// approval by sam, prepare, execute, broadcast, confirmations (mine makes
// blocks), Refunded, and the customer's notice; every step out of order is
// refused on the way.
func (d *refunder) refund(t *testing.T, rec *core.DepositRecord, mine func()) *core.Refund {
	t.Helper()
	svc, admin := d.svc, d.admin
	r, err := svc.RequestRefund(admin, rec.RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "video call, ticket 4471"})
	require.NoError(t, err)
	_, err = svc.PrepareRefund(admin, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "nothing is prepared before approval")
	_, err = svc.ExecuteRefund(admin, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "nothing is signed before approval")
	_, err = svc.ExecuteRefund(d.sam, r.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "Refund Approval does not sign")
	_, err = svc.ApproveRefund(d.sam, r.ID)
	require.NoError(t, err)

	r, err = svc.PrepareRefund(admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundPrepared, r.Status)
	require.NotEmpty(t, r.Payout.Unsigned)
	again, err := svc.PrepareRefund(admin, r.ID)
	require.NoError(t, err, "prepared again for new fees")
	require.Equal(t, r.Payout.ChainSpends(), again.Payout.ChainSpends(), "the same coins, or the same nonce: no gap")
	r = again
	_, err = svc.BroadcastRefund(admin, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "nothing is broadcast before it is signed")
	r, err = svc.ExecuteRefund(admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundSigned, r.Status)
	require.NotEmpty(t, r.TxID)
	_, err = svc.ExecuteRefund(admin, r.ID)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a refund is signed once")
	_, err = svc.PrepareRefund(admin, r.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a signed refund is never prepared again")

	_, err = svc.BroadcastRefund(d.sam, r.ID)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "Refund Approval does not broadcast")
	r, err = svc.BroadcastRefund(admin, r.ID)
	require.NoError(t, err)
	require.Equal(t, core.RefundBroadcast, r.Status)
	again, err = svc.BroadcastRefund(admin, r.ID)
	require.NoError(t, err, "the same bytes again are no error")
	require.Equal(t, r.TxID, again.TxID)
	_, err = svc.NotifyRefund(admin, r.ID, core.NoticePhone, "told the customer")
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "no notice before Refunded")

	deadline := time.Now().Add(2 * time.Minute)
	for r.Status != core.RefundConfirmed {
		require.True(t, time.Now().Before(deadline), "refund %d is still %s", r.ID, r.Progress())
		mine()
		_, err := d.w.Step(context.Background())
		require.NoError(t, err)
		r, err = svc.Refund(admin, r.ID)
		require.NoError(t, err)
	}
	require.Equal(t, core.StatusRefunded, d.record(t, rec).Status)
	require.Equal(t, "Refunded — customer not yet notified", r.Progress())
	require.Equal(t, r.ConfirmationsRequired, r.Confirmations)
	_, err = svc.NotifyRefund(d.sam, r.ID, core.NoticePhone, "told the customer")
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(err), "Refund Approval does not record the notice")
	r, err = svc.NotifyRefund(admin, r.ID, core.NoticeEmail, "sent the refund's transaction id to the customer's registered email")
	require.NoError(t, err)
	require.Equal(t, "Refunded — customer notified", r.Progress())
	require.Equal(t, "admin", r.Notice.By)
	_, err = svc.NotifyRefund(admin, r.ID, core.NoticePhone, "again")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	v, err := svc.VerifyAudit(admin, core.AuditAnchors{State: true})
	require.NoError(t, err)
	require.True(t, v.Intact(), "the log replays to the refund as it stands: %s", v.Summary())
	return r
}

func (d *refunder) record(t *testing.T, rec *core.DepositRecord) *core.DepositRecord {
	det, err := d.svc.DepositDetail(d.admin, rec.RecordNo)
	require.NoError(t, err)
	return det.Record
}

// paid returns what the refund's transaction pays each address, as the
// node reports it.
func (d *refunder) paid(t *testing.T, r *core.Refund) map[string]*big.Int {
	tx, err := d.w.Chain.Transaction(context.Background(), r.TxID)
	require.NoError(t, err)
	out := map[string]*big.Int{}
	for _, tr := range tx.Transfers {
		out[tr.To] = tr.Amount
	}
	return out
}

// Not parallel: the OS keyring's session bus is named in the environment.
func TestRefundEndToEndOnBtcdRegtest(t *testing.T) {
	keyringtest.Start(t)
	d, node, to := btcDesk(t)
	rd := newRefunder(t, d, 84, 1, &chaincfg.RegressionNetParams, big.NewInt(5), big.NewInt(100_000))
	d.w.Log = exportAndLog(t, d)       // the watcher's log goes where the greps look
	other := node.Send(t, to, 700_000) // another deposit to the account: the fee comes from it
	second := d.submit(t, "0.007", other, 0)
	txid := node.Send(t, to, 1_500_000)
	rec := d.submit(t, "0.015", txid, 0)
	node.Generate(t, 3)
	require.Equal(t, core.StatusCredited, d.step(t, rec).Status)
	require.Equal(t, core.StatusCredited, rd.record(t, second).Status)

	r := rd.refund(t, rec, func() { node.Generate(t, 1) })
	require.Equal(t, []string{txid + ":0", other + ":0"}, r.Payout.ChainSpends(), "the deposit's own output first, the fee from the next")
	paid := rd.paid(t, r)
	require.Len(t, paid, 2)
	require.Equal(t, int64(1_500_000), paid[node.Address().EncodeAddress()].Int64(), "the customer received exactly the approved amount")
	require.Equal(t, r.Payout.Change.Big(), paid[r.Payout.ChangeAddress], "the change came back to the account")
	require.Equal(t, int64(700_000)-r.Payout.Fee.Int64(), r.Payout.Change.Int64())
	t.Logf("BTC refund %d of %s: tx %s, %s", r.ID, rec.RecordNo, r.TxID, core.PayoutFacts(d.asset, r.Payout))
	exportAndLog(t, d)
	requireNoKeyMaterial(t, filepath.Dir(d.path), keyMaterial(t, accountXPrv(t, 84, 1, &chaincfg.RegressionNetParams), r.Payout))
}

func TestEtherAndTokenRefundsEndToEndOnTheSimulatedChain(t *testing.T) {
	keyringtest.Start(t)
	sim := ethtest.Simulated(t)
	customer, minter := sim.Accounts[0], sim.Accounts[1]
	token := sim.DeployToken(minter)
	sim.MustSucceed(token.Mint(minter, customer.Address, big.NewInt(50_000_000)))
	d := ethDesk(t, sim.Client, "simulated", &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	rd := newRefunder(t, d, 44, 60, &chaincfg.MainNetParams, nil, ethtest.Gwei(10_000_000)) // cap 0.01 ETH
	payer, err := payout.Payer(d.asset)
	require.NoError(t, err)

	tx := sim.Transfer(customer, common.HexToAddress(d.deposit), ethtest.Gwei(1_500_000_000))
	rec := d.submit(t, "1.5", tx.Hash().Hex(), 0)
	for range 3 {
		sim.Commit()
	}
	require.Equal(t, core.StatusCredited, d.step(t, rec).Status)
	_, err = d.svc.RequestRefund(d.admin, rec.RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "branch visit, form R-2"})
	require.NoError(t, err)
	rs, err := d.svc.Refunds(d.admin, core.RefundFilter{})
	require.NoError(t, err)
	_, err = d.svc.ApproveRefund(rd.sam, rs[0].ID)
	require.NoError(t, err)
	_, err = d.svc.PrepareRefund(d.admin, rs[0].ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), core.ErrorMessage(err))
	require.Contains(t, core.ErrorMessage(err), "short by", "the unfunded payer's shortfall is named")
	_, err = d.svc.RejectRefund(rd.sam, rs[0].ID, "payer not funded yet")
	require.NoError(t, err)

	sim.MustSucceed(sim.Transfer(minter, common.HexToAddress(payer), ethtest.Gwei(3_000_000_000)))
	before := customerBalance(t, sim, customer.Address)
	r := rd.refund(t, rec, func() { sim.Commit() })
	require.Equal(t, ethtest.Gwei(1_500_000_000), new(big.Int).Sub(customerBalance(t, sim, customer.Address), before),
		"the customer received exactly the approved amount")
	require.Equal(t, payer, r.Payout.Payer)

	tokenAsset := &core.Asset{Chain: core.ChainEthereum, Network: "simulated", Symbol: "TST", Decimals: ethtest.TokenDecimals,
		ContractAddress: token.Address.Hex(), MinDeposit: big.NewInt(1), ConfirmationsRequired: 3, Enabled: true,
		AccountXPub: d.asset.AccountXPub, RefundFeeCap: ethtest.Gwei(10_000_000)}
	require.NoError(t, d.svc.CreateAsset(d.admin, tokenAsset))
	d.asset = tokenAsset
	require.NoError(t, d.svc.ImportSigningKey(d.admin, "TST", "simulated", accountXPrv(t, 44, 60, &chaincfg.MainNetParams)))
	sent := sim.MustSucceed(token.Transfer(customer, common.HexToAddress(d.deposit), big.NewInt(7_500_000)))
	tok := d.submit(t, "7.5", sent.TxHash.Hex(), 0)
	sim.Commit()
	sim.Commit()
	require.Equal(t, core.StatusCredited, d.step(t, tok).Status)
	sim.MustSucceed(token.Mint(minter, common.HexToAddress(payer), big.NewInt(7_500_000)))
	held := token.BalanceOf(customer.Address)
	r = rd.refund(t, tok, func() { sim.Commit() })
	require.Equal(t, big.NewInt(7_500_000), new(big.Int).Sub(token.BalanceOf(customer.Address), held))
	require.Equal(t, uint64(1), r.Payout.Nonce, "the payer's second transaction")
	t.Logf("TST refund %d of %s: tx %s, %s", r.ID, tok.RecordNo, r.TxID, core.PayoutFacts(d.asset, r.Payout))
	exportAndLog(t, d)
	requireNoKeyMaterial(t, filepath.Dir(d.path), keyMaterial(t, accountXPrv(t, 44, 60, &chaincfg.MainNetParams), r.Payout))
}

func customerBalance(t *testing.T, sim *ethtest.Sim, a common.Address) *big.Int {
	b, err := sim.Client.BalanceAt(context.Background(), a, nil)
	require.NoError(t, err)
	return b
}

func accountXPrv(t testing.TB, purpose, coin uint32, params *chaincfg.Params) string {
	xprv, _, err := testkeys.Account("deposit desk watcher test seed!!", purpose, coin, params)
	require.NoError(t, err)
	return xprv
}

func TestEtherAndTokenRefundsEndToEndOnGethDev(t *testing.T) {
	keyringtest.Start(t)
	node := ethtest.Geth(t)
	customer := node.NewAccount(ethtest.Gwei(10_000_000_000)) // 10 ETH
	token := node.DeployToken(customer)
	node.MustSucceed(token.Mint(customer, customer.Address, big.NewInt(90_000_000)))
	d := ethDesk(t, node.Client, "dev", &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	rd := newRefunder(t, d, 44, 60, &chaincfg.MainNetParams, nil, ethtest.Gwei(10_000_000))
	payer, err := payout.Payer(d.asset)
	require.NoError(t, err)
	node.Fund(common.HexToAddress(payer), ethtest.Gwei(2_000_000_000))
	node.MustSucceed(token.Mint(customer, common.HexToAddress(payer), big.NewInt(7_500_000)))
	tokenAsset := &core.Asset{Chain: core.ChainEthereum, Network: "dev", Symbol: "TST", Decimals: ethtest.TokenDecimals,
		ContractAddress: token.Address.Hex(), MinDeposit: big.NewInt(1), ConfirmationsRequired: 3, Enabled: true,
		AccountXPub: d.asset.AccountXPub, RefundFeeCap: ethtest.Gwei(10_000_000)}
	require.NoError(t, d.svc.CreateAsset(d.admin, tokenAsset))
	require.NoError(t, d.svc.ImportSigningKey(d.admin, "TST", "dev", accountXPrv(t, 44, 60, &chaincfg.MainNetParams)))
	_, funded, err := d.svc.RefundPayer(d.admin, "TST", "dev")
	require.NoError(t, err)
	require.Equal(t, payer, funded.Address)
	require.Equal(t, ethtest.Gwei(2_000_000_000), funded.Coin, "the desk shows what the payer holds")
	require.Equal(t, big.NewInt(7_500_000), funded.Token)

	native := node.MustSucceed(node.Transfer(customer, common.HexToAddress(d.deposit), ethtest.Gwei(250_000_000))) // 0.25 ETH
	rec := d.submit(t, "0.25", native.TxHash.Hex(), 0)
	ethAsset := d.asset
	d.asset = tokenAsset
	sent := node.MustSucceed(token.Transfer(customer, common.HexToAddress(d.deposit), big.NewInt(7_500_000)))
	tok := d.submit(t, "7.5", sent.TxHash.Hex(), 0)
	nextBlock := func() { node.WaitHeight(node.Height() + 1) }
	for rd.record(t, rec).Status != core.StatusCredited || rd.record(t, tok).Status != core.StatusCredited {
		nextBlock()
		_, err := d.w.Step(context.Background())
		require.NoError(t, err)
	}

	d.asset = ethAsset
	r := rd.refund(t, rec, nextBlock)
	require.Equal(t, ethtest.Gwei(250_000_000), rd.paid(t, r)[customer.Address.Hex()], "the customer received exactly the approved amount")
	held := token.BalanceOf(customer.Address)
	r = rd.refund(t, tok, nextBlock)
	require.Equal(t, big.NewInt(7_500_000), new(big.Int).Sub(token.BalanceOf(customer.Address), held))
	t.Logf("geth refunds: ETH and TST, the last tx %s nonce %d", r.TxID, r.Payout.Nonce)
}
