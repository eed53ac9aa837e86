package payout

import (
	"math/big"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/rlp"

	"depositdesk/core"
)

// unsignedFields are an EIP-1559 transaction without its signature, in the
// order EIP-1559 signs them: 0x02 || rlp(these) is the unsigned
// transaction wallets exchange (ethers' unsignedSerialized), and its
// Keccak hash what the payer's key signs.
type unsignedFields struct {
	ChainID    *big.Int
	Nonce      uint64
	GasTipCap  *big.Int
	GasFeeCap  *big.Int
	Gas        uint64
	To         *common.Address `rlp:"nil"`
	Value      *big.Int
	Data       []byte
	AccessList types.AccessList
}

// EncodeUnsignedEthereum is tx as an unsigned EIP-1559 transaction:
// 0x02 || rlp(chain id, nonce, tip, max fee, gas, to, value, data, access
// list), with no signature fields.
func EncodeUnsignedEthereum(tx *types.DynamicFeeTx) ([]byte, error) {
	b, err := rlp.EncodeToBytes(&unsignedFields{ChainID: tx.ChainID, Nonce: tx.Nonce, GasTipCap: tx.GasTipCap, GasFeeCap: tx.GasFeeCap,
		Gas: tx.Gas, To: tx.To, Value: tx.Value, Data: tx.Data, AccessList: tx.AccessList})
	if err != nil {
		return nil, core.Errorf(core.EINTERNAL, "encode: %v", err)
	}
	return append([]byte{types.DynamicFeeTxType}, b...), nil
}

// DecodeUnsignedEthereum reads what EncodeUnsignedEthereum writes, and
// nothing else: another type, trailing bytes or a signature are refused.
func DecodeUnsignedEthereum(b []byte) (*types.Transaction, error) {
	if len(b) == 0 || b[0] != types.DynamicFeeTxType {
		return nil, core.Errorf(core.EINVALID, "not an unsigned EIP-1559 transaction")
	}
	var f unsignedFields
	if err := rlp.DecodeBytes(b[1:], &f); err != nil {
		return nil, core.Errorf(core.EINVALID, "not an unsigned EIP-1559 transaction: %v", err)
	}
	return types.NewTx(&types.DynamicFeeTx{ChainID: f.ChainID, Nonce: f.Nonce, GasTipCap: f.GasTipCap, GasFeeCap: f.GasFeeCap, Gas: f.Gas,
		To: f.To, Value: f.Value, Data: f.Data, AccessList: f.AccessList}), nil
}
