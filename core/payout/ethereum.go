package payout

import (
	"bytes"
	"context"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/ethereum/go-ethereum/crypto"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
)

// payerIndex is the refund payer's index on the account's internal chain
// (m/44'/60'/0'/1/0): deposit addresses are all on the external one.
const payerIndex = 0

// plainTransferGas is what a value transfer to an account without code
// costs; more means the customer's address runs code on receipt, and the
// estimate is then given headroom like a token transfer's.
const plainTransferGas = 21000

// transferSelector is ERC-20 transfer(address,uint256).
var transferSelector = crypto.Keccak256([]byte("transfer(address,uint256)"))[:4]

// Payer is the account's refund payer address on network: the only
// address Ethereum refunds are paid from. Operators fund it.
func Payer(a *core.Asset) (string, error) {
	return hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, hdaddr.Internal, payerIndex)
}

// buildEthereum builds an EIP-1559 transaction from the payer: the lowest
// nonce at or above the node's count of the payer's mined transactions
// that no live refund holds (so a refund abandoned before signing leaves
// no gap and a crash never reuses one), fees from the node's base fee and
// tip (or the asset's configured max fee per gas), and refuses when the
// payer cannot pay amount plus the most the fee can be.
func buildEthereum(ctx context.Context, a *core.Asset, r *core.Refund, held []string, node core.EthereumPayer) (*core.Payout, error) {
	p, err := core.LookupNetwork(a.Net())
	if err != nil {
		return nil, err
	}
	if !common.IsHexAddress(r.Address) {
		return nil, core.Errorf(core.EINVALID, "%s is not an Ethereum address.", r.Address)
	}
	payer, err := Payer(a)
	if err != nil {
		return nil, err
	}
	mined, err := node.Nonce(ctx, payer)
	if err != nil {
		return nil, err
	}
	claimed := map[uint64]bool{}
	prefix := core.SpendKey(a.Net(), payer+":")
	for _, h := range held {
		if n, err := strconv.ParseUint(strings.TrimPrefix(h, prefix), 10, 64); err == nil && strings.HasPrefix(h, prefix) {
			claimed[n] = true
		}
	}
	nonce := mined
	for claimed[nonce] {
		nonce++
	}
	base, tip, err := node.Fees(ctx)
	if err != nil {
		return nil, err
	}
	maxFee := new(big.Int).Add(new(big.Int).Mul(base, big.NewInt(2)), tip)
	if a.RefundFeeRate != nil {
		maxFee = a.RefundFeeRate
		if tip.Cmp(maxFee) > 0 {
			tip = maxFee
		}
	}
	to, value, data := txTarget(a, r)
	coin, err := node.Balance(ctx, payer)
	if err != nil {
		return nil, err
	}
	// A transfer the payer cannot cover fails its gas estimate: say what
	// it lacks first.
	if a.ContractAddress != "" {
		tokens, err := node.TokenBalance(ctx, a.ContractAddress, payer)
		if err != nil {
			return nil, err
		}
		if tokens.Cmp(r.Amount) < 0 {
			return nil, core.Errorf(core.EINVALID, "The refund payer %s holds %s %s and must pay %s; short by %s %s. Fund the payer first.",
				payer, core.FormatAmount(tokens, a.Decimals), a.Symbol, r.AmountText(), core.FormatAmount(new(big.Int).Sub(r.Amount, tokens), a.Decimals), a.Symbol)
		}
	} else if coin.Cmp(r.Amount) < 0 {
		return nil, core.Errorf(core.EINVALID, "The refund payer %s holds %s and must pay %s plus the fee; short by more than %s. Fund the payer first.",
			payer, core.FormatFee(a.Chain, coin), core.FormatFee(a.Chain, r.Amount), core.FormatFee(a.Chain, new(big.Int).Sub(r.Amount, coin)))
	}
	gas, err := node.EstimateGas(ctx, payer, to, value, data)
	if err != nil {
		return nil, core.Errorf(core.ECONFLICT, "The %s node cannot estimate the refund's gas: %s", a.Net(), core.ErrorMessage(err))
	}
	if gas != plainTransferGas {
		gas += gas / 5 // code runs: state may change between estimate and mining
	}
	fee := new(big.Int).Mul(new(big.Int).SetUint64(gas), maxFee)
	needCoin := new(big.Int).Set(fee)
	if a.ContractAddress == "" {
		needCoin.Add(needCoin, r.Amount)
	}
	if fee.Cmp(a.RefundFeeCap) > 0 {
		return nil, core.Errorf(core.EINVALID, "The fee could reach %s (%d gas at %s wei), above %s's refund fee cap of %s.",
			core.FormatFee(a.Chain, fee), gas, maxFee, a.Key(), core.FormatFee(a.Chain, a.RefundFeeCap))
	}
	if coin.Cmp(needCoin) < 0 {
		return nil, core.Errorf(core.EINVALID, "The refund payer %s holds %s and needs %s (amount and the most the fee can be); short by %s. Fund the payer first.",
			payer, core.FormatFee(a.Chain, coin), core.FormatFee(a.Chain, needCoin), core.FormatFee(a.Chain, new(big.Int).Sub(needCoin, coin)))
	}
	toAddr := common.HexToAddress(to)
	raw, err := EncodeUnsignedEthereum(&types.DynamicFeeTx{ChainID: new(big.Int).SetUint64(p.ChainID), Nonce: nonce, GasTipCap: tip,
		GasFeeCap: maxFee, Gas: gas, To: &toAddr, Value: value, Data: data})
	if err != nil {
		return nil, err
	}
	return &core.Payout{Unsigned: raw, To: r.Address, Amount: core.NewInt(r.Amount), Contract: a.ContractAddress, Fee: core.NewInt(fee),
		FeeRate: core.NewInt(maxFee), Payer: payer, Nonce: nonce, GasLimit: gas, TipCap: core.NewInt(tip)}, nil
}

// txTarget is what the refund's transaction calls: the customer with the
// value, or the token contract with transfer(customer, amount).
func txTarget(a *core.Asset, r *core.Refund) (to string, value *big.Int, data []byte) {
	if a.ContractAddress == "" {
		return r.Address, r.Amount, nil
	}
	data = append(slices.Clone(transferSelector), common.LeftPadBytes(common.HexToAddress(r.Address).Bytes(), 32)...)
	data = append(data, common.LeftPadBytes(r.Amount.Bytes(), 32)...)
	return a.ContractAddress, big.NewInt(0), data
}

// checkEthereum decodes the prepared transaction and confirms it is the
// unsigned EIP-1559 transaction p says: the network's chain id, the
// payer's nonce, the recipient, value and call of the approved refund, and
// a gas limit and max fee whose product is p.Fee.
func checkEthereum(a *core.Asset, p *core.Payout) (*types.Transaction, error) {
	params, err := core.LookupNetwork(a.Net())
	if err != nil {
		return nil, err
	}
	tx, err := DecodeUnsignedEthereum(p.Unsigned)
	if err != nil {
		return nil, mismatch("it does not decode (%v)", core.ErrorMessage(err))
	}
	r := &core.Refund{Address: p.To, Amount: p.Amount.Big()}
	to, value, data := txTarget(a, r)
	payer, err := Payer(a)
	if err != nil {
		return nil, err
	}
	fee := new(big.Int).Mul(new(big.Int).SetUint64(tx.Gas()), tx.GasFeeCap())
	switch {
	case tx.Type() != types.DynamicFeeTxType:
		return nil, mismatch("it is not an EIP-1559 transaction")
	case tx.ChainId().Cmp(new(big.Int).SetUint64(params.ChainID)) != 0:
		return nil, mismatch("it is for chain id %s, %s is %d", tx.ChainId(), a.Net(), params.ChainID)
	case p.Payer != payer:
		return nil, mismatch("it is paid by %s, the account's refund payer is %s", p.Payer, payer)
	case tx.Nonce() != p.Nonce:
		return nil, mismatch("its nonce is %d, the prepared facts %d", tx.Nonce(), p.Nonce)
	case tx.To() == nil || !sameHex(tx.To().Hex(), to):
		return nil, mismatch("it calls another address than %s", to)
	case tx.Value().Cmp(value) != 0 || !bytes.Equal(tx.Data(), data):
		return nil, mismatch("it pays another amount or address than %s %s to %s", core.FormatAmount(r.Amount, a.Decimals), a.Symbol, p.To)
	case tx.Gas() != p.GasLimit || p.FeeRate == nil || tx.GasFeeCap().Cmp(p.FeeRate.Big()) != 0 || p.TipCap == nil || tx.GasTipCap().Cmp(p.TipCap.Big()) != 0:
		return nil, mismatch("its gas or fee per gas differ from the prepared facts")
	case fee.Cmp(p.Fee.Big()) != 0:
		return nil, mismatch("it can cost %s in fees, the prepared facts say %s", core.FormatFee(a.Chain, fee), core.FormatFee(a.Chain, p.Fee.Big()))
	}
	return tx, nil
}

// signEthereum signs tx with the payer's key and checks the signature
// recovers the payer.
func signEthereum(a *core.Asset, p *core.Payout, tx *types.Transaction, acct *hdkeychain.ExtendedKey) ([]byte, string, error) {
	branch, err := acct.Derive(hdaddr.Internal)
	if err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "derive branch: %v", err)
	}
	defer branch.Zero()
	child, err := branch.Derive(payerIndex)
	if err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "derive payer key: %v", err)
	}
	defer child.Zero()
	priv, err := child.ECPrivKey()
	if err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "payer key: %v", err)
	}
	defer priv.Zero()
	key := priv.ToECDSA()
	defer key.D.SetInt64(0)
	signer := types.LatestSignerForChainID(tx.ChainId())
	signed, err := types.SignTx(tx, signer, key)
	if err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "sign: %v", err)
	}
	from, err := types.Sender(signer, signed)
	if err != nil || from.Hex() != p.Payer {
		return nil, "", core.Errorf(core.ECONFLICT, "This station's key for %s does not control the refund payer %s; nothing was signed.", a.Key(), p.Payer)
	}
	raw, err := signed.MarshalBinary()
	if err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "encode: %v", err)
	}
	return raw, strings.ToLower(signed.Hash().Hex()), nil
}

func sameHex(a, b string) bool { return strings.EqualFold(a, b) }
