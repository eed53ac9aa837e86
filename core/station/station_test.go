package station_test

import (
	"bytes"
	"context"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/hdaddr"
	"depositdesk/core/payout"
	"depositdesk/core/station"
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
		Decimals: 8, RequestedBy: "admin", ApprovedBy: "sam"}
	r.Payout, err = payout.Builder{}.Build(context.Background(), a, r, []core.PayoutInput{c}, nil, unspent{coins: map[string]core.PayoutInput{c.Outpoint: c}})
	require.NoError(t, err)
	return station.NewFile(r, a), memoryKeys{xprv}
}

func limits(t *testing.T, text string) *station.Limits {
	t.Helper()
	path := filepath.Join(t.TempDir(), "station.toml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	l, err := station.ReadLimits(path)
	require.NoError(t, err)
	return l
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
	_, err = station.ReadLimits(writeTemp(t, btcLimits+"max_total = '5'\n"))
	require.Contains(t, core.ErrorMessage(err), "unknown setting")
}

func writeTemp(t *testing.T, text string) string {
	path := filepath.Join(t.TempDir(), "station.toml")
	require.NoError(t, os.WriteFile(path, []byte(text), 0o600))
	return path
}
