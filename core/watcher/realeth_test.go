package watcher_test

import (
	"encoding/hex"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
	"depositdesk/internal/ethtest"
)

// ethDesk follows an Ethereum node for asset; customer is the source wallet,
// proved by an EIP-191 (personal_sign) signature made with its key.
func ethDesk(t testing.TB, client ethereum.Client, network string, asset *core.Asset, customer *ethtest.Account) *liveDesk {
	asset.Chain, asset.Network, asset.Enabled = core.ChainEthereum, network, true
	asset.MinDeposit, asset.ConfirmationsRequired = big.NewInt(1), 3
	asset.AccountXPub = accountXPub(t, 44, 60, &chaincfg.MainNetParams)
	return newLiveDesk(t, ethereum.New(client, ethereum.Config{}), asset, customer.Address.Hex(), func(msg string) (string, string) {
		sig, err := crypto.Sign(accounts.TextHash([]byte(msg)), customer.Key)
		require.NoError(t, err)
		sig[64] += 27
		return core.ProofEIP191, "0x" + hex.EncodeToString(sig)
	})
}

func TestEtherDepositOnTheSimulatedChain(t *testing.T) {
	t.Parallel()
	sim := ethtest.Simulated(t)
	customer := sim.Accounts[0]
	d := ethDesk(t, sim.Client, "simulated", &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	tx := sim.Transfer(customer, common.HexToAddress(d.deposit), ethtest.Gwei(1_500_000_000)) // 1.5 ETH
	rec := d.submit(t, "1.5", tx.Hash().Hex(), 0)
	require.Equal(t, core.StatusVerifying, d.step(t, rec).Status, "pending: not confirming yet")
	sim.Commit()
	got := d.step(t, rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	require.Equal(t, 1, got.Confirmations)
	sim.Commit()
	sim.Commit()
	got = d.step(t, rec)
	require.Equal(t, core.StatusCredited, got.Status)
	t.Logf("ETH deposit %s (tx %s): %s", rec.RecordNo, tx.Hash().Hex(), d.history(t, rec))
}

func TestTokenDepositsAndMismatchesOnTheSimulatedChain(t *testing.T) {
	t.Parallel()
	sim := ethtest.Simulated(t)
	customer, other := sim.Accounts[0], sim.Accounts[1]
	token := sim.DeployToken(other)
	sim.MustSucceed(token.Mint(other, customer.Address, big.NewInt(50_000_000)))
	fake := sim.DeployToken(other) // same symbol, another contract
	sim.MustSucceed(fake.Mint(other, customer.Address, big.NewInt(50_000_000)))
	d := ethDesk(t, sim.Client, "simulated", &core.Asset{Symbol: "TST", Decimals: ethtest.TokenDecimals,
		ContractAddress: token.Address.Hex()}, customer)
	to := common.HexToAddress(d.deposit)

	good := sim.MustSucceed(token.Transfer(customer, to, big.NewInt(12_345_000)))
	rec := d.submit(t, "12.345", good.TxHash.Hex(), 0)
	wrongToken := sim.MustSucceed(fake.Transfer(customer, to, big.NewInt(1_000_000)))
	forged := d.submit(t, "1", wrongToken.TxHash.Hex(), 0)
	reverted := sim.Mine(token.TransferThenRevert(customer, to, big.NewInt(2_000_000)))
	failed := d.submit(t, "2", reverted.TxHash.Hex(), 0)

	// Two more blocks were mined after the good transfer: it is confirmed
	// three times by the first look, and credited in one pass.
	got := d.step(t, rec)
	require.Equal(t, core.StatusCredited, got.Status)
	require.Equal(t, 3, got.Confirmations)
	require.Contains(t, d.history(t, rec), "Confirming → Credited")
	wrong := d.step(t, forged)
	require.Equal(t, core.StatusHeld, wrong.Status)
	require.Contains(t, wrong.Remarks, "not TST")
	held := d.step(t, failed)
	require.Equal(t, core.StatusHeld, held.Status)
	require.Contains(t, held.Remarks, "reverted")
	t.Logf("ERC-20 deposit %s: %s", rec.RecordNo, d.history(t, rec))
}

func TestEthereumReorgOnTheSimulatedChain(t *testing.T) {
	t.Parallel()
	sim := ethtest.Simulated(t)
	customer := sim.Accounts[0]
	d := ethDesk(t, sim.Client, "simulated", &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	ancestor := sim.HeaderAt(sim.Height()).Hash()
	tx := sim.Transfer(customer, common.HexToAddress(d.deposit), ethtest.Gwei(2_000_000_000))
	rec := d.submit(t, "2", tx.Hash().Hex(), 0)
	sim.Commit()
	sim.Commit()
	got := d.step(t, rec)
	require.Equal(t, core.StatusConfirming, got.Status)
	require.Equal(t, 2, got.Confirmations)

	sim.Reorg(ancestor) // a longer branch without the deposit
	got = d.step(t, rec)
	require.Equal(t, core.StatusVerifying, got.Status, "never credited on an abandoned block")
	require.Contains(t, got.Remarks, "reorganisation")
	t.Logf("ETH reorg %s: %s", rec.RecordNo, d.history(t, rec))
}

func TestEthereumDepositsOnGethDev(t *testing.T) {
	t.Parallel()
	node := ethtest.Geth(t)
	customer := node.NewAccount(ethtest.Gwei(10_000_000_000)) // 10 ETH
	token := node.DeployToken(customer)
	node.MustSucceed(token.Mint(customer, customer.Address, big.NewInt(90_000_000)))
	d := ethDesk(t, node.Client, "dev", &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	tokenAsset := &core.Asset{Chain: core.ChainEthereum, Network: "dev", Symbol: "TST", Decimals: ethtest.TokenDecimals,
		ContractAddress: token.Address.Hex(), MinDeposit: big.NewInt(1), ConfirmationsRequired: 3, Enabled: true,
		AccountXPub: d.asset.AccountXPub}
	require.NoError(t, d.svc.CreateAsset(d.admin, tokenAsset))
	to := common.HexToAddress(d.deposit)

	native := node.MustSucceed(node.Transfer(customer, to, ethtest.Gwei(250_000_000))) // 0.25 ETH
	rec := d.submit(t, "0.25", native.TxHash.Hex(), 0)
	r := node.MustSucceed(token.Transfer(customer, to, big.NewInt(7_500_000)))
	d.asset = tokenAsset
	tok := d.submit(t, "7.5", r.TxHash.Hex(), 0)

	seen := map[string][]int{}
	for range 60 {
		a, b := d.step(t, rec), d.step(t, tok)
		seen[rec.RecordNo] = append(seen[rec.RecordNo], a.Confirmations)
		seen[tok.RecordNo] = append(seen[tok.RecordNo], b.Confirmations)
		if a.Status == core.StatusCredited && b.Status == core.StatusCredited {
			t.Logf("geth ETH %s: %s; confirmations seen %v", rec.RecordNo, d.history(t, rec), seen[rec.RecordNo])
			t.Logf("geth TST %s: %s; confirmations seen %v", tok.RecordNo, d.history(t, tok), seen[tok.RecordNo])
			return
		}
		node.WaitHeight(node.Height() + 1)
	}
	t.Fatalf("not credited: %v", seen)
}

// A reorg that mines a token deposit again behind another transaction
// moves its log's block-wide index; the deposit is keyed by the log's place
// in its own transaction, so it is still recognised and credited.
func TestTokenDepositSurvivesAReorgThatMovesItsLog(t *testing.T) {
	t.Parallel()
	sim := ethtest.Simulated(t)
	customer, other := sim.Accounts[0], sim.Accounts[1]
	token := sim.DeployToken(other)
	sim.MustSucceed(token.Mint(other, customer.Address, big.NewInt(50_000_000)))
	sim.MustSucceed(token.Mint(other, other.Address, big.NewInt(50_000_000)))
	d := ethDesk(t, sim.Client, "simulated", &core.Asset{Symbol: "TST", Decimals: ethtest.TokenDecimals,
		ContractAddress: token.Address.Hex()}, customer)
	ancestor := sim.HeaderAt(sim.Height()).Hash()
	deposit := token.Transfer(customer, common.HexToAddress(d.deposit), big.NewInt(3_000_000))
	first := sim.Mine(deposit)
	require.EqualValues(t, 0, first.Logs[0].Index)
	rec := d.submit(t, "3", deposit.Hash().Hex(), 0)
	require.Equal(t, core.StatusConfirming, d.step(t, rec).Status)

	front := sim.Sign(other, ethtest.Tx{To: &token.Address, Data: transferCall(t, token, customer.Address, 1), Gas: 100_000})
	sim.Reorg(ancestor, front, deposit)
	r, err := sim.Client.TransactionReceipt(t.Context(), deposit.Hash())
	require.NoError(t, err)
	require.EqualValues(t, 1, r.Logs[0].Index, "behind the other transfer's log now")
	sim.Commit()
	got := d.step(t, rec)
	require.Equal(t, core.StatusCredited, got.Status, d.history(t, rec))
	require.Contains(t, d.history(t, rec), "Confirming → Wallet Address Under Verification → Confirming → Credited")
}

func transferCall(t *testing.T, token *ethtest.Token, to common.Address, amount int64) []byte {
	data, err := token.ABI.Pack("transfer", to, big.NewInt(amount))
	require.NoError(t, err)
	return data
}
