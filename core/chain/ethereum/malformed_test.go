package ethereum_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"testing"

	goethereum "github.com/ethereum/go-ethereum"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/chain/ethereum"
)

// fakeClient answers with whatever a test puts in its Func fields: the
// node replies no real node sends, to check they end as errors, not panics.
type fakeClient struct {
	ChainIDFunc            func() (*big.Int, error)
	HeaderByNumberFunc     func() (*types.Header, error)
	BlockByNumberFunc      func() (*types.Block, error)
	TransactionByHashFunc  func() (*types.Transaction, bool, error)
	TransactionReceiptFunc func() (*types.Receipt, error)
	NonceAtFunc            func() (uint64, error)
	BalanceAtFunc          func() (*big.Int, error)
	CallContractFunc       func() ([]byte, error)
	SuggestGasTipCapFunc   func() (*big.Int, error)
	EstimateGasFunc        func() (uint64, error)
	SendTransactionFunc    func() error
}

func (f *fakeClient) ChainID(context.Context) (*big.Int, error) { return f.ChainIDFunc() }
func (f *fakeClient) HeaderByNumber(context.Context, *big.Int) (*types.Header, error) {
	return f.HeaderByNumberFunc()
}
func (f *fakeClient) BlockByNumber(context.Context, *big.Int) (*types.Block, error) {
	return f.BlockByNumberFunc()
}
func (f *fakeClient) TransactionByHash(context.Context, common.Hash) (*types.Transaction, bool, error) {
	return f.TransactionByHashFunc()
}
func (f *fakeClient) TransactionReceipt(context.Context, common.Hash) (*types.Receipt, error) {
	return f.TransactionReceiptFunc()
}
func (f *fakeClient) NonceAt(context.Context, common.Address, *big.Int) (uint64, error) {
	return f.NonceAtFunc()
}
func (f *fakeClient) BalanceAt(context.Context, common.Address, *big.Int) (*big.Int, error) {
	return f.BalanceAtFunc()
}
func (f *fakeClient) CallContract(context.Context, goethereum.CallMsg, *big.Int) ([]byte, error) {
	return f.CallContractFunc()
}
func (f *fakeClient) SuggestGasTipCap(context.Context) (*big.Int, error) {
	return f.SuggestGasTipCapFunc()
}
func (f *fakeClient) EstimateGas(context.Context, goethereum.CallMsg) (uint64, error) {
	return f.EstimateGasFunc()
}
func (f *fakeClient) SendTransaction(context.Context, *types.Transaction) error {
	return f.SendTransactionFunc()
}

var fakeChainID = big.NewInt(1337)

// signedTx is a real signed transfer with value, for fakes to return.
func signedTx(t testing.TB, chainID *big.Int) *types.Transaction {
	t.Helper()
	key, err := crypto.ToECDSA(crypto.Keccak256([]byte("malformed test key")))
	require.NoError(t, err)
	to := common.HexToAddress("0x00000000000000000000000000000000000000aa")
	tx, err := types.SignNewTx(key, types.LatestSignerForChainID(chainID), &types.DynamicFeeTx{
		ChainID: chainID, Nonce: 3, GasTipCap: big.NewInt(1), GasFeeCap: big.NewInt(2), Gas: 21_000, To: &to, Value: big.NewInt(5),
	})
	require.NoError(t, err)
	return tx
}

func goodReceipt(tx *types.Transaction) *types.Receipt {
	return &types.Receipt{Status: 1, TxHash: tx.Hash(), BlockHash: common.HexToHash("0xb1"), BlockNumber: big.NewInt(9)}
}

func TestMalformedNodeReplies(t *testing.T) {
	t.Parallel()
	tx := signedTx(t, fakeChainID)
	other := signedTx(t, big.NewInt(1))
	unsigned := types.NewTx(&types.LegacyTx{Nonce: 1, Gas: 21_000, Value: big.NewInt(1)})
	mined := func(f *fakeClient) {
		f.TransactionByHashFunc = func() (*types.Transaction, bool, error) { return tx, false, nil }
	}

	cases := []struct {
		name string
		// head, block, conflict; tx asks for tx, txself for the one the
		// fake returns
		call string
		set  func(f *fakeClient)
	}{
		{"HeadNil", "head", func(f *fakeClient) { f.HeaderByNumberFunc = func() (*types.Header, error) { return nil, nil } }},
		{"HeadWithoutNumber", "head", func(f *fakeClient) {
			f.HeaderByNumberFunc = func() (*types.Header, error) { return &types.Header{}, nil }
		}},
		{"HeadNegative", "head", func(f *fakeClient) {
			f.HeaderByNumberFunc = func() (*types.Header, error) { return &types.Header{Number: big.NewInt(-1)}, nil }
		}},
		{"HeadBeyondInt64", "head", func(f *fakeClient) {
			f.HeaderByNumberFunc = func() (*types.Header, error) { return &types.Header{Number: new(big.Int).Lsh(big.NewInt(1), 70)}, nil }
		}},
		{"HeadError", "head", func(f *fakeClient) {
			f.HeaderByNumberFunc = func() (*types.Header, error) { return nil, errors.New("connection refused") }
		}},
		{"BlockNil", "block", func(f *fakeClient) { f.BlockByNumberFunc = func() (*types.Block, error) { return nil, nil } }},
		{"BlockOfAnotherHeight", "block", func(f *fakeClient) {
			f.BlockByNumberFunc = func() (*types.Block, error) {
				return types.NewBlockWithHeader(&types.Header{Number: big.NewInt(8)}), nil
			}
		}},
		{"BlockWithoutNumber", "block", func(f *fakeClient) {
			f.BlockByNumberFunc = func() (*types.Block, error) { return types.NewBlockWithHeader(&types.Header{}), nil }
		}},
		{"BlockWithNullTransaction", "block", func(f *fakeClient) {
			f.BlockByNumberFunc = func() (*types.Block, error) {
				return types.NewBlockWithHeader(&types.Header{Number: big.NewInt(7)}).
					WithBody(types.Body{Transactions: []*types.Transaction{nil}}), nil
			}
		}},
		{"TxNil", "tx", func(f *fakeClient) {
			f.TransactionByHashFunc = func() (*types.Transaction, bool, error) { return nil, false, nil }
		}},
		{"TxOtherThanAskedFor", "tx", func(f *fakeClient) {
			f.TransactionByHashFunc = func() (*types.Transaction, bool, error) { return other, true, nil }
		}},
		{"TxUnsigned", "txself", func(f *fakeClient) {
			f.TransactionByHashFunc = func() (*types.Transaction, bool, error) { return unsigned, true, nil }
		}},
		{"TxSignedForAnotherChain", "txself", func(f *fakeClient) {
			f.TransactionByHashFunc = func() (*types.Transaction, bool, error) { return other, true, nil }
		}},
		{"ChainIDMissing", "tx", func(f *fakeClient) {
			mined(f)
			f.ChainIDFunc = func() (*big.Int, error) { return nil, nil }
		}},
		{"ReceiptNil", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) { return nil, nil }
		}},
		{"ReceiptOfAnotherTx", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) { return goodReceipt(other), nil }
		}},
		{"ReceiptWithoutBlockNumber", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) {
				r := goodReceipt(tx)
				r.BlockNumber = nil
				return r, nil
			}
		}},
		{"ReceiptWithoutBlockHash", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) {
				r := goodReceipt(tx)
				r.BlockHash = common.Hash{}
				return r, nil
			}
		}},
		{"ReceiptBlockBeyondInt64", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) {
				r := goodReceipt(tx)
				r.BlockNumber = new(big.Int).Lsh(big.NewInt(1), 64)
				return r, nil
			}
		}},
		{"ReceiptWithNullLog", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) {
				r := goodReceipt(tx)
				r.Logs = []*types.Log{nil}
				return r, nil
			}
		}},
		{"ReceiptError", "tx", func(f *fakeClient) {
			mined(f)
			f.TransactionReceiptFunc = func() (*types.Receipt, error) { return nil, errors.New("timeout") }
		}},
		{"NonceError", "conflict", func(f *fakeClient) {
			f.NonceAtFunc = func() (uint64, error) { return 0, errors.New("timeout") }
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := &fakeClient{
				ChainIDFunc: func() (*big.Int, error) { return fakeChainID, nil },
			}
			tc.set(f)
			chain := ethereum.New(f, ethereum.Config{})
			ctx := context.Background()
			var err error
			require.NotPanics(t, func() {
				switch tc.call {
				case "head":
					_, err = chain.Head(ctx)
				case "block":
					_, err = chain.Block(ctx, 7)
				case "tx":
					_, err = chain.Transaction(ctx, tx.Hash().Hex())
				case "txself":
					self, _, _ := f.TransactionByHashFunc()
					_, err = chain.Transaction(ctx, self.Hash().Hex())
				case "conflict":
					_, _, err = chain.Conflict(ctx, []string{ethereum.Spend(common.Address{1}, 0)})
				}
			})
			t.Log(err)
			require.Error(t, err)
			require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(err), "a bad reply is not an answer: %v", err)
		})
	}
}

func TestMalformedLogsAreNotTransfers(t *testing.T) {
	t.Parallel()
	tx := signedTx(t, fakeChainID)
	topic := crypto.Keccak256Hash([]byte("Transfer(address,address,uint256)"))
	from := common.BytesToHash(common.HexToAddress("0x1111111111111111111111111111111111111111").Bytes())
	to := common.BytesToHash(common.HexToAddress("0x2222222222222222222222222222222222222222").Bytes())
	amount := common.BigToHash(big.NewInt(77)).Bytes()
	dirty := to
	dirty[0] = 1 // an address topic with garbage above its 20 bytes
	token := common.HexToAddress("0x3333333333333333333333333333333333333333")

	logs := []*types.Log{
		{Index: 0, Address: token, Topics: []common.Hash{topic, from}, Data: amount},                     // too few topics
		{Index: 1, Address: token, Topics: []common.Hash{topic, from, to, common.Hash{7}}, Data: nil},    // ERC-721
		{Index: 2, Address: token, Topics: []common.Hash{topic, from, to}, Data: amount[:31]},            // short data
		{Index: 3, Address: token, Topics: []common.Hash{topic, from, to}, Data: append(amount, 0)},      // long data
		{Index: 4, Address: token, Topics: []common.Hash{topic, from, dirty}, Data: amount},              // bad address
		{Index: 5, Address: token, Topics: []common.Hash{common.Hash{9}, from, to}, Data: amount},        // other event
		{Index: 6, Address: token, Topics: nil, Data: amount},                                            // anonymous
		{Index: 7, Address: token, Topics: []common.Hash{topic, from, to}, Data: amount},                 // the one
		{Index: 8, Address: token, Topics: []common.Hash{topic, from, to}, Data: make([]byte, 32)},       // zero amount
		{Index: 1 << 62, Address: token, Topics: []common.Hash{topic, from, to}, Data: make([]byte, 32)}, // huge block index
	}
	f := &fakeClient{
		ChainIDFunc:           func() (*big.Int, error) { return fakeChainID, nil },
		TransactionByHashFunc: func() (*types.Transaction, bool, error) { return tx, false, nil },
		TransactionReceiptFunc: func() (*types.Receipt, error) {
			r := goodReceipt(tx)
			r.Logs = logs
			return r, nil
		},
	}
	got, err := ethereum.New(f, ethereum.Config{ChainID: fakeChainID}).Transaction(context.Background(), tx.Hash().Hex())
	require.NoError(t, err)
	zero := new(big.Int).SetBytes(make([]byte, 32)) // as decoded, for require.Equal
	native := core.ChainTransfer{Index: 0, From: got.Sources[0], To: tx.To().Hex(), Amount: big.NewInt(5)}
	want := []core.ChainTransfer{native,
		{Index: 7, Contract: token.Hex(), From: common.BytesToAddress(from[12:]).Hex(), To: common.BytesToAddress(to[12:]).Hex(), Amount: big.NewInt(77)},
		{Index: 8, Contract: token.Hex(), From: common.BytesToAddress(from[12:]).Hex(), To: common.BytesToAddress(to[12:]).Hex(), Amount: zero},
		// Keyed by its place in the transaction, whatever the block index says.
		{Index: 9, Contract: token.Hex(), From: common.BytesToAddress(from[12:]).Hex(), To: common.BytesToAddress(to[12:]).Hex(), Amount: zero},
	}
	require.Equal(t, want, got.Transfers)
}

// TestMalformedJSONRPC puts the real ethclient in front of a server that
// answers every call with the same bad result, so decoding errors from the
// wire surface as errors too.
func TestMalformedJSONRPC(t *testing.T) {
	t.Parallel()
	tx := signedTx(t, fakeChainID)
	for name, result := range map[string]string{
		"Garbage":        `"not an object"`,
		"EmptyObject":    `{}`,
		"WrongTypes":     `{"number":[],"hash":7,"blockHash":true,"status":"yes","logs":{}}`,
		"TxWithoutSig":   `{"type":"0x2","chainId":"0x539","nonce":"0x0","to":null,"gas":"0x5208","maxFeePerGas":"0x1","maxPriorityFeePerGas":"0x1","value":"0x1","input":"0x","accessList":[]}`,
		"HugeNumbers":    `{"number":"0x10000000000000000000000","blockNumber":"0x10000000000000000000000"}`,
		"NegativeNumber": `{"number":"-0x1"}`,
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				var req struct {
					ID json.RawMessage `json:"id"`
				}
				body, _ := io.ReadAll(r.Body)
				_ = json.Unmarshal(body, &req)
				w.Header().Set("Content-Type", "application/json")
				_, _ = io.WriteString(w, `{"jsonrpc":"2.0","id":`+string(req.ID)+`,"result":`+result+`}`)
			}))
			t.Cleanup(srv.Close)
			client, err := ethclient.Dial(srv.URL)
			require.NoError(t, err)
			t.Cleanup(client.Close)
			chain := ethereum.New(client, ethereum.Config{ChainID: fakeChainID})
			ctx := context.Background()
			require.NotPanics(t, func() {
				_, err := chain.Head(ctx)
				require.Error(t, err)
				_, err = chain.Block(ctx, 1)
				require.Error(t, err)
				_, err = chain.Transaction(ctx, tx.Hash().Hex())
				require.Error(t, err)
				require.NotEqual(t, core.ENOTFOUND, core.ErrorCode(err))
				_, _, err = chain.Conflict(ctx, []string{ethereum.Spend(common.Address{1}, 0)})
				require.Error(t, err)
				addr := common.Address{1}.Hex()
				_, err = chain.Balance(ctx, addr)
				require.Error(t, err)
				_, err = chain.TokenBalance(ctx, addr, addr)
				require.Error(t, err)
				_, err = chain.Nonce(ctx, addr)
				require.Error(t, err)
				_, _, err = chain.Fees(ctx)
				require.Error(t, err)
				_, err = chain.EstimateGas(ctx, addr, addr, nil, nil)
				require.Error(t, err)
			})
		})
	}
}

// The fakes must stay in step with the interface the adapter declares.
var _ ethereum.Client = (*fakeClient)(nil)

// goethereum.NotFound from a fake is the node's "no such thing".
func TestNotFoundFromTheNode(t *testing.T) {
	t.Parallel()
	f := &fakeClient{
		ChainIDFunc:           func() (*big.Int, error) { return fakeChainID, nil },
		BlockByNumberFunc:     func() (*types.Block, error) { return nil, goethereum.NotFound },
		TransactionByHashFunc: func() (*types.Transaction, bool, error) { return nil, false, goethereum.NotFound },
	}
	chain := ethereum.New(f, ethereum.Config{})
	_, err := chain.Block(context.Background(), 1)
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
	_, err = chain.Transaction(context.Background(), common.Hash{1}.Hex())
	require.Equal(t, core.ENOTFOUND, core.ErrorCode(err))
}
