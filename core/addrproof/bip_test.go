package addrproof

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

type bip322Vectors struct {
	WIF           string              `json:"private_key_wif"`
	Address       string              `json:"address"`
	MessageHashes map[string]string   `json:"message_hashes"`
	ToSpend       map[string]string   `json:"to_spend_txids"`
	ToSign        map[string]string   `json:"to_sign_txids"`
	Signatures    map[string][]string `json:"signatures"`
}

func loadJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v))
}

func TestBIP322(t *testing.T) {
	t.Parallel()
	var v bip322Vectors
	loadJSON(t, "bip322_vectors.json", &v)
	addr, err := DecodeBitcoinAddress("mainnet", v.Address)
	require.NoError(t, err)
	pkScript, err := txscript.PayToAddrScript(addr)
	require.NoError(t, err)

	t.Run("MessageHashesMatchTheBIP", func(t *testing.T) {
		for msg, want := range v.MessageHashes {
			h := BIP322MessageHash(msg)
			require.Equal(t, want, hex.EncodeToString(h[:]), "message %q", msg)
		}
	})
	t.Run("VirtualTransactionIDsMatchTheBIP", func(t *testing.T) {
		for msg := range v.ToSpend {
			toSpend := BIP322ToSpend(msg, pkScript)
			require.Equal(t, v.ToSpend[msg], toSpend.TxHash().String(), "to_spend %q", msg)
			require.Equal(t, v.ToSign[msg], BIP322ToSign(toSpend, nil).TxHash().String(), "to_sign %q", msg)
		}
	})
	t.Run("AcceptsThePublishedSignatures", func(t *testing.T) {
		for msg, sigs := range v.Signatures {
			for _, sig := range sigs {
				require.NoError(t, VerifyBIP322Simple("mainnet", v.Address, msg, sig), "message %q", msg)
			}
		}
	})
	t.Run("RefusesASignatureOfAnotherMessage", func(t *testing.T) {
		err := VerifyBIP322Simple("mainnet", v.Address, "Hello World", v.Signatures[""][0])
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("RefusesAnotherAddress", func(t *testing.T) {
		err := VerifyBIP322Simple("mainnet", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "Hello World", v.Signatures["Hello World"][0])
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("RefusesTheWrongNetwork", func(t *testing.T) {
		err := VerifyBIP322Simple("regtest", v.Address, "Hello World", v.Signatures["Hello World"][0])
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("RefusesAHighSMalleatedSignature", func(t *testing.T) {
		w, err := decodeWitness(v.Signatures["Hello World"][0])
		require.NoError(t, err)
		w[0] = malleateDER(t, w[0])
		err = VerifyBIP322Simple("mainnet", v.Address, "Hello World", encodeWitness(t, w))
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
	t.Run("RefusesGarbage", func(t *testing.T) {
		for _, sig := range []string{"", "!!!", "AAAA", base64.StdEncoding.EncodeToString([]byte{2, 1}), v.Signatures[""][0] + "AA=="} {
			require.Equal(t, core.EINVALID, core.ErrorCode(VerifyBIP322Simple("mainnet", v.Address, "", sig)), "sig %q", sig)
		}
	})
	t.Run("RefusesALegacyAddress", func(t *testing.T) {
		err := VerifyBIP322Simple("mainnet", "1PMycacnJaSqwwJqjawXBErnLsZ7RkXUAs", "", v.Signatures[""][0])
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
	})
}

// TestBIP322SignedInTest signs with fresh keys the way a wallet does, for
// P2WPKH and taproot key-path spends on regtest.
func TestBIP322SignedInTest(t *testing.T) {
	t.Parallel()
	params := &chaincfg.RegressionNetParams
	key, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	const msg = "Deposit Desk challenge 42"

	t.Run("P2WPKH", func(t *testing.T) {
		addr, err := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), params)
		require.NoError(t, err)
		pkScript, _ := txscript.PayToAddrScript(addr)
		toSign := BIP322ToSign(BIP322ToSpend(msg, pkScript), nil)
		fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, 0)
		w, err := txscript.WitnessSignature(toSign, txscript.NewTxSigHashes(toSign, fetcher), 0, 0, pkScript, txscript.SigHashAll, key, true)
		require.NoError(t, err)
		require.NoError(t, VerifyBIP322Simple("regtest", addr.EncodeAddress(), msg, encodeWitness(t, w)))
		require.Error(t, VerifyBIP322Simple("regtest", addr.EncodeAddress(), msg+"!", encodeWitness(t, w)))
	})
	t.Run("P2TRKeyPath", func(t *testing.T) {
		outKey := txscript.ComputeTaprootKeyNoScript(key.PubKey())
		addr, err := btcutil.NewAddressTaproot(outKey.SerializeCompressed()[1:], params)
		require.NoError(t, err)
		pkScript, _ := txscript.PayToAddrScript(addr)
		toSign := BIP322ToSign(BIP322ToSpend(msg, pkScript), nil)
		fetcher := txscript.NewCannedPrevOutputFetcher(pkScript, 0)
		w, err := txscript.TaprootWitnessSignature(toSign, txscript.NewTxSigHashes(toSign, fetcher), 0, 0, pkScript, txscript.SigHashDefault, key)
		require.NoError(t, err)
		require.NoError(t, VerifyBIP322Simple("regtest", addr.EncodeAddress(), msg, encodeWitness(t, w)))
		require.Error(t, VerifyBIP322Simple("regtest", addr.EncodeAddress(), "another", encodeWitness(t, w)))
	})
}

type bip137Vectors struct {
	Valid   []struct{ Address, Message, Signature, Kind string }
	Invalid []struct{ Address, Message, Signature, Why string }
}

func TestBIP137(t *testing.T) {
	t.Parallel()
	var v bip137Vectors
	loadJSON(t, "bip137_vectors.json", &v)
	t.Run("AcceptsThePublishedSignatures", func(t *testing.T) {
		for _, c := range v.Valid {
			require.NoError(t, VerifyBIP137("mainnet", c.Address, c.Message, c.Signature), c.Kind)
		}
	})
	t.Run("RefusesThePublishedBadOnes", func(t *testing.T) {
		for _, c := range v.Invalid {
			require.Equal(t, core.EINVALID, core.ErrorCode(VerifyBIP137("mainnet", c.Address, c.Message, c.Signature)), c.Why)
		}
	})

	key, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	params := &chaincfg.RegressionNetParams
	h := btcutil.Hash160(key.PubKey().SerializeCompressed())
	p2pkh, _ := btcutil.NewAddressPubKeyHash(h, params)
	p2wpkh, _ := btcutil.NewAddressWitnessPubKeyHash(h, params)
	const msg = "Deposit Desk challenge 7"
	compact := ecdsa.SignCompact(key, BitcoinMessageHash(msg), true)

	t.Run("AcceptsCoreStyleSignaturesMadeInTest", func(t *testing.T) {
		sig := base64.StdEncoding.EncodeToString(compact)
		require.NoError(t, VerifyBIP137("regtest", p2pkh.EncodeAddress(), msg, sig))
		require.NoError(t, VerifyBIP137("regtest", p2wpkh.EncodeAddress(), msg, sig), "Electrum-style compressed header for bech32")
		seg := append([]byte{compact[0] - 31 + 39}, compact[1:]...)
		require.NoError(t, VerifyBIP137("regtest", p2wpkh.EncodeAddress(), msg, base64.StdEncoding.EncodeToString(seg)))
	})
	t.Run("RefusesHighS", func(t *testing.T) {
		var s btcec.ModNScalar
		s.SetByteSlice(compact[33:])
		s.Negate()
		b := s.Bytes()
		mal := append([]byte{}, compact...)
		copy(mal[33:], b[:])
		mal[0] ^= 1 // the malleated twin recovers with the other recovery id
		require.Equal(t, core.EINVALID, core.ErrorCode(VerifyBIP137("regtest", p2pkh.EncodeAddress(), msg, base64.StdEncoding.EncodeToString(mal))))
	})
	t.Run("RefusesGarbage", func(t *testing.T) {
		for _, sig := range []string{"", "@@", base64.StdEncoding.EncodeToString(compact[:64]), base64.StdEncoding.EncodeToString(append([]byte{50}, compact[1:]...))} {
			require.Equal(t, core.EINVALID, core.ErrorCode(VerifyBIP137("regtest", p2pkh.EncodeAddress(), msg, sig)))
		}
	})
	t.Run("RefusesTheWrongNetwork", func(t *testing.T) {
		sig := base64.StdEncoding.EncodeToString(compact)
		require.Equal(t, core.EINVALID, core.ErrorCode(VerifyBIP137("mainnet", p2pkh.EncodeAddress(), msg, sig)))
	})
}

func encodeWitness(t *testing.T, w wire.TxWitness) string {
	t.Helper()
	var buf []byte
	buf = appendVarInt(buf, uint64(len(w)))
	for _, item := range w {
		buf = appendVarInt(buf, uint64(len(item)))
		buf = append(buf, item...)
	}
	return base64.StdEncoding.EncodeToString(buf)
}

func appendVarInt(b []byte, n uint64) []byte {
	if n < 0xfd {
		return append(b, byte(n))
	}
	return append(b, 0xfd, byte(n), byte(n>>8))
}

// malleateDER replaces s with n-s in a DER signature followed by a sighash
// byte (30 len 02 rlen r 02 slen s ht).
func malleateDER(t *testing.T, sigWithHashType []byte) []byte {
	t.Helper()
	der := sigWithHashType[:len(sigWithHashType)-1]
	_, err := ecdsa.ParseDERSignature(der)
	require.NoError(t, err)
	rLen := int(der[3])
	rBytes := der[4 : 4+rLen]
	sBytes := der[4+rLen+2:]
	var s btcec.ModNScalar
	s.SetByteSlice(sBytes)
	s.Negate()
	require.True(t, s.IsOverHalfOrder())
	hi := s.Bytes()
	sDER := append([]byte{0}, hi[:]...) // high S has its top bit set: DER needs a 0x00 pad
	out := []byte{0x30, byte(2 + len(rBytes) + 2 + len(sDER)), 0x02, byte(len(rBytes))}
	out = append(out, rBytes...)
	out = append(out, 0x02, byte(len(sDER)))
	out = append(out, sDER...)
	return append(out, sigWithHashType[len(sigWithHashType)-1])
}
