package addrproof_test

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/ethereum/go-ethereum/accounts"
	"github.com/ethereum/go-ethereum/crypto"
	"github.com/stretchr/testify/require"

	"depositdesk/core"
	"depositdesk/core/addrproof"
	"depositdesk/storage/sqlite"
)

// desk is a Service over a real SQLite store with the real verifier, a
// clock the test moves, and one customer.
type desk struct {
	svc *core.Service
	ctx context.Context
	now time.Time
}

func newDesk(t *testing.T) *desk {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "desk.db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	d := &desk{now: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
	d.svc = core.NewService(st)
	d.svc.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	d.svc.AddressValidator, d.svc.ProofVerifier = addrproof.Validator{}, addrproof.Validator{}
	d.svc.Now = func() time.Time { return d.now }
	op, err := d.svc.Bootstrap(context.Background(), "admin", "admin-password-1")
	require.NoError(t, err)
	d.ctx = core.NewContextWithOperator(context.Background(), op)
	require.NoError(t, d.svc.SetFirmName(d.ctx, "Example Securities"))
	require.NoError(t, d.svc.CreateCustomer(d.ctx, &core.Customer{CustomerNo: "C10001", SecuritiesAccount: "SA-20001", Name: "Wei Chan"}))
	return d
}

func (d *desk) address(t *testing.T, chain, network, addr string) *core.WalletAddress {
	t.Helper()
	w, err := d.svc.AddWalletAddress(d.ctx, "C10001", chain, network, addr, "")
	require.NoError(t, err)
	return w
}

func TestEthereumPersonalSignProvesAnAddressOnce(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	key, err := crypto.GenerateKey()
	require.NoError(t, err)
	w := d.address(t, core.ChainEthereum, "dev", crypto.PubkeyToAddress(key.PublicKey).Hex())
	ch, err := d.svc.IssueAddressChallenge(d.ctx, w.ID)
	require.NoError(t, err)
	for _, want := range []string{"Example Securities", "C10001", "SA-20001", w.Address, "ethereum dev", ch.Nonce, "Expires: 2026-11-26T09:00:00Z"} {
		require.Contains(t, ch.Message, want)
	}
	sig, err := crypto.Sign(accounts.TextHash([]byte(ch.Message)), key)
	require.NoError(t, err)
	sig[64] += 27

	other, _ := crypto.GenerateKey()
	bad, _ := crypto.Sign(accounts.TextHash([]byte(ch.Message)), other)
	_, err = d.svc.ProveAddress(d.ctx, ch.ID, core.ProofEIP191, hex.EncodeToString(bad))
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "another key's signature")
	_, err = d.svc.ProveAddress(d.ctx, ch.ID, core.ProofBIP137, hex.EncodeToString(sig))
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a Bitcoin method for an Ethereum address")

	got, err := d.svc.ProveAddress(d.ctx, ch.ID, core.ProofEIP191, "0x"+hex.EncodeToString(sig))
	require.NoError(t, err)
	require.Equal(t, core.AddressVerified, got.Status)
	require.Equal(t, core.ProofEIP191, got.VerificationMethod)
	require.Equal(t, "admin", got.VerifiedBy)

	_, err = d.svc.ProveAddress(d.ctx, ch.ID, core.ProofEIP191, "0x"+hex.EncodeToString(sig))
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "a challenge is good once")
	trail, err := d.svc.AuditTrail(d.ctx, core.AuditFilter{})
	require.NoError(t, err)
	failed := 0
	for _, e := range trail {
		if e.Action == "address.proof_failed" {
			failed++
		}
	}
	require.Equal(t, 1, failed, "the failed signature is audited; the wrong method is refused before verification")
}

func TestChallengesNameTheFirmOrAreRefused(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	st := d.svc.Store
	require.NoError(t, st.SetSetting(d.ctx, core.SettingFirmName, "", core.AuditEntry{At: d.now, Actor: "test", Action: "settings.firm_name", Entity: "settings", EntityID: core.SettingFirmName}))
	w := d.address(t, core.ChainEthereum, "dev", "0x7cAF60F13C99681dDDFAd549ff5F79099d4515B8")
	_, err := d.svc.IssueAddressChallenge(d.ctx, w.ID)
	require.Equal(t, core.EINVALID, core.ErrorCode(err), "no anonymous challenge")
	require.Contains(t, err.Error(), "firm set")

	for _, bad := range []string{"", " ", "X", "Example\nCustomer: C99999", "Example\tSecurities", strings.Repeat("x", 101)} {
		require.Equal(t, core.EINVALID, core.ErrorCode(d.svc.SetFirmName(d.ctx, bad)), "%q", bad)
	}
	clerkOp, err := d.svc.CreateOperator(d.ctx, "clerk", "clerk-password-1", []core.Permission{core.PermAddressVerification})
	require.NoError(t, err)
	clerk := core.NewContextWithOperator(context.Background(), clerkOp)
	require.Equal(t, core.EFORBIDDEN, core.ErrorCode(d.svc.SetFirmName(clerk, "Other Securities")))
	got, err := d.svc.FirmName(d.ctx)
	require.NoError(t, err)
	require.Empty(t, got, "refused names change nothing")

	require.NoError(t, d.svc.SetFirmName(d.ctx, " 野村證券 (Nomura Securities) "))
	ch, err := d.svc.IssueAddressChallenge(d.ctx, w.ID)
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(ch.Message, "野村證券 (Nomura Securities) wallet ownership proof\nCustomer: C10001\n"), ch.Message)
	trail, err := d.svc.AuditTrail(d.ctx, core.AuditFilter{Entity: ptr("settings")})
	require.NoError(t, err)
	last := trail[len(trail)-1]
	require.Equal(t, "admin", last.Actor)
	require.Equal(t, "野村證券 (Nomura Securities)", last.After)
}

func ptr[T any](v T) *T { return &v }

func TestBitcoinProofsOnRegtest(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	key, err := btcec.NewPrivateKey()
	require.NoError(t, err)
	h := btcutil.Hash160(key.PubKey().SerializeCompressed())
	p2pkh, _ := btcutil.NewAddressPubKeyHash(h, &chaincfg.RegressionNetParams)
	p2wpkh, _ := btcutil.NewAddressWitnessPubKeyHash(h, &chaincfg.RegressionNetParams)

	t.Run("BIP137ForP2PKH", func(t *testing.T) {
		w := d.address(t, core.ChainBitcoin, "regtest", p2pkh.EncodeAddress())
		ch, err := d.svc.IssueAddressChallenge(d.ctx, w.ID)
		require.NoError(t, err)
		sig := ecdsa.SignCompact(key, addrproof.BitcoinMessageHash(ch.Message), true)
		got, err := d.svc.ProveAddress(d.ctx, ch.ID, core.ProofBIP137, base64.StdEncoding.EncodeToString(sig))
		require.NoError(t, err)
		require.Equal(t, core.AddressVerified, got.Status)
	})
	t.Run("ExpiredChallengeIsRefused", func(t *testing.T) {
		w := d.address(t, core.ChainBitcoin, "regtest", p2wpkh.EncodeAddress())
		ch, err := d.svc.IssueAddressChallenge(d.ctx, w.ID)
		require.NoError(t, err)
		sig := ecdsa.SignCompact(key, addrproof.BitcoinMessageHash(ch.Message), true)
		d.now = d.now.Add(core.ChallengeTTL + time.Second)
		_, err = d.svc.ProveAddress(d.ctx, ch.ID, core.ProofBIP137, base64.StdEncoding.EncodeToString(sig))
		require.Equal(t, core.EINVALID, core.ErrorCode(err))
		ws, err := d.svc.FindWalletAddresses(d.ctx, core.WalletAddressFilter{ID: &w.ID})
		require.NoError(t, err)
		require.Equal(t, core.AddressPending, ws[0].Status, "nothing stored as Verified")

		fresh, err := d.svc.IssueAddressChallenge(d.ctx, w.ID)
		require.NoError(t, err)
		require.NotEqual(t, ch.Nonce, fresh.Nonce)
		sig = ecdsa.SignCompact(key, addrproof.BitcoinMessageHash(fresh.Message), true)
		_, err = d.svc.ProveAddress(d.ctx, fresh.ID, core.ProofBIP137, base64.StdEncoding.EncodeToString(sig))
		require.NoError(t, err, "a fresh challenge works")
	})
}

func TestWrongNetworkAddressIsRefusedAtRegistration(t *testing.T) {
	t.Parallel()
	d := newDesk(t)
	_, err := d.svc.AddWalletAddress(d.ctx, "C10001", core.ChainBitcoin, "regtest", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "")
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "regtest")
}
