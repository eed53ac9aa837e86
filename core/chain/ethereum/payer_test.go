package ethereum_test

import (
	"context"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/params"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
	"depositdesk/internal/ethtest"
)

func marshal(t *testing.T, tx *types.Transaction) []byte {
	t.Helper()
	raw, err := tx.MarshalBinary()
	require.NoError(t, err)
	return raw
}

// refusedAsUsed sends other, which reuses the nonce of a mined
// transaction, until the node refuses it as "nonce too low". Every answer
// must be ECONFLICT: the pool takes up a new block after it, and until
// then it prices other as a replacement ("replacement transaction
// underpriced") and still holds the mined one ("already known").
func refusedAsUsed(t *testing.T, chain *ethereum.Chain, other *types.Transaction) {
	t.Helper()
	raw := marshal(t, other)
	var err error
	require.Eventually(t, func() bool {
		_, err = chain.Send(context.Background(), raw)
		return core.ErrorCode(err) != core.ECONFLICT || strings.Contains(core.ErrorMessage(err), "nonce too low")
	}, 30*time.Second, 10*time.Millisecond)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "The node refused the transaction: nonce too low")
}

// payerSuite checks the refund calls on any node: alice is funded, and
// net mines a sent transaction when asked (Mine).
func payerSuite(t *testing.T, chain *ethereum.Chain, net *ethtest.Chain, alice *ethtest.Account) {
	ctx := context.Background()
	bob := ethtest.NewAccount(t)
	aliceHex, bobHex := alice.Address.Hex(), bob.Address.Hex()

	t.Run("BalanceAndNonce", func(t *testing.T) {
		nonce, err := chain.Nonce(ctx, aliceHex)
		require.NoError(t, err)
		amount := big.NewInt(1_000_000_000_000_000_007)
		net.Mine(net.Transfer(alice, bob.Address, amount))
		got, err := chain.Balance(ctx, bobHex)
		require.NoError(t, err)
		require.Equal(t, amount, got)
		after, err := chain.Nonce(ctx, aliceHex)
		require.NoError(t, err)
		require.Equal(t, nonce+1, after)
	})

	token := net.DeployToken(alice)
	net.MustSucceed(token.Mint(alice, alice.Address, big.NewInt(5_000_001)))
	tokenHex := token.Address.Hex()

	t.Run("TokenBalance", func(t *testing.T) {
		got, err := chain.TokenBalance(ctx, tokenHex, aliceHex)
		require.NoError(t, err)
		require.Equal(t, big.NewInt(5_000_001), got)
		got, err = chain.TokenBalance(ctx, tokenHex, ethtest.NewAccount(t).Address.Hex())
		require.NoError(t, err)
		require.Zero(t, got.Sign())
		_, err = chain.TokenBalance(ctx, bobHex, aliceHex)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), "an account is no token: %v", err)
	})

	t.Run("Fees", func(t *testing.T) {
		base, tip, err := chain.Fees(ctx)
		require.NoError(t, err)
		require.Positive(t, base.Sign())
		require.GreaterOrEqual(t, tip.Sign(), 0)
	})

	t.Run("EstimateGas", func(t *testing.T) {
		gas, err := chain.EstimateGas(ctx, aliceHex, bobHex, big.NewInt(1), nil)
		require.NoError(t, err)
		require.EqualValues(t, params.TxGas, gas, "a plain transfer")
		data, err := token.ABI.Pack("transfer", bob.Address, big.NewInt(1))
		require.NoError(t, err)
		gas, err = chain.EstimateGas(ctx, aliceHex, tokenHex, nil, data)
		require.NoError(t, err)
		require.Greater(t, gas, params.TxGas, "an ERC-20 transfer")

		data, err = token.ABI.Pack("transfer", bob.Address, big.NewInt(5_000_002))
		require.NoError(t, err)
		_, err = chain.EstimateGas(ctx, aliceHex, tokenHex, nil, data)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "more tokens than alice has: %v", err)
		_, err = chain.EstimateGas(ctx, bobHex, aliceHex, ethtest.Ether(2), nil)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "more ether than bob has: %v", err)
	})

	t.Run("SendIsIdempotent", func(t *testing.T) {
		tx := net.Sign(alice, ethtest.Tx{To: &bob.Address, Value: big.NewInt(3), Gas: params.TxGas})
		raw := marshal(t, tx)
		for range 2 {
			txid, err := chain.Send(ctx, raw)
			require.NoError(t, err)
			require.Equal(t, tx.Hash().Hex(), txid)
		}
		net.Mine(tx)
		nonce := tx.Nonce()
		refusedAsUsed(t, chain, net.Sign(alice, ethtest.Tx{To: &bob.Address, Value: big.NewInt(4), Gas: params.TxGas, Nonce: &nonce}))
		txid, err := chain.Send(ctx, raw)
		require.NoError(t, err, "mined: the node says nonce too low, and knows the transaction")
		require.Equal(t, tx.Hash().Hex(), txid)
	})

	t.Run("SendRefusesWhatCannotPay", func(t *testing.T) {
		tx := net.Sign(bob, ethtest.Tx{To: &alice.Address, Value: ethtest.Ether(2), Gas: params.TxGas})
		_, err := chain.Send(ctx, marshal(t, tx))
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
		require.Contains(t, core.ErrorMessage(err), "insufficient funds")
	})

	t.Run("MalformedInputIsInvalid", func(t *testing.T) {
		for _, a := range []string{"", "0x12", "alice", aliceHex + "00"} {
			_, err := chain.Balance(ctx, a)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
			_, err = chain.Nonce(ctx, a)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
			_, err = chain.TokenBalance(ctx, tokenHex, a)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
			_, err = chain.TokenBalance(ctx, a, aliceHex)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
			_, err = chain.EstimateGas(ctx, a, bobHex, nil, nil)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
			_, err = chain.EstimateGas(ctx, aliceHex, a, nil, nil)
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
		}
		_, err := chain.EstimateGas(ctx, aliceHex, bobHex, big.NewInt(-1), nil)
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		_, err = chain.Send(ctx, []byte{0x02, 0xc0})
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
}

func TestPayerOnTheSimulatedBackend(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sim.Commit() // past "transaction indexing is in progress"
	payerSuite(t, b.chain, b.sim.Chain, b.alice)
}

// The simulated backend mines only on Commit, so what a pending
// transaction changes can be seen here.
func TestPayerWhilePending(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sim.Commit()
	tx := b.sim.Transfer(b.alice, b.bob.Address, big.NewInt(1))

	n, err := b.chain.Nonce(b.ctx, b.aliceHex)
	require.NoError(t, err)
	require.Zero(t, n, "a pooled transaction is not counted")
	txid, err := b.chain.Send(b.ctx, marshal(t, tx))
	require.NoError(t, err, "already known")
	require.Equal(t, tx.Hash().Hex(), txid)

	same := tx.Nonce()
	replacement := b.sim.Sign(b.alice, ethtest.Tx{To: &b.carol.Address, Value: big.NewInt(1), Gas: params.TxGas, Nonce: &same})
	_, err = b.chain.Send(b.ctx, marshal(t, replacement))
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Contains(t, core.ErrorMessage(err), "replacement transaction underpriced")

	b.sim.Commit()
	n, err = b.chain.Nonce(b.ctx, b.aliceHex)
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
}

// TestPayerCalls pins the round trips of the refund calls (see the package
// comment).
func TestPayerCalls(t *testing.T) {
	t.Parallel()
	b := setup(t)
	b.sim.Commit()
	cost := func(f func() error) uint64 {
		t.Helper()
		before := b.chain.Calls()
		require.NoError(t, f())
		return b.chain.Calls() - before
	}
	require.EqualValues(t, 1, cost(func() error { _, err := b.chain.Balance(b.ctx, b.aliceHex); return err }))
	require.EqualValues(t, 1, cost(func() error { _, err := b.chain.Nonce(b.ctx, b.aliceHex); return err }))
	require.EqualValues(t, 2, cost(func() error { _, _, err := b.chain.Fees(b.ctx); return err }))
	require.EqualValues(t, 1, cost(func() error { _, err := b.chain.EstimateGas(b.ctx, b.aliceHex, b.bobHex, nil, nil); return err }))
	tx := b.sim.Sign(b.alice, ethtest.Tx{To: &b.bob.Address, Gas: params.TxGas})
	require.EqualValues(t, 1, cost(func() error { _, err := b.chain.Send(b.ctx, marshal(t, tx)); return err }))
	b.sim.Commit()
	nonce := tx.Nonce()
	refusedAsUsed(t, b.chain, b.sim.Sign(b.alice, ethtest.Tx{To: &b.carol.Address, Gas: params.TxGas, Nonce: &nonce}))
	require.EqualValues(t, 2, cost(func() error { _, err := b.chain.Send(b.ctx, marshal(t, tx)); return err }),
		"nonce too low: and a lookup")
	token := b.sim.DeployToken(b.alice)
	require.EqualValues(t, 1, cost(func() error {
		_, err := b.chain.TokenBalance(b.ctx, token.Address.Hex(), b.aliceHex)
		return err
	}))
}

// A node whose chain has no base fee cannot price a refund.
func TestFeesWithoutEIP1559(t *testing.T) {
	t.Parallel()
	f := &fakeClient{HeaderByNumberFunc: func() (*types.Header, error) { return &types.Header{Number: big.NewInt(5)}, nil }}
	_, _, err := ethereum.New(f, ethereum.Config{}).Fees(context.Background())
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "without EIP-1559")
}

// TestSendTellsARefusalFromAFailure pins how Send reads the node's errors.
func TestSendTellsARefusalFromAFailure(t *testing.T) {
	t.Parallel()
	tx := signedTx(t, fakeChainID)
	other := signedTx(t, big.NewInt(1))
	lookup := func(tx *types.Transaction, err error) func() (*types.Transaction, bool, error) {
		return func() (*types.Transaction, bool, error) { return tx, false, err }
	}
	tooLow := errors.New("nonce too low: address 0x…, tx: 3 state: 4")
	for _, tc := range []struct {
		name   string
		send   error
		lookup func() (*types.Transaction, bool, error)
		code   string // "-" for success
	}{
		{"Accepted", nil, nil, "-"},
		{"AlreadyKnown", errors.New("already known"), nil, "-"},
		{"Mined", tooLow, lookup(tx, nil), "-"},
		{"NonceUsedByAnother", tooLow, lookup(nil, goethereum.NotFound), core.ECONFLICT},
		{"LookupStillIndexing", tooLow, lookup(nil, errors.New("transaction indexing is in progress")), core.EINTERNAL},
		{"LookupReturnsAnother", tooLow, lookup(other, nil), core.EINTERNAL},
		{"Underpriced", errors.New("replacement transaction underpriced"), nil, core.ECONFLICT},
		{"BelowBaseFee", errors.New("max fee per gas less than block base fee: address 0x…"), nil, core.ECONFLICT},
		{"NoFunds", errors.New("insufficient funds for gas * price + value: balance 0"), nil, core.ECONFLICT},
		{"NodeDown", errors.New("dial tcp 127.0.0.1:8545: connect: connection refused"), nil, core.EINTERNAL},
		{"RateLimited", errors.New("limit exceeded"), nil, core.EINTERNAL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeClient{SendTransactionFunc: func() error { return tc.send }, TransactionByHashFunc: tc.lookup}
			txid, err := ethereum.New(f, ethereum.Config{}).Send(context.Background(), marshal(t, tx))
			if tc.code == "-" {
				require.NoError(t, err)
				require.Equal(t, tx.Hash().Hex(), txid)
				return
			}
			require.Equal(t, tc.code, core.ErrorCode(err), "%v", err)
			if tc.code == core.ECONFLICT {
				require.Contains(t, core.ErrorMessage(err), "The node refused the transaction: "+tc.send.Error())
			}
		})
	}
}
