package payout

import (
	"bytes"
	"context"
	"math/big"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
)

// Weights of a P2WPKH spend, in weight units (BIP141): the fixed part with
// the segwit marker, each input (outpoint, sequence, and a witness of a
// 72-byte signature and a 33-byte key), and an output's value and script
// length byte before its script.
const (
	txOverheadWU = 4*(4+1+1+4) + 2
	inputWU      = 4*(32+4+1+4) + 1 + 1 + 72 + 1 + 33
	outputBaseWU = 4 * (8 + 1)
)

// dustLimit is the smallest change worth an output: less than this costs
// more to spend later than it is worth, and nodes refuse it as dust. It
// goes to the fee instead.
const dustLimit = 546

// rbfSequence signals BIP125 replaceability, so a stuck refund can be
// fee-bumped by an explicit, approved replacement.
const rbfSequence = wire.MaxTxInSequenceNum - 2

// buildBitcoin spends coins in the order given (the refunded deposit's own
// output first, then the largest) until they pay the amount and the fee,
// each checked unspent on the node first; change goes to the account's
// internal chain at the refund's ID, so a refund prepared again pays the
// same change address and two refunds never share one.
func buildBitcoin(ctx context.Context, a *core.Asset, r *core.Refund, coins []core.PayoutInput, node core.BitcoinPayer) (*core.Payout, error) {
	params, err := core.BitcoinParams(a.Network)
	if err != nil {
		return nil, err
	}
	to, err := btcutil.DecodeAddress(r.Address, params)
	if err != nil || !to.IsForNet(params) {
		return nil, core.Errorf(core.EINVALID, "%s is not a %s address.", r.Address, a.Net())
	}
	toScript, err := txscript.PayToAddrScript(to)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s cannot be paid: %v", r.Address, err)
	}
	rate, err := bitcoinFeeRate(ctx, a, node)
	if err != nil {
		return nil, err
	}
	changeIndex := uint32(r.ID)
	changeAddr, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, hdaddr.Internal, changeIndex)
	if err != nil {
		return nil, err
	}
	changeScript, err := addressScript(changeAddr, params)
	if err != nil {
		return nil, err
	}
	want := r.Amount
	var chosen []core.PayoutInput
	sum := new(big.Int)
	fee := func(outputs int) *big.Int {
		scripts := [][]byte{toScript, changeScript}[:outputs]
		return new(big.Int).Mul(big.NewInt(vsize(len(chosen), scripts...)), rate)
	}
	for _, c := range coins {
		if len(chosen) > 0 && sum.Cmp(new(big.Int).Add(want, fee(1))) >= 0 {
			break
		}
		amount, addr, err := node.Unspent(ctx, c.Outpoint)
		if core.ErrorCode(err) == core.ENOTFOUND {
			continue // spent outside the desk, or not yet seen: not ours to spend
		}
		if err != nil {
			return nil, err
		}
		if amount.Cmp(c.Amount.Big()) != 0 || addr != c.Address {
			continue // the chain says otherwise than the desk's record: never guess
		}
		chosen = append(chosen, c)
		sum.Add(sum, amount)
	}
	p := &core.Payout{To: r.Address, Amount: core.NewInt(want), Contract: "", FeeRate: core.NewInt(rate), Inputs: chosen}
	change := new(big.Int).Sub(sum, want)
	change.Sub(change, fee(2))
	switch {
	case len(chosen) > 0 && change.Cmp(big.NewInt(dustLimit)) >= 0:
		p.Fee, p.Change, p.ChangeIndex, p.ChangeAddress = core.NewInt(fee(2)), core.NewInt(change), changeIndex, changeAddr
	case len(chosen) > 0 && sum.Cmp(new(big.Int).Add(want, fee(1))) >= 0:
		p.Fee = core.NewInt(new(big.Int).Sub(sum, want)) // the dust change goes to the miner
	default:
		need := new(big.Int).Add(want, fee(1))
		return nil, core.Errorf(core.EINVALID, "The %s account cannot pay this refund: it needs %s (amount and fee at %s sat/vB) and has %s in %d spendable output(s); short by %s.",
			a.Key(), core.FormatFee(a.Chain, need), rate, core.FormatFee(a.Chain, sum), len(chosen), core.FormatFee(a.Chain, new(big.Int).Sub(need, sum)))
	}
	if p.Fee.Big().Cmp(a.RefundFeeCap) > 0 {
		return nil, core.Errorf(core.EINVALID, "The fee would be %s (%d inputs at %s sat/vB), above %s's refund fee cap of %s.",
			core.FormatFee(a.Chain, p.Fee.Big()), len(chosen), rate, a.Key(), core.FormatFee(a.Chain, a.RefundFeeCap))
	}
	outs := []*wire.TxOut{wire.NewTxOut(want.Int64(), toScript)}
	if p.Change != nil {
		outs = append(outs, wire.NewTxOut(p.Change.Int64(), changeScript))
	}
	if p.Unsigned, err = assemble(chosen, outs); err != nil {
		return nil, err
	}
	return p, nil
}

// vsize is the virtual size of a transaction spending inputs P2WPKH
// outputs to outputs of the given scripts.
func vsize(inputs int, scripts ...[]byte) int64 {
	wu := txOverheadWU + inputWU*inputs
	for _, s := range scripts {
		wu += outputBaseWU + 4*len(s)
	}
	return int64((wu + 3) / 4)
}

// assemble is the unsigned transaction spending inputs (each signalling
// BIP125 replaceability) to outs.
func assemble(inputs []core.PayoutInput, outs []*wire.TxOut) ([]byte, error) {
	tx := wire.NewMsgTx(2)
	for _, in := range inputs {
		op, err := parseOutpoint(in.Outpoint)
		if err != nil {
			return nil, err
		}
		txin := wire.NewTxIn(op, nil, nil)
		txin.Sequence = rbfSequence
		tx.AddTxIn(txin)
	}
	for _, o := range outs {
		tx.AddTxOut(o)
	}
	var buf bytes.Buffer
	if err := tx.SerializeNoWitness(&buf); err != nil {
		return nil, core.Errorf(core.EINTERNAL, "serialize: %v", err)
	}
	return buf.Bytes(), nil
}

// bitcoinFeeRate is the asset's configured rate, else the node's estimate.
func bitcoinFeeRate(ctx context.Context, a *core.Asset, node core.BitcoinPayer) (*big.Int, error) {
	if a.RefundFeeRate != nil {
		return a.RefundFeeRate, nil
	}
	rate, err := node.FeeRate(ctx)
	if core.ErrorCode(err) == core.ENOTFOUND {
		return nil, core.Errorf(core.EINVALID, "The %s node has no fee estimate; set a refund fee rate on %s in Cryptocurrency Configuration.", a.Net(), a.Key())
	}
	if err != nil {
		return nil, err
	}
	if rate.Sign() <= 0 {
		return nil, core.Errorf(core.ECONFLICT, "The %s node estimates a fee rate of %s sat/vB.", a.Net(), rate)
	}
	return rate, nil
}

// checkBitcoin decodes the prepared transaction and confirms it is exactly
// what p says: p's inputs, all at the account's own addresses, the amount
// to the customer as output 0, the change as output 1 to the account's
// internal key and nothing else, and a fee of p.Fee. The input amounts are
// the desk's record; segwit signatures commit to them (BIP143), so a
// record lowered to hide a fee makes a signature the network refuses.
func checkBitcoin(a *core.Asset, p *core.Payout) (*wire.MsgTx, error) {
	params, err := core.BitcoinParams(a.Network)
	if err != nil {
		return nil, err
	}
	var tx wire.MsgTx
	if err := tx.DeserializeNoWitness(bytes.NewReader(p.Unsigned)); err != nil {
		return nil, mismatch("it does not decode (%v)", err)
	}
	if !sameInputs(p) {
		return nil, mismatch("it replaces a transaction that spends other outputs, so both could be mined")
	}
	if len(tx.TxIn) == 0 || len(tx.TxIn) != len(p.Inputs) {
		return nil, mismatch("it spends %d outputs, the prepared facts %d", len(tx.TxIn), len(p.Inputs))
	}
	in := new(big.Int)
	for i, txin := range tx.TxIn {
		c := p.Inputs[i]
		if txin.PreviousOutPoint.String() != c.Outpoint {
			return nil, mismatch("input %d spends %s, the prepared facts %s", i, txin.PreviousOutPoint, c.Outpoint)
		}
		own, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, c.Branch, c.Index)
		if err != nil {
			return nil, err
		}
		if own != c.Address || c.Amount == nil || c.Amount.Sign() <= 0 {
			return nil, mismatch("input %d is not the account's own output", i)
		}
		in.Add(in, c.Amount.Big())
	}
	wantOuts := 1
	if p.Change != nil && p.Change.Sign() > 0 {
		wantOuts = 2
	}
	if len(tx.TxOut) != wantOuts {
		return nil, mismatch("it has %d outputs, the prepared facts %d", len(tx.TxOut), wantOuts)
	}
	if err := checkOutput(tx.TxOut[0], p.To, p.Amount.Big(), params); err != nil {
		return nil, err
	}
	out := big.NewInt(tx.TxOut[0].Value)
	if wantOuts == 2 {
		own, err := hdaddr.Derive(a.Chain, a.Network, a.AccountXPub, hdaddr.Internal, p.ChangeIndex)
		if err != nil {
			return nil, err
		}
		if own != p.ChangeAddress {
			return nil, mismatch("its change goes to %s, not the account's own %s", p.ChangeAddress, own)
		}
		if err := checkOutput(tx.TxOut[1], own, p.Change.Big(), params); err != nil {
			return nil, err
		}
		out.Add(out, big.NewInt(tx.TxOut[1].Value))
	}
	if fee := new(big.Int).Sub(in, out); fee.Cmp(p.Fee.Big()) != 0 {
		return nil, mismatch("its fee is %s, the prepared facts say %s", core.FormatFee(a.Chain, fee), core.FormatFee(a.Chain, p.Fee.Big()))
	}
	return &tx, nil
}

func checkOutput(out *wire.TxOut, addr string, amount *big.Int, params *chaincfg.Params) error {
	script, err := addressScript(addr, params)
	if err != nil {
		return err
	}
	if !bytes.Equal(out.PkScript, script) {
		return mismatch("an output pays another address than %s", addr)
	}
	if !amount.IsInt64() || out.Value != amount.Int64() {
		return mismatch("it pays %s %d satoshis, the prepared facts %s", addr, out.Value, amount)
	}
	return nil
}

// signBitcoin signs each P2WPKH input with the account's child key for it
// and returns the transaction with witnesses and its txid.
func signBitcoin(a *core.Asset, p *core.Payout, tx *wire.MsgTx, acct *hdkeychain.ExtendedKey) ([]byte, string, error) {
	params, err := core.BitcoinParams(a.Network)
	if err != nil {
		return nil, "", err
	}
	prevs := make(map[wire.OutPoint]*wire.TxOut, len(p.Inputs))
	scripts := make([][]byte, len(p.Inputs))
	for i, c := range p.Inputs {
		script, err := addressScript(c.Address, params)
		if err != nil {
			return nil, "", err
		}
		scripts[i] = script
		prevs[tx.TxIn[i].PreviousOutPoint] = wire.NewTxOut(c.Amount.Int64(), script)
	}
	hashes := txscript.NewTxSigHashes(tx, txscript.NewMultiPrevOutFetcher(prevs))
	for i, c := range p.Inputs {
		if err := signInput(tx, hashes, i, c, scripts[i], acct, a, params); err != nil {
			return nil, "", err
		}
	}
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "serialize: %v", err)
	}
	return buf.Bytes(), tx.TxHash().String(), nil
}

func signInput(tx *wire.MsgTx, hashes *txscript.TxSigHashes, i int, c core.PayoutInput, script []byte, acct *hdkeychain.ExtendedKey, a *core.Asset, params *chaincfg.Params) error {
	branch, err := acct.Derive(c.Branch)
	if err != nil {
		return core.Errorf(core.EINTERNAL, "derive branch: %v", err)
	}
	defer branch.Zero()
	child, err := branch.Derive(c.Index)
	if err != nil {
		return core.Errorf(core.EINTERNAL, "derive input key: %v", err)
	}
	defer child.Zero()
	priv, err := child.ECPrivKey()
	if err != nil {
		return core.Errorf(core.EINTERNAL, "input key: %v", err)
	}
	defer priv.Zero()
	own, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(priv.PubKey().SerializeCompressed()), params)
	if err != nil || own.EncodeAddress() != c.Address {
		return core.Errorf(core.ECONFLICT, "This station's key for %s does not control input %d (%s); nothing was signed.", a.Key(), i, c.Address)
	}
	w, err := txscript.WitnessSignature(tx, hashes, i, c.Amount.Int64(), script, txscript.SigHashAll, priv, true)
	if err != nil {
		return core.Errorf(core.EINTERNAL, "sign input %d: %v", i, err)
	}
	tx.TxIn[i].Witness = w
	return nil
}

func addressScript(addr string, params *chaincfg.Params) ([]byte, error) {
	a, err := btcutil.DecodeAddress(addr, params)
	if err != nil || !a.IsForNet(params) {
		return nil, core.Errorf(core.EINVALID, "%s is not an address of this network.", addr)
	}
	s, err := txscript.PayToAddrScript(a)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s cannot be paid: %v", addr, err)
	}
	return s, nil
}

func parseOutpoint(s string) (*wire.OutPoint, error) {
	txid, vout, ok := strings.Cut(s, ":")
	h, err := chainhash.NewHashFromStr(txid)
	n, err2 := strconv.ParseUint(vout, 10, 32)
	if !ok || err != nil || err2 != nil || len(txid) != 64 {
		return nil, core.Errorf(core.EINVALID, "%q is not an outpoint (txid:vout).", s)
	}
	return wire.NewOutPoint(h, uint32(n)), nil
}
