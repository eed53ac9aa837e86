package addrproof

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

// bip322Tag is the BIP-340 tag of the message hash.
const bip322Tag = "BIP0322-signed-message"

// BIP322MessageHash is sha256(sha256(tag) ‖ sha256(tag) ‖ message).
func BIP322MessageHash(message string) [32]byte {
	tag := sha256.Sum256([]byte(bip322Tag))
	h := sha256.New()
	h.Write(tag[:])
	h.Write(tag[:])
	h.Write([]byte(message))
	var out [32]byte
	copy(out[:], h.Sum(nil))
	return out
}

// BIP322ToSpend builds the virtual to_spend transaction for message and the
// challenge script (the address's scriptPubKey).
func BIP322ToSpend(message string, pkScript []byte) *wire.MsgTx {
	hash := BIP322MessageHash(message)
	sigScript, _ := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(hash[:]).Script()
	tx := wire.NewMsgTx(0)
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Hash: chainhash.Hash{}, Index: 0xFFFFFFFF},
		SignatureScript:  sigScript,
		Sequence:         0,
	})
	tx.AddTxOut(&wire.TxOut{Value: 0, PkScript: pkScript})
	return tx
}

// BIP322ToSign builds the virtual to_sign transaction spending toSpend with
// the given witness.
func BIP322ToSign(toSpend *wire.MsgTx, witness wire.TxWitness) *wire.MsgTx {
	tx := wire.NewMsgTx(0)
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Hash: toSpend.TxHash(), Index: 0},
		Witness:          witness,
		Sequence:         0,
	})
	tx.AddTxOut(&wire.TxOut{Value: 0, PkScript: []byte{txscript.OP_RETURN}})
	return tx
}

// bip322Flags are the script rules BIP-322 requires: standard policy
// (LOW_S, STRICTENC, NULLFAIL, MINIMALDATA, CLEANSTACK, MINIMALIF, witness
// and taproot rules, no upgradable NOPs or witness versions).
const bip322Flags = txscript.StandardVerifyFlags

// VerifyBIP322Simple checks a BIP-322 "simple" signature (a base64
// consensus-encoded witness stack) of message by a native segwit address
// (P2WPKH, P2WSH or P2TR) by running the witness through btcd's script
// engine against the virtual to_spend/to_sign transactions.
func VerifyBIP322Simple(network, address, message, signatureB64 string) error {
	addr, err := DecodeBitcoinAddress(network, address)
	if err != nil {
		return err
	}
	switch addr.(type) {
	case *btcutil.AddressWitnessPubKeyHash, *btcutil.AddressWitnessScriptHash, *btcutil.AddressTaproot:
	default:
		return core.Errorf(core.EINVALID, "BIP-322 simple signatures need a native segwit address (bc1q…/bc1p…); use a legacy signature for %s.", address)
	}
	witness, err := decodeWitness(signatureB64)
	if err != nil {
		return err
	}
	pkScript, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return core.Errorf(core.EINVALID, "Cannot build the script of %s.", address)
	}
	toSpend := BIP322ToSpend(message, pkScript)
	toSign := BIP322ToSign(toSpend, witness)
	fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, 0)
	hashes := txscript.NewTxSigHashes(toSign, fetcher)
	vm, err := txscript.NewEngine(pkScript, toSign, 0, bip322Flags, nil, hashes, 0, fetcher)
	if err != nil {
		return core.Errorf(core.EINVALID, "Signature is not a valid witness for %s.", address)
	}
	if err := vm.Execute(); err != nil {
		return core.Errorf(core.EINVALID, "Signature was not made by %s for this message.", address)
	}
	return nil
}

// decodeWitness reads base64 of a consensus-encoded vector of byte vectors
// and refuses trailing bytes.
func decodeWitness(signatureB64 string) (wire.TxWitness, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signatureB64))
	bad := core.Errorf(core.EINVALID, "Signature is not a base64 BIP-322 witness.")
	if err != nil || len(raw) == 0 || len(raw) > 10_000 {
		return nil, bad
	}
	r := bytes.NewReader(raw)
	n, err := wire.ReadVarInt(r, 0)
	if err != nil || n == 0 || n > 100 {
		return nil, bad
	}
	w := make(wire.TxWitness, 0, n)
	for i := uint64(0); i < n; i++ {
		item, err := wire.ReadVarBytes(r, 0, 10_000, "witness item")
		if err != nil {
			return nil, bad
		}
		w = append(w, item)
	}
	if r.Len() != 0 {
		return nil, bad
	}
	return w, nil
}
