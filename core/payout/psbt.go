package payout

import (
	"bytes"
	"encoding/binary"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
)

// ExportPSBT checks p against r and a as Check does and returns it as a
// BIP-174 PSBT in its binary form (what a .psbt file holds; Sparrow,
// Electrum, Bitcoin Core and hardware wallets' companions read it, and
// base64.StdEncoding of it where text is wanted). Each input carries the
// output it spends (amount and P2WPKH script, so a signer sees the fee) and
// the key origin of its key; the change output carries its own, so wallets
// show it as change. With a descriptor as account key the origin is the
// master key's fingerprint and the full path m/84'/coin'/account'/branch/
// index, which any wallet holding the seed recognises. A plain key carries
// no origin: the fingerprint is then the account key's own and the path
// branch/index below it, which only a signer holding the account key
// itself (the signing station, or a wallet given the descriptor) finds.
// prev holds, by txid, every transaction p's inputs spend (serialized, as
// core.TransactionSource gives them): each input carries its whole previous
// transaction too, which hardware wallets require (BIP-174 non-witness
// UTXO), once it hashes to the input's txid and its output is the amount
// and script the refund records.
func ExportPSBT(a *core.Asset, r *core.Refund, p *core.Payout, prev map[string][]byte) ([]byte, error) {
	if a.Chain != core.ChainBitcoin {
		return nil, core.Errorf(core.EINVALID, "PSBTs are Bitcoin's; %s refunds travel as the prepared-refund file.", a.Key())
	}
	if err := checkFacts(a, r, p); err != nil {
		return nil, err
	}
	tx, err := checkBitcoin(a, p)
	if err != nil {
		return nil, err
	}
	acct, err := hdaddr.ParseAccount(a.Chain, a.Network, a.AccountXPub)
	if err != nil {
		return nil, err
	}
	prevs, err := prevOuts(a, p, tx)
	if err != nil {
		return nil, err
	}
	pkt, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		return nil, core.Errorf(core.EINTERNAL, "psbt: %v", err)
	}
	for i, c := range p.Inputs {
		op := tx.TxIn[i].PreviousOutPoint
		pkt.Inputs[i].WitnessUtxo = prevs.FetchPrevOutput(op)
		if pkt.Inputs[i].NonWitnessUtxo, err = previousTx(prev, op, pkt.Inputs[i].WitnessUtxo); err != nil {
			return nil, err
		}
		d, err := derivation(acct, c.Branch, c.Index)
		if err != nil {
			return nil, err
		}
		pkt.Inputs[i].Bip32Derivation = []*psbt.Bip32Derivation{d}
	}
	if len(tx.TxOut) == 2 {
		d, err := derivation(acct, hdaddr.Internal, p.ChangeIndex)
		if err != nil {
			return nil, err
		}
		pkt.Outputs[1].Bip32Derivation = []*psbt.Bip32Derivation{d}
	}
	var buf bytes.Buffer
	if err := pkt.Serialize(&buf); err != nil {
		return nil, core.Errorf(core.EINTERNAL, "psbt: %v", err)
	}
	return buf.Bytes(), nil
}

// ImportPSBT takes b, a PSBT (binary or base64) signed by another wallet,
// and returns the network transaction it completes and its hash. Only its
// signatures are taken: its unsigned transaction must be p's byte for byte
// (p itself checked against r and a as Check does), inputs only partially
// signed are finalized here with the outputs p spends rather than any the
// file names, and the result must pass VerifySigned: every witness through
// the script engine against p's amounts and the account's own scripts.
// Signatures must commit to the whole transaction (SIGHASH_ALL), or anyone
// relaying it could redirect the money. ECONFLICT naming the input that
// is unsigned or wrongly signed; EINVALID when b is no PSBT.
func ImportPSBT(a *core.Asset, r *core.Refund, p *core.Payout, b []byte) (raw []byte, txid string, err error) {
	if a.Chain != core.ChainBitcoin {
		return nil, "", core.Errorf(core.EINVALID, "PSBTs are Bitcoin's; %s refunds travel as the prepared-refund file.", a.Key())
	}
	if err := checkFacts(a, r, p); err != nil {
		return nil, "", err
	}
	tx, err := checkBitcoin(a, p)
	if err != nil {
		return nil, "", err
	}
	pkt, err := readPSBT(b)
	if err != nil {
		return nil, "", err
	}
	var unsigned bytes.Buffer
	if err := pkt.UnsignedTx.SerializeNoWitness(&unsigned); err != nil || !bytes.Equal(unsigned.Bytes(), p.Unsigned) {
		return nil, "", core.Errorf(core.ECONFLICT, "The PSBT is not the prepared transaction of refund %d (it spends or pays otherwise); nothing was imported.", r.ID)
	}
	prevs, err := prevOuts(a, p, tx)
	if err != nil {
		return nil, "", err
	}
	for i := range pkt.Inputs {
		in := &pkt.Inputs[i]
		in.WitnessUtxo, in.NonWitnessUtxo = prevs.FetchPrevOutput(tx.TxIn[i].PreviousOutPoint), nil
		if ok, err := psbt.MaybeFinalize(pkt, i); err != nil || !ok {
			return nil, "", core.Errorf(core.ECONFLICT, "Input %d (%s) of the PSBT is not signed; sign every input and import it again.", i, p.Inputs[i].Address)
		}
	}
	signed, err := psbt.Extract(pkt)
	if err != nil {
		return nil, "", core.Errorf(core.ECONFLICT, "The PSBT's signatures do not complete the transaction (%v); nothing was imported.", err)
	}
	var buf bytes.Buffer
	if err := signed.Serialize(&buf); err != nil {
		return nil, "", core.Errorf(core.EINTERNAL, "serialize: %v", err)
	}
	if txid, err = verifyBitcoin(a, p, tx, buf.Bytes()); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), txid, nil
}

// readPSBT reads a PSBT in either form wallets write: binary (it starts
// with the magic "psbt\xff") or base64 text.
func readPSBT(b []byte) (*psbt.Packet, error) {
	r, b64 := bytes.NewReader(b), !bytes.HasPrefix(b, []byte("psbt\xff"))
	if b64 {
		r = bytes.NewReader([]byte(strings.TrimSpace(string(b))))
	}
	pkt, err := psbt.NewFromRawBytes(r, b64)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "That is not a PSBT (BIP-174, binary or base64): %v.", err)
	}
	return pkt, nil
}

// prevOuts are the outputs p's inputs spend as the desk recorded them: the
// amount and the P2WPKH script of the account's own address.
func prevOuts(a *core.Asset, p *core.Payout, tx *wire.MsgTx) (*txscript.MultiPrevOutFetcher, error) {
	params, err := core.BitcoinParams(a.Network)
	if err != nil {
		return nil, err
	}
	prevs := txscript.NewMultiPrevOutFetcher(nil)
	for i, c := range p.Inputs {
		script, err := addressScript(c.Address, params)
		if err != nil {
			return nil, err
		}
		prevs.AddPrevOut(tx.TxIn[i].PreviousOutPoint, wire.NewTxOut(c.Amount.Int64(), script))
	}
	return prevs, nil
}

// previousTx is the transaction in prev that op spends, once it is: its
// hash is op's and its output op.Index is out. A node answering with
// another transaction, or one paying otherwise than the refund records, is
// refused, as a wallet would then show the signer an amount the desk never
// checked.
func previousTx(prev map[string][]byte, op wire.OutPoint, out *wire.TxOut) (*wire.MsgTx, error) {
	raw, ok := prev[op.Hash.String()]
	if !ok {
		return nil, core.Errorf(core.EINVALID, "Transaction %s, which the refund spends, is not at hand: hardware wallets need it in the PSBT.", op.Hash)
	}
	var tx wire.MsgTx
	rd := bytes.NewReader(raw)
	if err := tx.Deserialize(rd); err != nil || rd.Len() != 0 {
		return nil, core.Errorf(core.ECONFLICT, "The node's transaction %s does not parse; nothing was written.", op.Hash)
	}
	switch {
	case tx.TxHash() != op.Hash:
		return nil, core.Errorf(core.ECONFLICT, "The node answered %s with transaction %s; nothing was written.", op.Hash, tx.TxHash())
	case int(op.Index) >= len(tx.TxOut):
		return nil, core.Errorf(core.ECONFLICT, "Transaction %s has no output %d; nothing was written.", op.Hash, op.Index)
	case tx.TxOut[op.Index].Value != out.Value:
		return nil, core.Errorf(core.ECONFLICT, "Output %s holds %d sat, the refund records %d; nothing was written.", op, tx.TxOut[op.Index].Value, out.Value)
	case !bytes.Equal(tx.TxOut[op.Index].PkScript, out.PkScript):
		return nil, core.Errorf(core.ECONFLICT, "Output %s pays another address than the refund records; nothing was written.", op)
	}
	return &tx, nil
}

// derivation is the BIP-174 key origin of the account's branch/index key:
// from the master key when the account key is a descriptor, else from the
// account key itself (its own fingerprint, hash160 of its public key).
func derivation(acct hdaddr.Account, branch, index uint32) (*psbt.Bip32Derivation, error) {
	b, err := acct.Key.Derive(branch)
	if err != nil {
		return nil, core.Errorf(core.EINTERNAL, "derive branch %d: %v", branch, err)
	}
	child, err := b.Derive(index)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Index %d derives no valid key.", index)
	}
	pub, err := child.ECPubKey()
	if err != nil {
		return nil, core.Errorf(core.EINTERNAL, "derived public key: %v", err)
	}
	fp, path := acct.Fingerprint[:], acct.Path
	if len(path) == 0 {
		own, err := acct.Key.ECPubKey()
		if err != nil {
			return nil, core.Errorf(core.EINTERNAL, "account public key: %v", err)
		}
		fp = btcutil.Hash160(own.SerializeCompressed())[:4]
	}
	// BIP-174 writes the fingerprint as its 4 bytes in order; btcd's
	// uint32 goes out little-endian, so it is read that way.
	return &psbt.Bip32Derivation{
		PubKey:               pub.SerializeCompressed(),
		MasterKeyFingerprint: binary.LittleEndian.Uint32(fp),
		Bip32Path:            append(append([]uint32(nil), path...), branch, index),
	}, nil
}
