package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/stretchr/testify/require"

	"depositdesk/core/station"
	"depositdesk/internal/btcdtest"
	"depositdesk/internal/keyringtest"
)

// stationProcess runs depositctl args as the air-gapped station does: a
// process of its own with no network at all (a network namespace of its
// own, unshare -n), no database and no nodes file; only the keyring's
// socket (a path) is reachable.
func stationProcess(t *testing.T, stdin string, args ...string) result {
	t.Helper()
	cmd := exec.Command("unshare", append([]string{"-n", os.Args[0]}, args...)...)
	cmd.Env = append(os.Environ(), asDepositctl+"=1", "DEPOSITDESK_DB=/nonexistent/desk.db", "DEPOSITDESK_NODES=/nonexistent/nodes.toml")
	cmd.Stdin = strings.NewReader(stdin)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	return result{code, out.String(), errb.String()}
}

// Not parallel: the OS keyring's session bus is named in the environment.
func TestRefundSignedOnAnAirGappedStation(t *testing.T) {
	keyringtest.Start(t)
	desk := newBTCRefundDesk(t, "deposit desk station test seed!!")
	c, node, dir, db, nodesFile, xprv, xpub := desk.cli, desk.node, desk.dir, desk.db, desk.nodesFile, desk.xprv, desk.xpub
	var r result
	rec, w := creditedDeposit(t, db, node)
	c.checker("sam", "sam-password-01", "refund-approval")
	var got struct {
		ID        int64  `json:"id"`
		Status    string `json:"status"`
		TxID      string `json:"txid"`
		Approvals []struct {
			Role, Operator string
		} `json:"approvals"`
	}
	c.jsonOut(&got, "refund", "request", rec, "--address", w, "--identity", "video call, ticket 12")
	id := strconv.FormatInt(got.ID, 10)
	r = c.as("sam", "sam-password-01", "--json", "refund", "approve", id)
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Equal(t, []struct{ Role, Operator string }{{"request", "admin"}, {"approve", "sam"}}, got.Approvals,
		"signed with each operator's key, made in the keyring at their login")
	prepared := filepath.Join(dir, "refund.json")
	r = c.admin("--nodes", nodesFile, "refund", "prepare", id, "--out", prepared)
	require.Equal(t, 0, r.code, r.stderr)
	// The same refund as a PSBT for other wallets; unsigned, it is not imported.
	unsignedPSBT := filepath.Join(dir, "refund.psbt")
	r = c.admin("--nodes", nodesFile, "refund", "export", id, "--out", unsignedPSBT)
	require.Equal(t, 0, r.code, r.stderr)
	raw, err := os.ReadFile(unsignedPSBT)
	require.NoError(t, err)
	pkt, err := psbt.NewFromRawBytes(bytes.NewReader(raw), false)
	require.NoError(t, err)
	require.Len(t, pkt.Inputs, 2)
	for i, in := range pkt.Inputs {
		require.Len(t, in.Bip32Derivation, 1, "each input names its key for the wallet")
		require.NotNil(t, in.NonWitnessUtxo, "and carries the transaction it spends, for hardware wallets")
		require.Equal(t, pkt.UnsignedTx.TxIn[i].PreviousOutPoint.Hash, in.NonWitnessUtxo.TxHash())
	}
	r = c.admin("refund", "import", id, unsignedPSBT)
	require.Equal(t, 5, r.code)
	require.Contains(t, r.stderr, "is not signed")

	// The station: its key, its limits and the operators it trusts (the
	// desk's export, made when admin and sam logged in), then the file.
	stationDir := t.TempDir()
	r = c.admin("operator", "keys", "export", "--out", filepath.Join(stationDir, "operators.json"))
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "3 approval key(s) written", "admin's, hr's and sam's")
	r = c.as("sam", "sam-password-01", "operator", "keys", "export", "--out", filepath.Join(dir, "sam.json"))
	require.Equal(t, 7, r.code, "Refund Approval does not export the trust list: %s", r.stderr)
	const trusting = "trusted_operators = 'operators.json'\n"
	limits := filepath.Join(stationDir, "station.toml")
	require.NoError(t, os.WriteFile(limits, []byte(trusting+"[[asset]]\nasset = 'BTC@regtest'\nchain = 'bitcoin'\nmax_amount = '0.02'\nmax_fee = '0.0001'\n"), 0o600))
	r = stationProcess(t, xprv+"\n", "station", "key-import", "BTC", "--network", "bitcoin/regtest", "--xpub", xpub)
	require.Equal(t, 0, r.code, r.stderr)
	require.NotContains(t, r.stdout+r.stderr, xprv)
	signed := filepath.Join(stationDir, "refund-signed.json")
	r = stationProcess(t, "", "sign", prepared, "--out", signed, "--limits", limits)
	require.Equal(t, 0, r.code, r.stderr)
	require.Contains(t, r.stdout, "Pays 0.015 BTC to "+w+" on bitcoin/regtest.")
	require.Contains(t, r.stdout, "Change ")
	require.Contains(t, r.stdout, "Requested and approved with keys this station trusts (admin ")
	require.NotContains(t, r.stdout+r.stderr, xprv)

	// Refusals: a file altered after export, its approvals removed or
	// altered, an operator the station does not trust, limits passed, a
	// file for another refund; none writes its output.
	b, err := os.ReadFile(prepared)
	require.NoError(t, err)
	for name, c := range map[string]struct {
		change func(f *station.File)
		says   string
	}{
		"AddressChanged":    {func(f *station.File) { f.Refund.Address = btcdtest.NewAddress(t).EncodeAddress() }, "changed after admin signed"},
		"ApprovalsRemoved":  {func(f *station.File) { f.Approvals = nil }, "not signed by both its requester and its approver"},
		"ApprovalAltered":   {func(f *station.File) { f.Approvals[1].Signature[5] ^= 1 }, "approve signature by sam does not hold"},
		"ApprovedByRenamed": {func(f *station.File) { f.Refund.ApprovedBy = "admin" }, "but it is signed by admin and sam"},
	} {
		var f station.File
		require.NoError(t, json.Unmarshal(b, &f))
		c.change(&f)
		altered := filepath.Join(stationDir, name+".json")
		require.NoError(t, writeFile(altered, &f))
		r = stationProcess(t, "", "sign", altered, "--out", filepath.Join(stationDir, name+"-signed.json"), "--limits", limits)
		require.Equal(t, 3, r.code, "%s: %s", name, r.stderr)
		require.Contains(t, r.stderr, c.says, name)
		require.Contains(t, r.stderr, "Nothing was signed", name)
		require.NoFileExists(t, filepath.Join(stationDir, name+"-signed.json"))
	}
	var onlyAdmin []map[string]any
	list, err := os.ReadFile(filepath.Join(stationDir, "operators.json"))
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(list, &onlyAdmin))
	require.Len(t, onlyAdmin, 3)
	require.Equal(t, "admin", onlyAdmin[0]["operator"])
	untrusting := t.TempDir()
	list, err = json.Marshal(onlyAdmin[:1])
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(untrusting, "operators.json"), list, 0o600))
	require.NoError(t, os.WriteFile(filepath.Join(untrusting, "station.toml"), []byte(trusting+"[[asset]]\nasset = 'BTC@regtest'\nchain = 'bitcoin'\nmax_amount = '0.02'\nmax_fee = '0.0001'\n"), 0o600))
	r = stationProcess(t, "", "sign", prepared, "--out", filepath.Join(stationDir, "w.json"), "--limits", filepath.Join(untrusting, "station.toml"))
	require.Equal(t, 3, r.code, r.stderr)
	require.Contains(t, r.stderr, "which this station does not trust for sam")
	tight := filepath.Join(stationDir, "tight.toml")
	require.NoError(t, os.WriteFile(tight, []byte(trusting+"[[asset]]\nasset = 'BTC@regtest'\nchain = 'bitcoin'\nmax_amount = '0.01'\nmax_fee = '0.0001'\n"), 0o600))
	r = stationProcess(t, "", "sign", prepared, "--out", filepath.Join(stationDir, "y.json"), "--limits", tight)
	require.Equal(t, 3, r.code)
	require.Contains(t, r.stderr, "above this station's limit of 0.01 BTC per refund")
	dup := strings.Replace(string(b), `"format":`, `"format": "depositdesk-refund/1", "format":`, 1)
	require.NoError(t, os.WriteFile(filepath.Join(stationDir, "dup.json"), []byte(dup), 0o600))
	r = stationProcess(t, "", "sign", filepath.Join(stationDir, "dup.json"), "--out", filepath.Join(stationDir, "z.json"), "--limits", limits)
	require.Equal(t, 3, r.code)
	require.Contains(t, r.stderr, "appears twice")

	require.Equal(t, 3, c.admin("refund", "import", id, prepared).code, "an unsigned file")
	require.Equal(t, 5, c.admin("refund", "import", strconv.FormatInt(got.ID+1, 10), signed).code, "another refund's file")
	r = c.admin("--json", "refund", "import", id, signed)
	require.Equal(t, 0, r.code, r.stderr)
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	require.Equal(t, "Signed", got.Status)
	r = c.admin("--nodes", nodesFile, "refund", "broadcast", id)
	require.Equal(t, 0, r.code, r.stderr)
	require.True(t, node.InMempool(t, got.TxID))
	follow(t, db, node, 2)
	require.Equal(t, "Refunded", c.search("--record-no", rec)[0].Status)
}
