package core

import (
	"encoding/hex"
	"strings"

	"golang.org/x/crypto/sha3"
)

// AddressValidator checks and normalises a wallet address for a network.
// core/addrproof provides the full per-network decoder; BasicAddressValidator
// is the shape check used when none is wired in.
type AddressValidator interface {
	NormalizeAddress(chain, network, addr string) (string, error)
}

// BasicAddressValidator checks Ethereum addresses fully (hex, EIP-55
// checksum when mixed case) and Bitcoin addresses by network prefix and
// alphabet only.
type BasicAddressValidator struct{}

var btcPrefixes = map[string][]string{
	"mainnet":  {"bc1", "1", "3"},
	"testnet3": {"tb1", "m", "n", "2"},
	"testnet4": {"tb1", "m", "n", "2"},
	"signet":   {"tb1", "m", "n", "2"},
	"regtest":  {"bcrt1", "m", "n", "2"},
	"simnet":   {"sb1", "S", "r", "s"},
}

// NormalizeAddress implements AddressValidator.
func (BasicAddressValidator) NormalizeAddress(chain, network, addr string) (string, error) {
	addr = strings.TrimSpace(addr)
	switch chain {
	case ChainEthereum:
		return NormalizeEthereumAddress(addr)
	case ChainBitcoin:
		if len(addr) < 26 || len(addr) > 90 {
			return "", Errorf(EINVALID, "%q is not a Bitcoin address.", truncate(addr, 100))
		}
		lower := strings.ToLower(addr)
		for _, p := range btcPrefixes[network] {
			if strings.HasSuffix(p, "1") && len(p) > 1 && strings.HasPrefix(lower, p) {
				if lower != addr && strings.ToUpper(addr) != addr {
					return "", Errorf(EINVALID, "Bech32 address %q mixes upper and lower case.", truncate(addr, 100))
				}
				if !isBech32Data(lower[len(p):]) {
					return "", Errorf(EINVALID, "%q is not a Bitcoin address.", truncate(addr, 100))
				}
				return lower, nil
			}
			if !strings.HasSuffix(p, "1") || len(p) == 1 {
				if strings.HasPrefix(addr, p) && isBase58(addr) {
					return addr, nil
				}
			}
		}
		return "", Errorf(EINVALID, "%q is not a Bitcoin %s address.", truncate(addr, 100), network)
	}
	return "", Errorf(EINVALID, "Unknown chain %q.", truncate(chain, 20))
}

// NormalizeEthereumAddress accepts a 0x address in all lower, all upper or
// correct EIP-55 mixed case and returns its EIP-55 form.
func NormalizeEthereumAddress(addr string) (string, error) {
	if !isHexAddress(addr) {
		return "", Errorf(EINVALID, "%q is not an Ethereum address (0x and 40 hex digits).", truncate(addr, 100))
	}
	body := addr[2:]
	sum := eip55(strings.ToLower(body))
	if body != strings.ToLower(body) && body != strings.ToUpper(body) && sum[2:] != body {
		return "", Errorf(EINVALID, "Ethereum address %q has a wrong EIP-55 checksum.", addr)
	}
	return sum, nil
}

// eip55 applies the EIP-55 mixed-case checksum to 40 lower-case hex digits.
func eip55(lowerHex string) string {
	h := sha3.NewLegacyKeccak256()
	h.Write([]byte(lowerHex))
	digest := hex.EncodeToString(h.Sum(nil))
	out := []byte(lowerHex)
	for i, c := range out {
		if c >= 'a' && c <= 'f' && digest[i] >= '8' {
			out[i] = c - 'a' + 'A'
		}
	}
	return "0x" + string(out)
}

// isBech32Data reports whether s (lower case, after the "hrp1" prefix) uses
// only the bech32 data alphabet.
func isBech32Data(s string) bool {
	const alphabet = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
	for _, c := range s {
		if !strings.ContainsRune(alphabet, c) {
			return false
		}
	}
	return true
}

func isBase58(s string) bool {
	const alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
	for _, c := range s {
		if !strings.ContainsRune(alphabet, c) {
			return false
		}
	}
	return true
}

// SameAddress compares two addresses of chain in their stored forms:
// Ethereum hex is case-insensitive (the case is only a checksum); Bitcoin's
// base58 and bech32 forms are compared exactly.
func SameAddress(chain, a, b string) bool {
	if chain == ChainEthereum {
		return strings.EqualFold(a, b)
	}
	return a == b
}
