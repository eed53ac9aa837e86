package payout

import (
	"bytes"
	"strings"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/ethereum/go-ethereum/core/types"

	"depositdesk/core"
)

// VerifySigned implements core.PayoutBuilder: raw, signed elsewhere (the
// air-gapped station, another wallet), must be exactly p's transaction
// with valid signatures by the account's own keys. Nothing in raw but its
// signatures is taken: the transaction it signs is compared with p's, and
// p with the approved refund, as Check does.
func (Builder) VerifySigned(a *core.Asset, r *core.Refund, p *core.Payout, raw []byte) (string, error) {
	if err := checkFacts(a, r, p); err != nil {
		return "", err
	}
	switch a.Chain {
	case core.ChainBitcoin:
		unsigned, err := checkBitcoin(a, p)
		if err != nil {
			return "", err
		}
		return verifyBitcoin(a, p, unsigned, raw)
	case core.ChainEthereum:
		unsigned, err := checkEthereum(a, p)
		if err != nil {
			return "", err
		}
		return verifyEthereum(p, unsigned, raw)
	}
	return "", core.Errorf(core.EINVALID, "Unknown chain %q.", a.Chain)
}

// verifyBitcoin: raw without its witnesses is the prepared transaction,
// and every input's witness satisfies the script engine against the
// output it spends (amount and the account's own script).
func verifyBitcoin(a *core.Asset, p *core.Payout, unsigned *wire.MsgTx, raw []byte) (string, error) {
	params, err := core.BitcoinParams(a.Network)
	if err != nil {
		return "", err
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return "", core.Errorf(core.EINVALID, "The signed file holds no Bitcoin transaction: %v.", err)
	}
	var got, want bytes.Buffer
	if err := tx.SerializeNoWitness(&got); err != nil {
		return "", core.Errorf(core.EINVALID, "The signed transaction does not encode: %v.", err)
	}
	if err := unsigned.SerializeNoWitness(&want); err != nil {
		return "", core.Errorf(core.EINTERNAL, "serialize: %v", err)
	}
	if !bytes.Equal(got.Bytes(), want.Bytes()) {
		return "", core.Errorf(core.ECONFLICT, "The signed transaction is not the prepared one (%s); nothing was stored.", tx.TxHash())
	}
	prevs := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range p.Inputs {
		script, err := addressScript(in.Address, params)
		if err != nil {
			return "", err
		}
		prevs.AddPrevOut(tx.TxIn[i].PreviousOutPoint, wire.NewTxOut(in.Amount.Int64(), script))
	}
	hashes := txscript.NewTxSigHashes(&tx, prevs)
	for i := range tx.TxIn {
		prev := prevs.FetchPrevOutput(tx.TxIn[i].PreviousOutPoint)
		vm, err := txscript.NewEngine(prev.PkScript, &tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, prevs)
		if err == nil {
			err = vm.Execute()
		}
		if err != nil {
			return "", core.Errorf(core.ECONFLICT, "Input %d of the signed transaction is not validly signed by the account's key (%v); nothing was stored.", i, err)
		}
		// A valid P2WPKH witness is [signature+sighash byte, key]. Only
		// SIGHASH_ALL commits to every output: NONE or SINGLE would let
		// whoever relays the transaction send the money elsewhere.
		if sig := tx.TxIn[i].Witness[0]; txscript.SigHashType(sig[len(sig)-1]) != txscript.SigHashAll {
			return "", core.Errorf(core.ECONFLICT, "Input %d of the signed transaction is not signed with SIGHASH_ALL; nothing was stored.", i)
		}
	}
	return tx.TxHash().String(), nil
}

// verifyEthereum: raw signs the same EIP-1559 transaction (the signer's
// hash covers every field but the signature) and recovers to the payer.
func verifyEthereum(p *core.Payout, unsigned *types.Transaction, raw []byte) (string, error) {
	var tx types.Transaction
	if err := tx.UnmarshalBinary(raw); err != nil {
		return "", core.Errorf(core.EINVALID, "The signed file holds no Ethereum transaction: %v.", err)
	}
	signer := types.LatestSignerForChainID(unsigned.ChainId())
	if tx.Type() != unsigned.Type() || signer.Hash(&tx) != signer.Hash(unsigned) {
		return "", core.Errorf(core.ECONFLICT, "The signed transaction is not the prepared one (%s); nothing was stored.", tx.Hash().Hex())
	}
	from, err := types.Sender(signer, &tx)
	if err != nil || from.Hex() != p.Payer {
		return "", core.Errorf(core.ECONFLICT, "The signed transaction is not signed by the refund payer %s; nothing was stored.", p.Payer)
	}
	return strings.ToLower(tx.Hash().Hex()), nil
}
