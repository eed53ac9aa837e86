package ethereum_test

import (
	"context"
	"math/big"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
)

// FuzzParseSpend: whatever the stored spends hold, ParseSpend either
// rejects them with EINVALID or returns what Spend turns back into the
// canonical form.
func FuzzParseSpend(f *testing.F) {
	f.Add("0x7cAF60F13C99681dDDFAd549ff5F79099d4515B8:3")
	f.Add("0x7caf60f13c99681dddfad549ff5f79099d4515b8:18446744073709551615")
	f.Add("txid:0")
	f.Add(":")
	f.Fuzz(func(t *testing.T, s string) {
		from, nonce, err := ethereum.ParseSpend(s)
		if err != nil {
			require.Equal(t, core.EINVALID, core.ErrorCode(err))
			return
		}
		again, n2, err := ethereum.ParseSpend(ethereum.Spend(from, nonce))
		require.NoError(t, err)
		require.Equal(t, from, again)
		require.Equal(t, nonce, n2)
	})
}

// FuzzReceiptLogs feeds one arbitrary log through Transaction: it never
// panics, and whatever it reports as a token transfer is a well-formed
// Transfer of the log's contract.
func FuzzReceiptLogs(f *testing.F) {
	topic := crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))
	f.Add(topic.Bytes(), make([]byte, 64), make([]byte, 32), uint(3))
	f.Add(topic.Bytes(), make([]byte, 96), []byte{}, uint(0))
	f.Add([]byte{}, []byte{1}, make([]byte, 31), uint(1<<40))
	tx := signedTx(f, fakeChainID)
	f.Fuzz(func(t *testing.T, first, rest, data []byte, index uint) {
		var topics []common.Hash
		if len(first) > 0 {
			topics = append(topics, common.BytesToHash(first))
		}
		for len(rest) > 0 && len(topics) < 5 {
			n := min(32, len(rest))
			topics = append(topics, common.BytesToHash(rest[:n]))
			rest = rest[n:]
		}
		token := common.HexToAddress("0x3333333333333333333333333333333333333333")
		fake := &fakeClient{
			ChainIDFunc:           func() (*big.Int, error) { return fakeChainID, nil },
			TransactionByHashFunc: func() (*types.Transaction, bool, error) { return tx, false, nil },
			TransactionReceiptFunc: func() (*types.Receipt, error) {
				r := goodReceipt(tx)
				r.Logs = []*types.Log{{Address: token, Topics: topics, Data: data, Index: index}}
				return r, nil
			},
		}
		got, err := ethereum.New(fake, ethereum.Config{ChainID: fakeChainID}).Transaction(context.Background(), tx.Hash().Hex())
		require.NoError(t, err)
		for _, tr := range got.Transfers[1:] { // [0] is the value transfer
			require.Equal(t, token.Hex(), tr.Contract)
			require.Len(t, topics, 3)
			require.Len(t, data, 32)
			require.Equal(t, topic, topics[0])
			require.Zero(t, tr.Index, "the first (only) log of its transaction, whatever its index in the block")
			require.Equal(t, new(big.Int).SetBytes(data), tr.Amount)
		}
	})
}
