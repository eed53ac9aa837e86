package hdaddr

import (
	"encoding/hex"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"

	"depositdesk/core"
)

// Account is an asset's account key and where it sits in its wallet's
// tree. Fingerprint and Path are the key origin of a BIP-380 descriptor:
// the master key's fingerprint and m/84'/coin'/account' (hardened
// indexes). A plain extended key does not carry them: both are zero then.
type Account struct {
	Key         *hdkeychain.ExtendedKey // public, account level (depth 3)
	Fingerprint [4]byte
	Path        []uint32
}

// ParseAccount reads an asset's account key: a plain extended public key
// (xpub/tpub, or a BIP84 zpub/vpub on Bitcoin), or on Bitcoin the
// descriptor a wallet exports for it,
// wpkh([fingerprint/84'/coin'/account']tpub…/0/*) or …/<0;1>/*, with or
// without its #checksum. A descriptor's origin must lead to the key (as
// many steps as its depth, the last its own child number) along BIP84 on
// the network's coin type, so a wallet that finds the master fingerprint
// and path in a PSBT signs with this very key. Ethereum takes plain keys
// only: its refunds never travel as PSBTs. EINVALID naming what is wrong.
func ParseAccount(chain, network, s string) (Account, error) {
	if s == "" {
		return Account{}, core.Errorf(core.EINVALID, "The asset has no account public key (xpub) configured.")
	}
	if !strings.ContainsAny(s, "([#") {
		k, err := checkKey(chain, network, s)
		return Account{Key: k}, err
	}
	if chain != core.ChainBitcoin {
		return Account{}, core.Errorf(core.EINVALID, "A %s account key is a plain extended public key (xpub), not a descriptor.", chain)
	}
	return parseDescriptor(network, s)
}

// parseDescriptor reads wpkh([fp/84'/coin'/account']key/0/*) (or /<0;1>/*)
// with an optional checksum. Only the forms a BIP84 wallet exports for
// one account: the desk's addresses are P2WPKH of the key's 0/i and 1/i.
func parseDescriptor(network, s string) (Account, error) {
	body, sum, hasSum := strings.Cut(s, "#")
	if hasSum {
		want, err := DescriptorChecksum(body)
		if err != nil {
			return Account{}, err
		}
		if sum != want {
			return Account{}, core.Errorf(core.EINVALID, "The descriptor's checksum #%s does not match (it should be #%s): a character was changed or mistyped; copy it again from the wallet.", truncate(sum), want)
		}
	}
	inner, wpkh := strings.CutPrefix(body, "wpkh(")
	inner, closed := strings.CutSuffix(inner, ")")
	if !wpkh || !closed {
		return Account{}, core.Errorf(core.EINVALID, "Only wpkh(…) descriptors can be an account key: the desk's Bitcoin addresses are native segwit (P2WPKH, BIP84).")
	}
	origin, rest, ok := strings.Cut(strings.TrimPrefix(inner, "["), "]")
	if !ok || !strings.HasPrefix(inner, "[") {
		return Account{}, core.Errorf(core.EINVALID, "The descriptor has no key origin [fingerprint/84'/coin'/account'] before its key; give the wallet's full descriptor, or the plain key alone.")
	}
	key, ok := strings.CutSuffix(rest, "/<0;1>/*")
	if !ok {
		if key, ok = strings.CutSuffix(rest, "/0/*"); !ok {
			return Account{}, core.Errorf(core.EINVALID, "The descriptor's key must end in /0/* or /<0;1>/* (the account's receive and change chains).")
		}
	}
	acct := Account{}
	steps := strings.Split(origin, "/")
	fp, err := hex.DecodeString(steps[0])
	if err != nil || len(fp) != 4 {
		return Account{}, core.Errorf(core.EINVALID, "The descriptor's key origin must start with the master key's fingerprint, 8 hex digits.")
	}
	copy(acct.Fingerprint[:], fp)
	for _, step := range steps[1:] {
		i, err := pathStep(step)
		if err != nil {
			return Account{}, err
		}
		acct.Path = append(acct.Path, i)
	}
	if acct.Key, err = checkKey(core.ChainBitcoin, network, key); err != nil {
		return Account{}, err
	}
	if len(acct.Path) != int(acct.Key.Depth()) {
		return Account{}, core.Errorf(core.EINVALID, "The descriptor's key origin has %d steps but its key is at depth %d (m/84'/coin'/account'); they must match.", len(acct.Path), acct.Key.Depth())
	}
	params, err := core.BitcoinParams(network)
	if err != nil {
		return Account{}, err
	}
	h := uint32(hdkeychain.HardenedKeyStart)
	if acct.Path[0] != h+84 || acct.Path[1] != h+params.HDCoinType || acct.Path[2] < h {
		return Account{}, core.Errorf(core.EINVALID, "The descriptor's path must be m/84'/%d'/account' (BIP84 on %s), not m/%s.", params.HDCoinType, network, strings.Join(steps[1:], "/"))
	}
	if acct.Key.ChildIndex() != acct.Path[2] {
		return Account{}, core.Errorf(core.EINVALID, "The descriptor's key is not the key at its path's last step (%s); copy the descriptor again from the wallet.", steps[3])
	}
	return acct, nil
}

// pathStep reads one step of a key origin: a decimal index below 2^31,
// hardened when marked ' or h (BIP-380).
func pathStep(s string) (uint32, error) {
	num, hard := strings.CutSuffix(s, "'")
	if !hard {
		num, hard = strings.CutSuffix(s, "h")
	}
	i, err := strconv.ParseUint(num, 10, 31)
	if err != nil {
		return 0, core.Errorf(core.EINVALID, "%q is not a step of a derivation path.", truncate(s))
	}
	if hard {
		i += hdkeychain.HardenedKeyStart
	}
	return uint32(i), nil
}

// truncate keeps an operator's mistake short in a message.
func truncate(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// BIP-380 checksum: a BCH code over the descriptor's characters, grouped
// by the charset below, so a changed character or a swap of two is caught.
const (
	descriptorCharset = "0123456789()[],'/*abcdefgh@:$%{}IJKLMNOPQRSTUVWXYZ&+-.;<=>?!^_|~ijklmnopqrstuvwxyzABCDEFGH`#\"\\ "
	checksumCharset   = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
)

// DescriptorChecksum is the 8-character BIP-380 checksum of desc (given
// without its "#"). EINVALID when desc has a character descriptors never
// contain.
func DescriptorChecksum(desc string) (string, error) {
	c := uint64(1)
	groups, n := 0, 0
	for i := 0; i < len(desc); i++ {
		pos := strings.IndexByte(descriptorCharset, desc[i])
		if pos < 0 {
			return "", core.Errorf(core.EINVALID, "A descriptor cannot contain %q.", desc[i])
		}
		c = polymod(c, pos&31)
		groups, n = groups*3+pos>>5, n+1
		if n == 3 {
			c, groups, n = polymod(c, groups), 0, 0
		}
	}
	if n > 0 {
		c = polymod(c, groups)
	}
	for range 8 {
		c = polymod(c, 0)
	}
	c ^= 1
	out := make([]byte, 8)
	for j := range out {
		out[j] = checksumCharset[(c>>(5*(7-j)))&31]
	}
	return string(out), nil
}

func polymod(c uint64, v int) uint64 {
	top := c >> 35
	c = (c&0x7ffffffff)<<5 ^ uint64(v)
	for i, g := range [5]uint64{0xf5dee51989, 0xa9fdca3312, 0x1bab10e32d, 0x3706b1677a, 0x644d626ffd} {
		if top>>i&1 != 0 {
			c ^= g
		}
	}
	return c
}
