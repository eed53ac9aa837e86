package payout_test

import (
	"bytes"
	"context"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
)

func TestASignedBitcoinRefundIsTakenOnlyIfItIsThePreparedOneValidlySigned(t *testing.T) {
	a, acct := btcAccount(t)
	c1, c2 := coin(t, a, 0, 3, 300_000, 0), coin(t, a, 0, 5, 300_000, 1)
	r := &core.Refund{ID: 5, Address: customer(t), Amount: big.NewInt(400_000), Decimals: 8}
	p, err := payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{c1, c2}, nil, nodeWith(c1, c2))
	require.NoError(t, err)
	raw, txid, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	got, err := payout.Builder{}.VerifySigned(a, r, p, raw)
	require.NoError(t, err)
	require.Equal(t, txid, got)

	other := *r
	other.ID, other.Amount = 6, big.NewInt(300_000)
	q, err := payout.Builder{}.Build(context.Background(), a, &other, []core.PayoutInput{c1, c2}, nil, nodeWith(c1, c2))
	require.NoError(t, err)
	otherRaw, _, err := payout.Sign(a, &other, q, acct)
	require.NoError(t, err)
	_, err = payout.Builder{}.VerifySigned(a, r, p, otherRaw)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "another refund's signed transaction")

	var tx wire.MsgTx
	require.NoError(t, tx.Deserialize(bytes.NewReader(raw)))
	tx.TxIn[0].Witness, tx.TxIn[1].Witness = tx.TxIn[1].Witness, tx.TxIn[0].Witness
	var swapped bytes.Buffer
	require.NoError(t, tx.Serialize(&swapped))
	_, err = payout.Builder{}.VerifySigned(a, r, p, swapped.Bytes())
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "signatures on the wrong inputs")
	require.Contains(t, core.ErrorMessage(err), "Input 0")
	_, err = payout.Builder{}.VerifySigned(a, r, p, p.Unsigned)
	require.Error(t, err, "an unsigned transaction")
}

func TestASignedEthereumRefundMustBeThePayersSignatureOfThePreparedOne(t *testing.T) {
	a, acct := ethAccount(t, "")
	r := &core.Refund{ID: 3, Address: common.HexToAddress(ethCustomer).Hex(), Amount: big.NewInt(1e17), Decimals: 18}
	p, err := payout.Builder{}.Build(context.Background(), a, r, nil, nil, richNode())
	require.NoError(t, err)
	raw, txid, err := payout.Sign(a, r, p, acct)
	require.NoError(t, err)
	got, err := payout.Builder{}.VerifySigned(a, r, p, raw)
	require.NoError(t, err)
	require.Equal(t, txid, got)

	unsigned, err := payout.DecodeUnsignedEthereum(p.Unsigned)
	require.NoError(t, err)
	stranger, err := crypto.GenerateKey()
	require.NoError(t, err)
	forged, err := types.SignTx(unsigned, types.LatestSignerForChainID(unsigned.ChainId()), stranger)
	require.NoError(t, err)
	forgedRaw, err := forged.MarshalBinary()
	require.NoError(t, err)
	_, err = payout.Builder{}.VerifySigned(a, r, p, forgedRaw)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "signed by another key than the payer's")

	r2 := *r
	r2.Amount = big.NewInt(2e17)
	q, err := payout.Builder{}.Build(context.Background(), a, &r2, nil, nil, richNode())
	require.NoError(t, err)
	otherRaw, _, err := payout.Sign(a, &r2, q, acct)
	require.NoError(t, err)
	_, err = payout.Builder{}.VerifySigned(a, r, p, otherRaw)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "the payer's signature of another transaction")
}
