package core

import "errors"

// ChainState is what the chain says about a deposit's transaction, stored
// with the record: how far it is confirmed and in which block.
type ChainState struct {
	Confirmations int
	BlockHash     string
	BlockHeight   int64
	Spends        []string // ChainTx.Spends, to recognise a replacement later
}

// WatchedDeposit is a record the watcher follows: it has a TXID and the
// chain has not settled it (Wallet Address Under Verification or Confirming).
type WatchedDeposit struct {
	*DepositRecord
	Spends []string
}

// ErrWatcherLocked is returned by a store's TryLockWatcher when another
// process's watcher follows the network.
var ErrWatcherLocked = errors.New("another watcher follows this network")
