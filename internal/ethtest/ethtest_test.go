package ethtest

import (
	"context"
	"math/big"
	"strings"
	"testing"

	"github.com/ethereum/go-ethereum/common"
	"github.com/ethereum/go-ethereum/core/types"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/nodebin"
)

func TestSimulated(t *testing.T) {
	t.Parallel()

	t.Run("AccountsAreFundedAndStable", func(t *testing.T) {
		t.Parallel()
		a, b := Simulated(t), Simulated(t)
		require.Len(t, a.Accounts, SimAccounts)
		require.Equal(t, a.Accounts[0].Address, b.Accounts[0].Address, "same keys in every run")
		bal, err := a.Client.BalanceAt(context.Background(), a.Accounts[3].Address, nil)
		require.NoError(t, err)
		require.Equal(t, Ether(SimBalance), bal)
		require.EqualValues(t, 1337, a.ChainID.Int64())
	})

	t.Run("ExtraAlloc", func(t *testing.T) {
		t.Parallel()
		extra := common.HexToAddress("0x00000000000000000000000000000000000000e1")
		s := Simulated(t, types.GenesisAlloc{extra: {Balance: big.NewInt(42)}})
		bal, err := s.Client.BalanceAt(context.Background(), extra, nil)
		require.NoError(t, err)
		require.EqualValues(t, 42, bal.Int64())
	})

	t.Run("Token", func(t *testing.T) {
		t.Parallel()
		s := Simulated(t)
		alice, bob, carol := s.Accounts[0], s.Accounts[1], s.Accounts[2]
		token := s.DeployToken(alice)
		s.MustSucceed(token.Mint(alice, alice.Address, big.NewInt(1_000)))
		s.MustSucceed(token.Transfer(alice, bob.Address, big.NewInt(100)))
		r := s.MustSucceed(token.SplitTransfer(alice, []common.Address{bob.Address, carol.Address}, []*big.Int{big.NewInt(1), big.NewInt(2)}))
		require.Len(t, r.Logs, 2)
		r = s.Mine(token.TransferThenRevert(alice, bob.Address, big.NewInt(500)))
		require.Equal(t, types.ReceiptStatusFailed, r.Status)
		require.Empty(t, r.Logs)

		require.Equal(t, "897", token.BalanceOf(alice.Address).String())
		require.Equal(t, "101", token.BalanceOf(bob.Address).String())
		require.Equal(t, "2", token.BalanceOf(carol.Address).String())
	})

	t.Run("ReorgDropsOrKeepsTransactions", func(t *testing.T) {
		t.Parallel()
		s := Simulated(t)
		ctx := context.Background()
		ancestor := s.Commit()
		kept := s.Transfer(s.Accounts[0], s.Accounts[1].Address, big.NewInt(1))
		dropped := s.Transfer(s.Accounts[2], s.Accounts[1].Address, big.NewInt(1))
		old := s.Mine(kept)
		s.Commit()

		head := s.Reorg(ancestor, kept)
		require.Equal(t, head, s.HeaderAt(s.Height()).Hash())
		require.EqualValues(t, 4, s.Height(), "one block longer than the abandoned branch")
		r, err := s.Client.TransactionReceipt(ctx, kept.Hash())
		require.NoError(t, err)
		require.Equal(t, old.BlockNumber, r.BlockNumber)
		require.NotEqual(t, old.BlockHash, r.BlockHash)
		_, err = s.Client.TransactionReceipt(ctx, dropped.Hash())
		require.Error(t, err)
	})
}

func TestGethNode(t *testing.T) {
	t.Parallel()
	n := Geth(t)
	require.EqualValues(t, 1337, n.ChainID.Int64())
	alice := n.NewAccount(Ether(2))
	bob := NewAccount(t)
	r := n.MustSucceed(n.Transfer(alice, bob.Address, Ether(1)))
	n.WaitHeight(r.BlockNumber.Uint64() + 1)
	bal, err := n.Client.BalanceAt(context.Background(), bob.Address, nil)
	require.NoError(t, err)
	require.Equal(t, Ether(1), bal)
}

func TestGethBinaryMissingFailsWithAHint(t *testing.T) {
	t.Setenv(EnvNodeBin, t.TempDir())
	t.Setenv("PATH", t.TempDir())
	_, err := nodebin.Find("geth")
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), EnvNodeBin) && strings.Contains(err.Error(), "scripts/nodes.sh"), err.Error())
}
