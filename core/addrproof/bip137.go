package addrproof

import (
	"bytes"
	"encoding/base64"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"depositdesk/core"
)

// signedMessagePrefix is Bitcoin Core's magic for signmessage.
const signedMessagePrefix = "Bitcoin Signed Message:\n"

// BitcoinMessageHash is the double-SHA256 of the magic prefix and message,
// each with a compact-size length, as signmessage hashes it.
func BitcoinMessageHash(message string) []byte {
	var buf bytes.Buffer
	_ = wire.WriteVarString(&buf, 0, signedMessagePrefix)
	_ = wire.WriteVarString(&buf, 0, message)
	return chainhash.DoubleHashB(buf.Bytes())
}

// VerifyBIP137 checks a legacy/BIP-137 signmessage signature: 65 bytes,
// base64, header byte 27–30 (P2PKH uncompressed), 31–34 (P2PKH compressed),
// 35–38 (P2SH-P2WPKH) or 39–42 (P2WPKH). Like Electrum and Trezor, a
// compressed-key header is accepted for any single-key address type the
// recovered key matches; the key must produce exactly the claimed address.
func VerifyBIP137(network, address, message, signatureB64 string) error {
	params, err := core.BitcoinParams(network)
	if err != nil {
		return err
	}
	addr, err := DecodeBitcoinAddress(network, address)
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(signatureB64))
	if err != nil || len(sig) != 65 {
		return core.Errorf(core.EINVALID, "Signature must be 65 bytes of base64.")
	}
	header := sig[0]
	if header < 27 || header > 42 {
		return core.Errorf(core.EINVALID, "Signature header byte %d is not a BIP-137 header.", header)
	}
	recID := (header - 27) % 4
	compressed := header >= 31
	norm := append([]byte{27 + recID}, sig[1:]...)
	if compressed {
		norm[0] += 4
	}
	if err := checkLowS(sig[33:65]); err != nil {
		return err
	}
	pub, wasCompressed, err := ecdsa.RecoverCompact(norm, BitcoinMessageHash(message))
	if err != nil || wasCompressed != compressed {
		return core.Errorf(core.EINVALID, "Signature does not recover a public key.")
	}
	if !singleKeyAddressMatches(pub, compressed, addr, params) {
		return core.Errorf(core.EINVALID, "Signature was not made by %s for this message.", address)
	}
	return nil
}

// singleKeyAddressMatches reports whether pub controls addr as P2PKH,
// P2SH-P2WPKH or P2WPKH (the last two need a compressed key).
func singleKeyAddressMatches(pub *btcec.PublicKey, compressed bool, addr btcutil.Address, params *chaincfg.Params) bool {
	var ser []byte
	if compressed {
		ser = pub.SerializeCompressed()
	} else {
		ser = pub.SerializeUncompressed()
	}
	h := btcutil.Hash160(ser)
	var derived btcutil.Address
	var err error
	switch addr.(type) {
	case *btcutil.AddressPubKeyHash:
		derived, err = btcutil.NewAddressPubKeyHash(h, params)
	case *btcutil.AddressWitnessPubKeyHash:
		if !compressed {
			return false
		}
		derived, err = btcutil.NewAddressWitnessPubKeyHash(h, params)
	case *btcutil.AddressScriptHash:
		if !compressed {
			return false
		}
		redeem, rerr := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(h).Script()
		if rerr != nil {
			return false
		}
		derived, err = btcutil.NewAddressScriptHash(redeem, params)
	default:
		return false
	}
	return err == nil && derived.EncodeAddress() == addr.EncodeAddress()
}

// checkLowS refuses the high-S twin of a signature: every wallet that
// implements signmessage produces low-S, so a high-S one was malleated.
func checkLowS(s32 []byte) error {
	var s btcec.ModNScalar
	if overflow := s.SetByteSlice(s32); overflow || s.IsZero() || s.IsOverHalfOrder() {
		return core.Errorf(core.EINVALID, "Signature S value is out of range or not canonical (high-S).")
	}
	return nil
}
