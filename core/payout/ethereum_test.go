package payout_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/internal/testkeys"
)

func ethAccount(t testing.TB, contract string) (*core.Asset, *hdkeychain.ExtendedKey) {
	xprv, xpub, err := testkeys.Account(seed, 44, 60, &chaincfg.MainNetParams)
	require.NoError(t, err)
	k, err := hdkeychain.NewKeyFromString(xprv)
	require.NoError(t, err)
	a := &core.Asset{ID: 2, Chain: core.ChainEthereum, Network: "dev", Symbol: "ETH", Decimals: 18, AccountXPub: xpub,
		RefundFeeCap: new(big.Int).Mul(big.NewInt(1e15), big.NewInt(10)), ConfirmationsRequired: 1, ContractAddress: contract}
	if contract != "" {
		a.Symbol, a.Decimals = "USDT", 6
	}
	return a, k
}

func gwei(n int64) *big.Int { return new(big.Int).Mul(big.NewInt(n), big.NewInt(1e9)) }

func richNode() *ethNode {
	return &ethNode{balance: new(big.Int).Mul(big.NewInt(5), big.NewInt(1e18)), tokens: big.NewInt(1e12), nonce: 4,
		base: gwei(1), tip: gwei(2), gas: 21000}
}

const ethCustomer = "0x00000000000000000000000000000000000000A1"

func TestEthereumRefundFromThePayerWithTheLowestFreeNonce(t *testing.T) {
	a, acct := ethAccount(t, "")
	r := &core.Refund{ID: 3, Address: common.HexToAddress(ethCustomer).Hex(), Amount: big.NewInt(1e17), Decimals: 18}
	payer, err := payout.Payer(a)
	require.NoError(t, err)
	deposit0, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, hdaddr.External, 0)
	require.NoError(t, err)
	require.NotEqual(t, deposit0, payer, "the payer is on the internal chain, never a deposit address")

	held := []string{core.SpendKey(a.Net(), payer+":4"), core.SpendKey(a.Net(), payer+":5"), core.SpendKey(core.Network{Chain: "ethereum", Name: "sepolia"}, payer+":6")}
	p, err := payout.Builder{}.Build(context.Background(), a, r, nil, held, richNode())
	require.NoError(t, err)
	require.Equal(t, uint64(6), p.Nonce, "4 and 5 are held on this network; 6 only on another")
	require.Equal(t, uint64(21000), p.GasLimit)
	require.Equal(t, gwei(4), p.FeeRate.Big(), "2 × base fee + tip")
	require.Equal(t, new(big.Int).Mul(big.NewInt(21000), gwei(4)), p.Fee.Big())

	raw, txid, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	var tx types.Transaction
	require.NoError(t, tx.UnmarshalBinary(raw))
	from, err := types.Sender(types.LatestSignerForChainID(big.NewInt(1337)), &tx)
	require.NoError(t, err)
	require.Equal(t, payer, from.Hex())
	require.Equal(t, tx.Hash().Hex(), common.HexToHash(txid).Hex())
	require.Equal(t, r.Amount, tx.Value())
	again, _, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	require.Equal(t, raw, again, "RFC 6979: the same prepared refund signs to the same bytes")
}

func TestERC20RefundCallsTransferAndNeedsCoinForTheFee(t *testing.T) {
	contract := "0x00000000000000000000000000000000000000c0"
	a, acct := ethAccount(t, contract)
	r := &core.Refund{ID: 3, Address: common.HexToAddress(ethCustomer).Hex(), Amount: big.NewInt(2_500_000), Decimals: 6}
	node := richNode()
	node.gas = 50_000
	p, err := payout.Builder{}.Build(context.Background(), a, r, nil, nil, node)
	require.NoError(t, err)
	require.Equal(t, uint64(60_000), p.GasLimit, "a contract call's estimate gets a fifth more")
	raw, _, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	var tx types.Transaction
	require.NoError(t, tx.UnmarshalBinary(raw))
	require.Equal(t, common.HexToAddress(contract), *tx.To())
	require.Zero(t, tx.Value().Sign())
	require.Equal(t, "a9059cbb", common.Bytes2Hex(tx.Data()[:4]))

	node.tokens = big.NewInt(1_000_000)
	_, err = payout.Builder{}.Build(context.Background(), a, r, nil, nil, node)
	require.Contains(t, core.ErrorMessage(err), "short by 1.5 USDT")
	node.tokens, node.balance = big.NewInt(1e12), big.NewInt(1000)
	_, err = payout.Builder{}.Build(context.Background(), a, r, nil, nil, node)
	require.Contains(t, core.ErrorMessage(err), "needs 0.00024 ETH")
	require.Contains(t, core.ErrorMessage(err), "short by 0.000239999999999 ETH")
}

func TestEthereumRefusals(t *testing.T) {
	a, acct := ethAccount(t, "")
	r := &core.Refund{ID: 3, Address: common.HexToAddress(ethCustomer).Hex(), Amount: big.NewInt(1e17), Decimals: 18}
	node := richNode()
	node.base = gwei(200_000)
	_, err := payout.Builder{}.Build(context.Background(), a, r, nil, nil, node)
	require.Contains(t, core.ErrorMessage(err), "above ETH@dev's refund fee cap of 0.01 ETH")

	built, err := payout.Builder{}.Build(context.Background(), a, r, nil, nil, richNode())
	require.NoError(t, err)
	rebuild := func(p *core.Payout, edit func(*types.DynamicFeeTx)) {
		tx, err := payout.DecodeUnsignedEthereum(p.Unsigned)
		require.NoError(t, err)
		inner := &types.DynamicFeeTx{ChainID: tx.ChainId(), Nonce: tx.Nonce(), GasTipCap: tx.GasTipCap(), GasFeeCap: tx.GasFeeCap(),
			Gas: tx.Gas(), To: tx.To(), Value: tx.Value(), Data: tx.Data()}
		edit(inner)
		raw, err := payout.EncodeUnsignedEthereum(inner)
		require.NoError(t, err)
		p.Unsigned = raw
	}
	thief := common.HexToAddress("0x00000000000000000000000000000000000000ff")
	cases := map[string]func(*core.Payout){
		"recipient":         func(p *core.Payout) { rebuild(p, func(tx *types.DynamicFeeTx) { tx.To = &thief }) },
		"recipient in both": func(p *core.Payout) { p.To = thief.Hex(); rebuild(p, func(tx *types.DynamicFeeTx) { tx.To = &thief }) },
		"value":             func(p *core.Payout) { rebuild(p, func(tx *types.DynamicFeeTx) { tx.Value = big.NewInt(2e17) }) },
		"nonce":             func(p *core.Payout) { rebuild(p, func(tx *types.DynamicFeeTx) { tx.Nonce = 9 }) },
		"chain id":          func(p *core.Payout) { rebuild(p, func(tx *types.DynamicFeeTx) { tx.ChainID = big.NewInt(1) }) },
		"max fee":           func(p *core.Payout) { rebuild(p, func(tx *types.DynamicFeeTx) { tx.GasFeeCap = gwei(400) }) },
		"fee over cap": func(p *core.Payout) {
			rebuild(p, func(tx *types.DynamicFeeTx) { tx.GasFeeCap = gwei(100_000) })
			p.FeeRate, p.Fee = core.NewInt(gwei(100_000)), core.NewInt(new(big.Int).Mul(big.NewInt(21000), gwei(100_000)))
		},
		"payer": func(p *core.Payout) { p.Payer = thief.Hex() },
		"data":  func(p *core.Payout) { rebuild(p, func(tx *types.DynamicFeeTx) { tx.Data = []byte{1} }) },
		"signed already": func(p *core.Payout) {
			tx, err := payout.DecodeUnsignedEthereum(p.Unsigned)
			require.NoError(t, err)
			key, err := crypto.GenerateKey()
			require.NoError(t, err)
			signed, err := types.SignTx(tx, types.LatestSignerForChainID(tx.ChainId()), key)
			require.NoError(t, err)
			p.Unsigned, err = signed.MarshalBinary()
			require.NoError(t, err)
		},
	}
	for name, alter := range cases {
		t.Run(name, func(t *testing.T) {
			p := clonePayout(t, built)
			alter(p)
			_, _, err := payout.Sign(a, r, p, acct)
			require.Error(t, err)
			require.Contains(t, []string{core.ECONFLICT, core.EINVALID}, core.ErrorCode(err), core.ErrorMessage(err))
		})
	}
}
