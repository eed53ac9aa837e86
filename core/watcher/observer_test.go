package watcher_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func TestCancelAsksTheChainFirst(t *testing.T) {
	d := newDesk(t)
	d.svc.Nodes = core.NodeMap{regtest: d.chain}
	seen, unseen := d.submit(), d.submit()
	d.chain.broadcast(payment(seen))

	_, err := d.svc.CancelDeposit(d.admin, seen.RecordNo, "customer changed their mind")
	require.Equal(t, core.EINVALID, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "already on the bitcoin/regtest network")
	require.Equal(t, core.StatusVerifying, d.record(seen).Status)

	d.chain.failNext["Transaction"] = errors.New("connection reset")
	_, err = d.svc.CancelDeposit(d.admin, unseen.RecordNo, "customer changed their mind")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "a node that cannot answer is no licence to cancel")

	got, err := d.svc.CancelDeposit(d.admin, unseen.RecordNo, "customer changed their mind")
	require.NoError(t, err)
	require.Equal(t, core.StatusCancelled, got.Status)

	// Ethereum's node answers "not found" for any Bitcoin TXID: it must never be asked.
	d.svc.Nodes = core.NodeMap{{Chain: core.ChainEthereum, Name: "regtest"}: newFakeChain(0)}
	_, err = d.svc.CancelDeposit(d.admin, d.submit().RecordNo, "no node")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err))
	require.Contains(t, core.ErrorMessage(err), "No bitcoin/regtest node is configured")

	d.svc.Nodes = nil
	_, err = d.svc.CancelDeposit(d.admin, d.submit().RecordNo, "no nodes at all")
	require.Equal(t, core.ECONFLICT, core.ErrorCode(err), "no nodes is never a licence to cancel")
}
