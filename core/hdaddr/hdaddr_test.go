package hdaddr_test

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
)

// The BIP39 seed of "abandon abandon … about" with no passphrase: the
// mnemonic every BIP84/BIP44 test vector uses.
const abandonSeed = "5eb00bbddcf069084889a8ab9155568165f5c453ccb85e70811aaed6f6da5fc19a5ac40b389cd370d086206dec8aa6c43daea6690f20ad3d8d48b2d2ce9e38e4"

// accountKey derives m/purpose'/coin'/0' from the abandon seed.
func accountKey(t *testing.T, purpose, coin uint32, params *chaincfg.Params) *hdkeychain.ExtendedKey {
	t.Helper()
	seed, _ := hex.DecodeString(abandonSeed)
	k, err := hdkeychain.NewMaster(seed, params)
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range []uint32{purpose, coin, 0} {
		if k, err = k.Derive(hdkeychain.HardenedKeyStart + i); err != nil {
			t.Fatal(err)
		}
	}
	return k
}

func TestBIP84Vectors(t *testing.T) {
	// BIP84 "Test vectors": account 0 zpub and its first two receive addresses.
	const zpub = "zpub6rFR7y4Q2AijBEqTUquhVz398htDFrtymD9xYYfG1m4wAcvPhXNfE3EfH1r1ADqtfSdVCToUG868RvUUkgDKf31mGDtKsAYz2oz2AGutZYs"
	var d hdaddr.Deriver
	for i, want := range []string{"bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu", "bc1qnjg0jd8228aq7egyzacy8cys3knf9xvrerkf9g"} {
		got, err := d.DeriveAddress(core.ChainBitcoin, "mainnet", zpub, uint32(i))
		if err != nil || got != want {
			t.Errorf("index %d: %q, %v; want %q", i, got, err, want)
		}
	}
	// The same key exported as a plain xpub derives the same addresses.
	xpub, err := accountKey(t, 84, 0, &chaincfg.MainNetParams).Neuter()
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := d.DeriveAddress(core.ChainBitcoin, "mainnet", xpub.String(), 0); got != "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu" {
		t.Errorf("xpub form: %q", got)
	}
}

func TestEthereumBIP44(t *testing.T) {
	// m/44'/60'/0'/0/0 of the abandon mnemonic, as MetaMask and every BIP44
	// wallet derive it.
	xpub, err := accountKey(t, 44, 60, &chaincfg.MainNetParams).Neuter()
	if err != nil {
		t.Fatal(err)
	}
	got, err := hdaddr.Deriver{}.DeriveAddress(core.ChainEthereum, "mainnet", xpub.String(), 0)
	if err != nil || got != "0x9858EfFD232B4033E47d90003D41EC34EcaEda94" {
		t.Fatalf("%q, %v", got, err)
	}
}

func TestRegtestAddresses(t *testing.T) {
	tpub, err := accountKey(t, 84, 1, &chaincfg.RegressionNetParams).Neuter()
	if err != nil {
		t.Fatal(err)
	}
	a, err := hdaddr.Deriver{}.DeriveAddress(core.ChainBitcoin, "regtest", tpub.String(), 7)
	if err != nil || a[:6] != "bcrt1q" {
		t.Fatalf("%q, %v", a, err)
	}
}

func TestRefusedKeys(t *testing.T) {
	main := accountKey(t, 84, 0, &chaincfg.MainNetParams)
	mainPub, _ := main.Neuter()
	test := accountKey(t, 84, 1, &chaincfg.TestNet3Params)
	testPub, _ := test.Neuter()
	seed, _ := hex.DecodeString(abandonSeed)
	master, _ := hdkeychain.NewMaster(seed, &chaincfg.MainNetParams)
	masterPub, _ := master.Neuter()
	cases := []struct {
		name, chain, network, key string
	}{
		{"empty", core.ChainBitcoin, "mainnet", ""},
		{"garbage", core.ChainBitcoin, "mainnet", "xpub-not-a-key"},
		{"private key", core.ChainBitcoin, "mainnet", main.String()},
		{"private key on ethereum", core.ChainEthereum, "mainnet", main.String()},
		{"master, not account level", core.ChainBitcoin, "mainnet", masterPub.String()},
		{"testnet key on mainnet", core.ChainBitcoin, "mainnet", testPub.String()},
		{"mainnet key on regtest", core.ChainBitcoin, "regtest", mainPub.String()},
		{"unknown chain", "dogecoin", "mainnet", mainPub.String()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := hdaddr.Deriver{}.CheckAccountKey(c.chain, c.network, c.key)
			if core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("got %v, want EINVALID", err)
			}
			if _, err := (hdaddr.Deriver{}).DeriveAddress(c.chain, c.network, c.key, 0); core.ErrorCode(err) != core.EINVALID {
				t.Fatalf("derive: got %v, want EINVALID", err)
			}
		})
	}
	if _, err := (hdaddr.Deriver{}).DeriveAddress(core.ChainBitcoin, "mainnet", mainPub.String(), hdkeychain.HardenedKeyStart); core.ErrorCode(err) != core.EINVALID {
		t.Fatalf("hardened index: %v", err)
	}
}
