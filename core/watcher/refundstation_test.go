package watcher_test

import (
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/common"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/payout"
	"depositdesk/core/signer"
	"depositdesk/core/station"
	"depositdesk/internal/ethtest"
	"depositdesk/internal/keyringtest"
	"depositdesk/internal/stationtest"
)

// asStation makes the test binary sign one refund file as the station
// does (signAsStation) instead of running the tests.
const asStation = "DEPOSITDESK_TEST_STATION"

// viaStation exports prepared refund r to a file, has it signed by a
// station process with no network at all (a network namespace of its own,
// unshare -n; its own limits and trust list, the OS keyring on a path
// socket) and imports what it signed into the desk.
func (d *refunder) viaStation(t *testing.T, r *core.Refund, limits string) *core.Refund {
	t.Helper()
	sr, a, err := d.svc.StationRefund(d.admin, r.ID)
	require.NoError(t, err)
	b, err := station.NewFile(sr, a).Marshal()
	require.NoError(t, err)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "refund.json"), filepath.Join(dir, "refund-signed.json")
	require.NoError(t, os.WriteFile(in, b, 0o600))
	trusted, err := d.svc.ExportOperatorKeys(d.admin) // the trust list the station's administrator imported
	require.NoError(t, err)
	cmd := exec.Command("unshare", "-n", os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), asStation+"=1", "STATION_IN="+in, "STATION_OUT="+out, "STATION_LIMITS="+stationtest.Write(t, limits, trusted))
	said, err := cmd.CombinedOutput()
	require.NoError(t, err, "station: %s", said)
	signedBytes, err := os.ReadFile(out)
	require.NoError(t, err)
	signed, err := station.Read(signedBytes)
	require.NoError(t, err)
	got, err := d.svc.ImportSignedRefund(d.admin, r.ID, signed.SignedTx)
	require.NoError(t, err)
	require.Equal(t, signed.TxID, got.TxID)
	return got
}

// signAsStation is what depositctl sign does: read the file, the station's
// limits, sign with the OS keyring, write the signed file.
func signAsStation() int {
	fail := func(err error) int { fmt.Fprintln(os.Stderr, "station:", err); return 1 }
	b, err := os.ReadFile(os.Getenv("STATION_IN"))
	if err != nil {
		return fail(err)
	}
	f, err := station.Read(b)
	if err != nil {
		return fail(err)
	}
	l, err := station.ReadLimits(os.Getenv("STATION_LIMITS"))
	if err != nil {
		return fail(err)
	}
	signed, _, err := station.Sign(f, l, signer.Keyring{})
	if err != nil {
		return fail(err)
	}
	out, err := signed.Marshal()
	if err != nil {
		return fail(err)
	}
	if err := os.WriteFile(os.Getenv("STATION_OUT"), out, 0o600); err != nil {
		return fail(err)
	}
	return 0
}

// ETH and an ERC-20 refunded through the station's file on the simulated
// chain: prepared on the desk, signed from the file, imported, broadcast,
// confirmed.
func TestEtherAndTokenRefundsSignedByTheStationOnTheSimulatedChain(t *testing.T) {
	keyringtest.Start(t)
	sim := ethtest.Simulated(t)
	refundsViaStation(t, sim.Chain, "simulated", sim.Accounts[0], sim.Accounts[1], func() { sim.Commit() })
}

// The same on geth --dev, whose blocks come every second.
func TestEtherAndTokenRefundsSignedByTheStationOnGethDev(t *testing.T) {
	keyringtest.Start(t)
	node := ethtest.Geth(t)
	customer, minter := node.NewAccount(ethtest.Gwei(10_000_000_000)), node.NewAccount(ethtest.Gwei(10_000_000_000))
	refundsViaStation(t, node.Chain, "dev", customer, minter, func() { node.WaitHeight(node.Height() + 1) })
}

// refundsViaStation credits an ETH and a token deposit of customer on
// chain (network), refunds both through the station's file and checks the
// customer was paid; minter funds the payer, mine makes a block.
func refundsViaStation(t *testing.T, chain *ethtest.Chain, network string, customer, minter *ethtest.Account, mine func()) {
	token := chain.DeployToken(minter)
	chain.MustSucceed(token.Mint(minter, customer.Address, big.NewInt(50_000_000)))
	d := ethDesk(t, chain.Client, network, &core.Asset{Symbol: "ETH", Decimals: 18}, customer)
	rd := newRefunder(t, d, 44, 60, &chaincfg.MainNetParams, nil, ethtest.Gwei(10_000_000))
	payer, err := payout.Payer(d.asset)
	require.NoError(t, err)
	chain.MustSucceed(chain.Transfer(minter, common.HexToAddress(payer), ethtest.Gwei(3_000_000_000)))
	tokenAsset := &core.Asset{Chain: core.ChainEthereum, Network: network, Symbol: "TST", Decimals: ethtest.TokenDecimals,
		ContractAddress: token.Address.Hex(), MinDeposit: big.NewInt(1), ConfirmationsRequired: 3, Enabled: true,
		AccountXPub: d.asset.AccountXPub, RefundFeeCap: ethtest.Gwei(10_000_000)}
	require.NoError(t, d.svc.CreateAsset(d.admin, tokenAsset))
	require.NoError(t, d.svc.ImportSigningKey(d.admin, "TST", network, accountXPrv(t, 44, 60, &chaincfg.MainNetParams)))
	chain.MustSucceed(token.Mint(minter, common.HexToAddress(payer), big.NewInt(7_500_000)))

	ethTx := chain.MustSucceed(chain.Transfer(customer, common.HexToAddress(d.deposit), ethtest.Gwei(1_500_000_000)))
	rec := d.submit(t, "1.5", ethTx.TxHash.Hex(), 0)
	ethAsset := d.asset
	d.asset = tokenAsset
	sent := chain.MustSucceed(token.Transfer(customer, common.HexToAddress(d.deposit), big.NewInt(7_500_000)))
	tok := d.submit(t, "7.5", sent.TxHash.Hex(), 0)
	for rd.record(t, rec).Status != core.StatusCredited || rd.record(t, tok).Status != core.StatusCredited {
		mine()
		_, err := d.w.Step(t.Context())
		require.NoError(t, err)
	}

	limits := "[[asset]]\nasset = 'ETH@" + network + "'\nchain = 'ethereum'\nmax_amount = '2'\nmax_fee = '0.01'\n" +
		"[[asset]]\nasset = 'TST@" + network + "'\nchain = 'ethereum'\nmax_amount = '10'\nmax_fee = '0.01'\n"
	tokensBefore := token.BalanceOf(customer.Address)
	for _, c := range []struct {
		rec   *core.DepositRecord
		asset *core.Asset
	}{{rec, ethAsset}, {tok, tokenAsset}} {
		d.asset = c.asset
		r, err := d.svc.RequestRefund(d.admin, c.rec.RecordNo, core.RefundRequest{AddressID: d.sourceID, IdentityCheck: "branch visit, form R-7"})
		require.NoError(t, err)
		_, err = d.svc.ApproveRefund(rd.sam, r.ID)
		require.NoError(t, err)
		r, err = d.svc.PrepareRefund(d.admin, r.ID)
		require.NoError(t, err)
		r = rd.viaStation(t, r, limits)
		require.Equal(t, core.RefundSigned, r.Status)
		r, err = d.svc.BroadcastRefund(d.admin, r.ID)
		require.NoError(t, err)
		for r.Status != core.RefundConfirmed {
			mine()
			r = rd.stepOnce(t, r)
		}
		require.Equal(t, core.StatusRefunded, rd.record(t, c.rec).Status)
		if c.asset == ethAsset {
			require.Equal(t, ethtest.Gwei(1_500_000_000), rd.paid(t, r)[customer.Address.Hex()], "the customer received exactly the approved amount")
		}
	}
	require.Equal(t, big.NewInt(7_500_000), new(big.Int).Sub(token.BalanceOf(customer.Address), tokensBefore))
}

func (d *refunder) stepOnce(t *testing.T, r *core.Refund) *core.Refund {
	t.Helper()
	_, err := d.w.Step(t.Context())
	require.NoError(t, err)
	got, err := d.svc.Refund(d.admin, r.ID)
	require.NoError(t, err)
	return got
}
