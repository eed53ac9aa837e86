package payout_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"maps"
	"math/big"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/internal/testkeys"
)

// psbtBundle is a prepared two-input refund with change, and the key a
// wallet signs it with: the seed's master key when the asset's account key
// is a descriptor, the account key itself when it is a plain tpub.
type psbtBundle struct {
	a      *core.Asset
	r      *core.Refund
	p      *core.Payout
	acct   *hdkeychain.ExtendedKey // what payout.Sign takes
	wallet string                  // the private key that signs the PSBT
	prev   map[string][]byte       // the transactions the inputs spend
}

func psbtSetup(t *testing.T, descriptor bool) *psbtBundle {
	t.Helper()
	a, acct := btcAccount(t)
	wallet := acct.String()
	if descriptor {
		master, desc, err := testkeys.Descriptor(seed, 84, 1, &chaincfg.RegressionNetParams)
		require.NoError(t, err)
		a.AccountXPub, wallet = desc, master
	}
	coins, prev := funded(t, coin(t, a, 0, 3, 300_000, 0), coin(t, a, 1, 5, 300_000, 1))
	r := &core.Refund{ID: 5, Address: customer(t), Amount: big.NewInt(400_000), Decimals: 8}
	p, err := payout.Builder{}.Build(context.Background(), a, r, coins, nil, nodeWith(coins...))
	require.NoError(t, err)
	require.NotNil(t, p.Change)
	return &psbtBundle{a: a, r: r, p: p, acct: acct, wallet: wallet, prev: prev}
}

// funded gives each coin a transaction it comes from: output 1 pays the
// coin (output 0 someone else), and the coin's outpoint becomes that
// transaction's. prev holds them serialized, by txid, as a node gives them.
func funded(t *testing.T, coins ...core.PayoutInput) ([]core.PayoutInput, map[string][]byte) {
	t.Helper()
	prev := map[string][]byte{}
	out := make([]core.PayoutInput, len(coins))
	for i, c := range coins {
		script, err := txscript.PayToAddrScript(mustAddr(t, c.Address))
		require.NoError(t, err)
		other, err := txscript.PayToAddrScript(mustAddr(t, customer(t)))
		require.NoError(t, err)
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Hash: chainhash.Hash{byte(i + 1)}, Index: 0}, nil, [][]byte{{1}}))
		tx.AddTxOut(wire.NewTxOut(1_000, other))
		tx.AddTxOut(wire.NewTxOut(c.Amount.Int64(), script))
		var buf bytes.Buffer
		require.NoError(t, tx.Serialize(&buf))
		prev[tx.TxHash().String()] = buf.Bytes()
		c.Outpoint = tx.TxHash().String() + ":1"
		out[i] = c
	}
	return out, prev
}

// signPSBT signs b as a wallet holding xprv does: each input's key found
// by its BIP-174 derivation (the key's fingerprint, then the path below
// it), over the outputs the PSBT says the inputs spend. Inputs in skip stay
// unsigned. (An ExtendedKey caches its public key unguarded, so parallel
// tests each parse their own.)
func signPSBT(t *testing.T, b []byte, xprv string, hashType txscript.SigHashType, skip ...int) *psbt.Packet {
	t.Helper()
	key, err := hdkeychain.NewKeyFromString(xprv)
	require.NoError(t, err)
	pkt, err := psbt.NewFromRawBytes(bytes.NewReader(b), false)
	require.NoError(t, err)
	u, err := psbt.NewUpdater(pkt)
	require.NoError(t, err)
	prevs := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range pkt.Inputs {
		prevs.AddPrevOut(pkt.UnsignedTx.TxIn[i].PreviousOutPoint, in.WitnessUtxo)
	}
	hashes := txscript.NewTxSigHashes(pkt.UnsignedTx, prevs)
	pub, err := key.ECPubKey()
	require.NoError(t, err)
	fp := binary.LittleEndian.Uint32(btcutil.Hash160(pub.SerializeCompressed())[:4])
	for i, in := range pkt.Inputs {
		if contains(skip, i) {
			continue
		}
		require.Len(t, in.Bip32Derivation, 1)
		d := in.Bip32Derivation[0]
		require.Equal(t, fp, d.MasterKeyFingerprint, "input %d: the wallet recognises its key", i)
		child := key
		for _, step := range d.Bip32Path {
			child, err = child.Derive(step)
			require.NoError(t, err)
		}
		priv, err := child.ECPrivKey()
		require.NoError(t, err)
		require.Equal(t, d.PubKey, priv.PubKey().SerializeCompressed(), "input %d: the path leads to the named key", i)
		sig, err := txscript.RawTxInWitnessSignature(pkt.UnsignedTx, hashes, i, in.WitnessUtxo.Value, in.WitnessUtxo.PkScript, hashType, priv)
		require.NoError(t, err)
		if hashType != txscript.SigHashAll {
			require.NoError(t, u.AddInSighashType(hashType, i))
		}
		outcome, err := u.Sign(i, sig, d.PubKey, nil, nil)
		require.NoError(t, err)
		require.EqualValues(t, psbt.SignSuccesful, outcome)
	}
	return pkt
}

func contains(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

func serializePSBT(t *testing.T, pkt *psbt.Packet) []byte {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, pkt.Serialize(&buf))
	return buf.Bytes()
}

func TestExportPSBTCarriesWhatAWalletNeeds(t *testing.T) {
	t.Parallel()
	h := uint32(hdkeychain.HardenedKeyStart)
	for name, descriptor := range map[string]bool{"Descriptor": true, "PlainKey": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := psbtSetup(t, descriptor)
			file, err := payout.ExportPSBT(b.a, b.r, b.p, b.prev)
			require.NoError(t, err)
			require.True(t, bytes.HasPrefix(file, []byte("psbt\xff")), "binary, as .psbt files are")

			pkt, err := psbt.NewFromRawBytes(bytes.NewReader(file), false)
			require.NoError(t, err)
			var unsigned bytes.Buffer
			require.NoError(t, pkt.UnsignedTx.SerializeNoWitness(&unsigned))
			require.Equal(t, b.p.Unsigned, unsigned.Bytes())

			acct, err := hdaddr.ParseAccount(b.a.Chain, b.a.Network, b.a.AccountXPub)
			require.NoError(t, err)
			own, err := acct.Key.ECPubKey()
			require.NoError(t, err)
			wantFP := btcutil.Hash160(own.SerializeCompressed())[:4]
			var origin []uint32
			if descriptor {
				wantFP, origin = acct.Fingerprint[:], []uint32{h + 84, h + 1, h + 0}
			}
			checkDerivation := func(d *psbt.Bip32Derivation, branch, index uint32, addr string) {
				t.Helper()
				var fp [4]byte
				binary.LittleEndian.PutUint32(fp[:], d.MasterKeyFingerprint)
				require.Equal(t, wantFP, fp[:])
				require.Equal(t, append(append([]uint32(nil), origin...), branch, index), d.Bip32Path)
				got, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(d.PubKey), &chaincfg.RegressionNetParams)
				require.NoError(t, err)
				require.Equal(t, addr, got.EncodeAddress())
			}
			fee := int64(0)
			for i, c := range b.p.Inputs {
				in := pkt.Inputs[i]
				require.NotNil(t, in.WitnessUtxo)
				require.Equal(t, c.Amount.Int64(), in.WitnessUtxo.Value)
				script, err := txscript.PayToAddrScript(mustAddr(t, c.Address))
				require.NoError(t, err)
				require.Equal(t, script, in.WitnessUtxo.PkScript)
				require.NotNil(t, in.NonWitnessUtxo, "hardware wallets sign only with the previous transaction")
				op := pkt.UnsignedTx.TxIn[i].PreviousOutPoint
				require.Equal(t, op.Hash, in.NonWitnessUtxo.TxHash())
				require.Equal(t, in.WitnessUtxo, in.NonWitnessUtxo.TxOut[op.Index])
				require.Len(t, in.Bip32Derivation, 1)
				checkDerivation(in.Bip32Derivation[0], c.Branch, c.Index, c.Address)
				fee += in.WitnessUtxo.Value
			}
			require.Empty(t, pkt.Outputs[0].Bip32Derivation, "the customer's output is not the account's")
			require.Len(t, pkt.Outputs[1].Bip32Derivation, 1, "the change is marked as the account's")
			checkDerivation(pkt.Outputs[1].Bip32Derivation[0], hdaddr.Internal, b.p.ChangeIndex, b.p.ChangeAddress)
			for _, o := range pkt.UnsignedTx.TxOut {
				fee -= o.Value
			}
			require.Equal(t, b.p.Fee.Int64(), fee, "a signer computes the desk's fee from the PSBT alone")
		})
	}
}

func TestExportPSBTRefusesWhatCheckRefuses(t *testing.T) {
	t.Parallel()
	b := psbtSetup(t, true)
	altered := clonePayout(t, b.p)
	altered.Fee = core.NewInt(big.NewInt(altered.Fee.Int64() + 1))
	_, err := payout.ExportPSBT(b.a, b.r, altered, b.prev)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)

	// The previous transactions must be the ones the inputs spend, paying
	// what the refund records: a node's lie would show the signer another
	// amount than the desk checked.
	txid := func(i int) string { return b.p.Inputs[i].Outpoint[:64] }
	for name, edit := range map[string]func(prev map[string][]byte){
		"Missing":       func(prev map[string][]byte) { delete(prev, txid(1)) },
		"AnotherTx":     func(prev map[string][]byte) { prev[txid(0)] = prev[txid(1)] },
		"Unreadable":    func(prev map[string][]byte) { prev[txid(0)] = prev[txid(0)][:20] },
		"TrailingBytes": func(prev map[string][]byte) { prev[txid(0)] = append(bytes.Clone(prev[txid(0)]), 0) },
	} {
		prev := maps.Clone(b.prev)
		edit(prev)
		_, err := payout.ExportPSBT(b.a, b.r, b.p, prev)
		require.Error(t, err, name)
		require.Contains(t, []string{core.EINVALID, core.ECONFLICT}, core.ErrorCode(err), "%s: %v", name, err)
	}
	// Recorded facts rewritten consistently (an input worth 1 sat less, the
	// fee 1 sat less) pass Check; the previous transaction gives them away.
	otherAmount := clonePayout(t, b.p)
	otherAmount.Inputs[0].Amount = core.NewInt(big.NewInt(otherAmount.Inputs[0].Amount.Int64() - 1))
	otherAmount.Fee = core.NewInt(big.NewInt(otherAmount.Fee.Int64() - 1))
	require.NoError(t, payout.Builder{}.Check(b.a, b.r, otherAmount))
	_, err = payout.ExportPSBT(b.a, b.r, otherAmount, b.prev)
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "%v", err)
	require.Contains(t, err.Error(), "the refund records 299999")

	eth := *b.a
	eth.Chain = core.ChainEthereum
	_, err = payout.ExportPSBT(&eth, b.r, b.p, b.prev)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	_, _, err = payout.ImportPSBT(&eth, b.r, b.p, nil)
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
}

// TestImportPSBTGivesWhatTheStationSigns: a PSBT signed elsewhere, in any
// form a wallet returns it, completes to the very bytes payout.Sign makes
// (RFC 6979 signatures are deterministic).
func TestImportPSBTGivesWhatTheStationSigns(t *testing.T) {
	t.Parallel()
	for name, descriptor := range map[string]bool{"Descriptor": true, "PlainKey": false} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := psbtSetup(t, descriptor)
			wantRaw, wantTxID, err := payout.Sign(b.a, b.r, b.p, b.acct)
			require.NoError(t, err)
			file, err := payout.ExportPSBT(b.a, b.r, b.p, b.prev)
			require.NoError(t, err)

			partial := serializePSBT(t, signPSBT(t, file, b.wallet, txscript.SigHashAll))
			finalized := signPSBT(t, file, b.wallet, txscript.SigHashAll)
			require.NoError(t, psbt.MaybeFinalizeAll(finalized))
			for form, signed := range map[string][]byte{
				"PartialSignaturesBinary": partial,
				"PartialSignaturesBase64": []byte(base64.StdEncoding.EncodeToString(partial) + "\n"),
				"Finalized":               serializePSBT(t, finalized),
			} {
				raw, txid, err := payout.ImportPSBT(b.a, b.r, b.p, signed)
				require.NoError(t, err, form)
				require.Equal(t, wantTxID, txid, form)
				require.Equal(t, wantRaw, raw, form)
			}
		})
	}
}

// TestImportPSBTTakesOnlySignatures: whatever else the file says, it must
// sign exactly the prepared transaction, over the outputs the desk
// recorded, every input, with SIGHASH_ALL.
func TestImportPSBTTakesOnlySignatures(t *testing.T) {
	t.Parallel()
	b := psbtSetup(t, true)
	file, err := payout.ExportPSBT(b.a, b.r, b.p, b.prev)
	require.NoError(t, err)
	other := *b.r
	other.ID, other.Amount = 6, big.NewInt(300_000)
	c1, c2 := b.p.Inputs[0], b.p.Inputs[1]
	q, err := payout.Builder{}.Build(context.Background(), b.a, &other, []core.PayoutInput{c1, c2}, nil, nodeWith(c1, c2))
	require.NoError(t, err)
	otherFile, err := payout.ExportPSBT(b.a, &other, q, b.prev)
	require.NoError(t, err)
	stranger, err := hdkeychain.NewMaster(bytes.Repeat([]byte{3}, 32), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	strangerKey, err := stranger.ECPrivKey()
	require.NoError(t, err)

	cases := []struct {
		name, code, says string
		file             func(t *testing.T) []byte
	}{
		{"NotAPSBT", core.EINVALID, "not a PSBT", func(*testing.T) []byte { return []byte("cHNidP8 not base64 at all") }},
		{"AlteredUnsignedTx", core.ECONFLICT, "not the prepared transaction of refund 5", func(t *testing.T) []byte {
			pkt := signPSBT(t, file, b.wallet, txscript.SigHashAll)
			pkt.UnsignedTx.TxOut[0].Value -= 1000
			return serializePSBT(t, pkt)
		}},
		{"AnotherRefund", core.ECONFLICT, "not the prepared transaction of refund 5", func(t *testing.T) []byte {
			return serializePSBT(t, signPSBT(t, otherFile, b.wallet, txscript.SigHashAll))
		}},
		{"MissingSignature", core.ECONFLICT, "Input 1 (" + c2.Address + ") of the PSBT is not signed", func(t *testing.T) []byte {
			return serializePSBT(t, signPSBT(t, file, b.wallet, txscript.SigHashAll, 1))
		}},
		{"NoSignatureAtAll", core.ECONFLICT, "Input 0 (" + c1.Address + ") of the PSBT is not signed", func(*testing.T) []byte { return file }},
		{"SignatureByAnotherKey", core.ECONFLICT, "Input 0 of the signed transaction is not validly signed", func(t *testing.T) []byte {
			pkt := signPSBT(t, file, b.wallet, txscript.SigHashAll)
			prevs := txscript.NewMultiPrevOutFetcher(nil)
			for i, in := range pkt.Inputs {
				prevs.AddPrevOut(pkt.UnsignedTx.TxIn[i].PreviousOutPoint, in.WitnessUtxo)
			}
			in := pkt.Inputs[0]
			sig, err := txscript.RawTxInWitnessSignature(pkt.UnsignedTx, txscript.NewTxSigHashes(pkt.UnsignedTx, prevs), 0, in.WitnessUtxo.Value, in.WitnessUtxo.PkScript, txscript.SigHashAll, strangerKey)
			require.NoError(t, err)
			pkt.Inputs[0].PartialSigs[0].Signature = sig
			return serializePSBT(t, pkt)
		}},
		// A signature over a smaller input amount than the desk recorded
		// (a file that hid a fee): the desk's amounts are what count.
		{"SignedOverAnotherAmount", core.ECONFLICT, "Input 0 of the signed transaction is not validly signed", func(t *testing.T) []byte {
			pkt, err := psbt.NewFromRawBytes(bytes.NewReader(file), false)
			require.NoError(t, err)
			pkt.Inputs[0].WitnessUtxo.Value -= 50_000
			return serializePSBT(t, signPSBT(t, serializePSBT(t, pkt), b.wallet, txscript.SigHashAll))
		}},
		{"SighashNone", core.ECONFLICT, "Input 0 of the signed transaction is not signed with SIGHASH_ALL", func(t *testing.T) []byte {
			return serializePSBT(t, signPSBT(t, file, b.wallet, txscript.SigHashNone))
		}},
		{"FinalScriptSigAdded", core.ECONFLICT, "not the prepared one", func(t *testing.T) []byte {
			pkt := signPSBT(t, file, b.wallet, txscript.SigHashAll)
			require.NoError(t, psbt.MaybeFinalizeAll(pkt))
			pkt.Inputs[1].FinalScriptSig = []byte{txscript.OP_TRUE}
			return serializePSBT(t, pkt)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, _, err := payout.ImportPSBT(b.a, b.r, b.p, c.file(t))
			require.Equal(t, c.code, core.ErrorCode(err), "%v", err)
			require.Contains(t, core.ErrorMessage(err), c.says)
		})
	}

	t.Run("AlteredPayout", func(t *testing.T) {
		t.Parallel()
		signed := serializePSBT(t, signPSBT(t, file, b.wallet, txscript.SigHashAll))
		altered := clonePayout(t, b.p)
		altered.Fee = core.NewInt(big.NewInt(altered.Fee.Int64() + 1))
		_, _, err := payout.ImportPSBT(b.a, b.r, altered, signed)
		require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "the payout itself is checked against the refund: %v", err)
	})
}
