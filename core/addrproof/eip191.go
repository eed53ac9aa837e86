package addrproof

import (
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"

	"depositdesk/core"
)

// secp256k1HalfN is n/2: a signature with s above it is the malleated twin
// of a valid one and is refused (EIP-2).
var secp256k1HalfN = new(big.Int).Rsh(crypto.S256().Params().N, 1)

// VerifyEIP191 checks an Ethereum personal_sign signature (65 bytes hex,
// r ‖ s ‖ v with v = 27/28 or 0/1) of message by address.
func VerifyEIP191(address, message, signatureHex string) error {
	want, err := DecodeEthereumAddress(address)
	if err != nil {
		return err
	}
	sig, err := hex.DecodeString(strings.TrimPrefix(strings.TrimSpace(signatureHex), "0x"))
	if err != nil || len(sig) != crypto.SignatureLength {
		return core.Errorf(core.EINVALID, "Signature must be 65 bytes of hex (r, s, v).")
	}
	switch sig[64] {
	case 27, 28:
		sig[64] -= 27
	case 0, 1:
	default:
		return core.Errorf(core.EINVALID, "Signature recovery byte v must be 27, 28, 0 or 1.")
	}
	r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:64])
	if !crypto.ValidateSignatureValues(sig[64], r, s, true) || s.Cmp(secp256k1HalfN) > 0 {
		return core.Errorf(core.EINVALID, "Signature values are out of range (high-S or zero).")
	}
	pub, err := crypto.SigToPub(accounts.TextHash([]byte(message)), sig)
	if err != nil {
		return core.Errorf(core.EINVALID, "Signature does not recover a public key.")
	}
	if crypto.PubkeyToAddress(*pub) != want {
		return core.Errorf(core.EINVALID, "Signature was not made by %s for this message.", want.Hex())
	}
	return nil
}
