package station_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/core/station"
	"depositdesk/internal/stationtest"
	"depositdesk/internal/testkeys"
)

// memoryKeys signs with one account key held in memory; the OS keyring is
// tested in core/signer and end to end in cmd/depositctl.
type memoryKeys struct{ xprv string }

func (memoryKeys) Put(*core.Asset, string) error { return nil }
func (memoryKeys) Check(*core.Asset) error       { return nil }
func (k memoryKeys) Sign(a *core.Asset, r *core.Refund, p *core.Payout) ([]byte, string, error) {
	key, err := hdkeychain.NewKeyFromString(k.xprv)
	if err != nil {
		return nil, "", err
	}
	defer key.Zero()
	return payout.Sign(a, r, p, key)
}

// unspent answers that every output asked about is the account's coin.
type unspent struct {
	core.Chain
	coins map[string]core.PayoutInput
}

func (u unspent) Unspent(_ context.Context, op string) (*big.Int, string, error) {
	return u.coins[op].Amount.Big(), u.coins[op].Address, nil
}
func (unspent) FeeRate(context.Context) (*big.Int, error) { return big.NewInt(3), nil }

// preparedFile is a prepared refund of 0.001 BTC from a 0.002 BTC coin.
func preparedFile(t *testing.T) (*station.File, memoryKeys) {
	t.Helper()
	xprv, xpub, err := testkeys.Account("station unit test seed, not real", 84, 1, &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	a := &core.Asset{ID: 1, Chain: core.ChainBitcoin, Network: "regtest", Symbol: "BTC", Decimals: 8, AccountXPub: xpub, RefundFeeCap: big.NewInt(10_000)}
	addr, err := hdaddr.Derive(a.Chain, a.Network, xpub, 0, 7)
	require.NoError(t, err)
	c := core.PayoutInput{Outpoint: string(bytes.Repeat([]byte{'c'}, 64)) + ":0", Amount: core.NewInt(big.NewInt(200_000)), Index: 7, Address: addr}
	to, err := btcutil.NewAddressWitnessPubKeyHash(bytes.Repeat([]byte{4}, 20), &chaincfg.RegressionNetParams)
	require.NoError(t, err)
	r := &core.Refund{ID: 9, RecordNo: "D20261202-000009", CustomerNo: "C10001", Address: to.EncodeAddress(), Amount: big.NewInt(100_000),
		Decimals: 8, RequestedBy: "admin", ApprovedBy: "sam", CreatedAt: time.Date(2026, 12, 2, 4, 5, 6, 789000, time.UTC)}
	r.Payout, err = payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{c}, nil, unspent{coins: map[string]core.PayoutInput{c.Outpoint: c}})
	require.NoError(t, err)
	r.Approvals = []core.RefundApproval{approve(core.ApprovalRequest, "admin", r, a), approve(core.ApprovalApprove, "sam", r, a)}
	return station.NewFile(r, a), memoryKeys{xprv}
}

// operatorKeys are the desk's operators' approval keys, made from fixed
// seeds so every test's trust list names the same keys.
var operatorKeys = map[string]ed25519.PrivateKey{
	"admin":   ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, ed25519.SeedSize)),
	"sam":     ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, ed25519.SeedSize)),
	"mallory": ed25519.NewKeyFromSeed(bytes.Repeat([]byte{3}, ed25519.SeedSize)),
}

// approve is op's signature of r as role, as the desk makes it.
func approve(role core.ApprovalRole, op string, r *core.Refund, a *core.Asset) core.RefundApproval {
	k := operatorKeys[op]
	return core.RefundApproval{Role: role, Operator: op, PublicKey: k.Public().(ed25519.PublicKey), Signature: ed25519.Sign(k, core.ApprovalMessage(role, op, r, a))}
}

// trustList is the desk's export naming ops' keys.
func trustList(ops ...string) []*core.OperatorKey {
	var keys []*core.OperatorKey
	for _, op := range ops {
		keys = append(keys, &core.OperatorKey{Operator: op, PublicKey: operatorKeys[op].Public().(ed25519.PublicKey), CreatedAt: time.Now()})
	}
	return keys
}

// limits are the station's limits text, trusting admin's and sam's keys.
func limits(t *testing.T, text string) *station.Limits {
	t.Helper()
	l, err := station.ReadLimits(stationtest.Write(t, text, trustList("admin", "sam")))
	require.NoError(t, err)
	return l
}

// withTrustList is a station trusting what the bytes of operators.json say.
func withTrustList(t *testing.T, operators string) string {
	t.Helper()
	path := stationtest.Write(t, btcLimits, nil)
	require.NoError(t, os.WriteFile(filepath.Join(filepath.Dir(path), "operators.json"), []byte(operators), 0o600))
	return path
}

const btcLimits = "[[asset]]\nasset = 'BTC@regtest'\nchain = 'bitcoin'\nmax_amount = '0.01'\nmax_fee = '0.0001'\n"

func TestTheStationSignsWithinItsOwnLimitsOnly(t *testing.T) {
	f, keys := preparedFile(t)
	b, err := f.Marshal()
	require.NoError(t, err)
	read, err := station.Read(b)
	require.NoError(t, err)
	signed, said, err := station.Sign(read, limits(t, btcLimits), keys)
	require.NoError(t, err)
	require.NotEmpty(t, signed.SignedTx)
	require.Contains(t, said[1], "Pays 0.001 BTC to ")
	require.Contains(t, said[len(said)-1], "keys this station trusts (admin "+core.KeyFingerprint(f.Approvals[0].PublicKey))
	_, _, err = station.Sign(signed, limits(t, btcLimits), keys)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "signed once")

	_, _, err = station.Sign(read, limits(t, "[[asset]]\nasset = 'BTC@regtest'\nchain = 'bitcoin'\nmax_amount = '0.01'\nmax_fee = '0.000004'\n"), keys)
	require.Contains(t, core.ErrorMessage(err), "refund fee cap of 0.000004 BTC", "the station's fee cap, not the desk's")
	_, _, err = station.Sign(read, limits(t, "[[asset]]\nasset = 'BTC@regtest'\nchain = 'ethereum'\nmax_amount = '1'\nmax_fee = '1'\n"), keys)
	require.Contains(t, core.ErrorMessage(err), "no limits for BTC@regtest on bitcoin")
}

func TestAStationFileIsReadStrictly(t *testing.T) {
	f, _ := preparedFile(t)
	b, err := f.Marshal()
	require.NoError(t, err)
	for name, bad := range map[string]string{
		"unknown key":    string(bytes.Replace(b, []byte(`"format":`), []byte(`"extra": 1, "format":`), 1)),
		"case variant":   string(bytes.Replace(b, []byte(`"format":`), []byte(`"FORMAT": "x", "format":`), 1)),
		"two documents":  string(b) + string(b),
		"another format": string(bytes.Replace(b, []byte(station.Format), []byte("depositdesk-refund/9"), 1)),
	} {
		_, err := station.Read([]byte(bad))
		require.Equal(t, core.EINVALID, core.ErrorCode(err), name)
	}
	_, err = station.ReadLimits(stationtest.Write(t, "max_total = '5'\n"+btcLimits, trustList("sam")))
	require.Contains(t, core.ErrorMessage(err), "unknown setting")
	untrusting := filepath.Join(t.TempDir(), "station.toml")
	require.NoError(t, os.WriteFile(untrusting, []byte(btcLimits), 0o600))
	_, err = station.ReadLimits(untrusting)
	require.Contains(t, core.ErrorMessage(err), "names no trusted operators")
	for name, bad := range map[string]string{
		"not a list":    `{"operator": "sam"}`,
		"unknown key":   `[{"operator": "sam", "public_key": "AAAA", "role": "x"}]`,
		"case variant":  `[{"operator": "sam", "OPERATOR": "mallory"}]`,
		"short key":     `[{"operator": "sam", "public_key": "AAAA"}]`,
		"no operator":   `[{"public_key": "` + base64.StdEncoding.EncodeToString(operatorKeys["sam"].Public().(ed25519.PublicKey)) + `"}]`,
		"two documents": `[] []`,
	} {
		_, err = station.ReadLimits(withTrustList(t, bad))
		require.Equal(t, core.EINVALID, core.ErrorCode(err), name)
	}
}

func TestTheStationSignsOnlyWhatTwoTrustedOperatorsApproved(t *testing.T) {
	t.Parallel()
	f, keys := preparedFile(t)
	r := &core.Refund{RecordNo: f.Refund.RecordNo, CustomerNo: f.Refund.CustomerNo, Address: f.Refund.Address, Amount: f.Refund.Amount.Big(),
		RequestedBy: "admin", CreatedAt: f.Refund.CreatedAt}
	a := &core.Asset{Chain: f.Asset.Chain, Network: f.Asset.Network, Symbol: f.Asset.Symbol, Decimals: f.Asset.Decimals}
	for name, c := range map[string]struct {
		change func(f *station.File)
		says   string
	}{
		"NoSignatures":            {func(f *station.File) { f.Approvals = nil }, "not signed by both its requester and its approver"},
		"NoApproval":              {func(f *station.File) { f.Approvals = f.Approvals[:1] }, "not signed by both"},
		"ForgedSignature":         {func(f *station.File) { f.Approvals[1].Signature[0] ^= 1 }, "approve signature by sam does not hold"},
		"RequestSignedAsApproval": {func(f *station.File) { f.Approvals[1].Signature = f.Approvals[0].Signature }, "does not hold"},
		"AmountChanged":           {func(f *station.File) { f.Refund.Amount = core.NewInt(big.NewInt(100_001)) }, "they changed after admin signed"},
		"AddressChanged":          {func(f *station.File) { f.Refund.Address = "bcrt1qq0000000000000000000000000000000000000" }, "changed after"},
		"DecimalsChanged":         {func(f *station.File) { f.Asset.Decimals = 10 }, "changed after"},
		"ALaterRefund":            {func(f *station.File) { f.Refund.CreatedAt = f.Refund.CreatedAt.Add(time.Microsecond) }, "changed after"},
		"ApproverRenamed":         {func(f *station.File) { f.Refund.ApprovedBy = "mallory" }, "approved by mallory, but it is signed by admin and sam"},
		"OneOperatorTwice": {func(f *station.File) {
			f.Refund.ApprovedBy = "admin"
			f.Approvals[1] = approve(core.ApprovalApprove, "admin", r, a)
		}, "requested and approved by one operator (admin)"},
		"TwoRequests": {func(f *station.File) { f.Approvals[1] = f.Approvals[0] }, "two request signatures"},
		"UntrustedKey": {func(f *station.File) {
			f.Refund.ApprovedBy = "mallory"
			f.Approvals[1] = approve(core.ApprovalApprove, "mallory", r, a)
		}, "does not trust for mallory"},
		"KeyOfAnotherOperator": {func(f *station.File) {
			f.Approvals[1] = approve(core.ApprovalApprove, "admin", r, a)
			f.Approvals[1].Operator = "sam"
		}, "requested and approved by one operator"},
	} {
		bad := clone(t, f)
		c.change(bad)
		_, _, err := station.Sign(bad, limits(t, btcLimits), keys)
		require.Equal(t, core.EINVALID, core.ErrorCode(err), name)
		require.Contains(t, core.ErrorMessage(err), c.says, name)
		require.Contains(t, core.ErrorMessage(err), "Nothing was signed", name)
	}

	l, err := station.ReadLimits(stationtest.Write(t, btcLimits, trustList("admin")))
	require.NoError(t, err)
	_, _, err = station.Sign(f, l, keys)
	require.Contains(t, core.ErrorMessage(err), "does not trust for sam", "a key the station's list does not hold")
	renamed := trustList("admin", "sam")
	renamed[1].Operator = "samuel"
	l, err = station.ReadLimits(stationtest.Write(t, btcLimits, renamed))
	require.NoError(t, err)
	_, _, err = station.Sign(f, l, keys)
	require.Contains(t, core.ErrorMessage(err), "does not trust for sam", "a key is trusted for its operator's name only")

	signed, _, err := station.Sign(clone(t, f), limits(t, btcLimits), keys)
	require.NoError(t, err, "the unchanged file is signed")
	require.NotEmpty(t, signed.SignedTx)
}

// clone is a deep copy of f, through its own bytes.
func clone(t *testing.T, f *station.File) *station.File {
	t.Helper()
	b, err := f.Marshal()
	require.NoError(t, err)
	c, err := station.Read(b)
	require.NoError(t, err)
	return c
}
