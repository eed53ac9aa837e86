package nodes

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"sync"
	"time"

	"github.com/ethereum/go-ethereum/ethclient"
	"github.com/ethereum/go-ethereum/rpc"

	"depositdesk/core"
	"depositdesk/core/chain/bitcoin"
	"depositdesk/core/chain/ethereum"
	"depositdesk/core/watcher"
	"depositdesk/storage/postgres"
)

// Open connects an adapter to every configured node, by network.
func Open(c *Config) (map[string]core.Chain, error) {
	out := map[string]core.Chain{}
	for _, n := range c.Nodes {
		ch, err := n.open()
		if err != nil {
			return nil, err
		}
		out[n.Network] = ch
	}
	return out, nil
}

func (n Node) open() (core.Chain, error) {
	pw, err := n.Password()
	if err != nil {
		return nil, err
	}
	u, _ := url.Parse(n.URL) // checked by Parse
	switch n.Chain {
	case core.ChainBitcoin:
		params, err := bitcoin.Params(n.Network)
		if err != nil {
			return nil, err
		}
		return bitcoin.New(bitcoin.Config{Host: u.Host, User: n.User, Pass: pw, TLS: u.Scheme == "https", Params: params})
	case core.ChainEthereum:
		var opts []rpc.ClientOption
		if n.User != "" || pw != "" {
			basic := base64.StdEncoding.EncodeToString([]byte(n.User + ":" + pw))
			opts = append(opts, rpc.WithHeader("Authorization", "Basic "+basic))
		}
		// Dialling an http(s) URL only prepares the client; nothing is sent yet.
		c, err := rpc.DialOptions(context.Background(), n.URL, opts...)
		if err != nil {
			return nil, fmt.Errorf("node %s: %w", n.Network, err)
		}
		return ethereum.New(ethclient.NewClient(c), ethereum.Config{}), nil
	}
	return nil, core.Errorf(core.EINVALID, "%s: chain %q has no adapter.", FileName, n.Chain)
}

// lockRetry is how often a desk whose network is followed by another
// desk's watcher checks whether it should take over.
const lockRetry = 30 * time.Second

// RunWatchers follows every network of chains until ctx ends. On a shared
// Postgres database a network is followed by exactly one watcher among all
// running desks (a session advisory lock); the others stand by and take
// over if that desk goes away. onPass, when set, sees every pass.
func RunWatchers(ctx context.Context, store core.Store, c *Config, chains map[string]core.Chain, log *slog.Logger, onPass func(network string, r watcher.Report, err error)) {
	if log == nil {
		log = slog.Default()
	}
	var wg sync.WaitGroup
	for _, n := range c.Nodes {
		chain, ok := chains[n.Network]
		if !ok {
			continue
		}
		poll, _ := n.PollInterval()
		w := &watcher.Watcher{Network: n.Network, Chain: chain, Store: store, Log: log, Poll: poll}
		if onPass != nil {
			network := n.Network
			w.OnPass = func(r watcher.Report, err error) { onPass(network, r, err) }
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			follow(ctx, store, w, log)
		}()
	}
	wg.Wait()
}

// watcherLocker is a store shared by several desks (Postgres): it lets
// exactly one of them follow each network.
type watcherLocker interface {
	TryLockWatcher(ctx context.Context, network string) (release func(), err error)
}

// follow runs w, first taking the network's lock when the store has one.
func follow(ctx context.Context, store core.Store, w *watcher.Watcher, log *slog.Logger) {
	locker, shared := store.(watcherLocker)
	if !shared {
		_ = w.Run(ctx)
		return
	}
	announced := false
	for ctx.Err() == nil {
		release, err := locker.TryLockWatcher(ctx, w.Network)
		switch {
		case err == nil:
			log.Info("following the chain", "network", w.Network)
			_ = w.Run(ctx)
			release()
			return
		case errors.Is(err, postgres.ErrWatcherLocked):
			if !announced {
				log.Info("another desk follows this network; standing by", "network", w.Network)
				announced = true
			}
		default:
			log.Error("cannot take the watcher lock", "network", w.Network, "error", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(lockRetry):
		}
	}
}

// ReportLag tells set, every interval until ctx ends, how many blocks each
// network's watcher is behind its node: the node's head less the last block
// the watcher stored, whichever desk or process runs it. A node that does
// not answer is skipped until it does.
func ReportLag(ctx context.Context, store core.Store, chains map[string]core.Chain, interval time.Duration, set func(network string, blocks float64)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		for network, chain := range chains {
			head, err := chain.Head(ctx)
			if err != nil {
				continue
			}
			recent, err := store.RecentBlocks(ctx, network)
			if err != nil || len(recent) == 0 {
				continue
			}
			set(network, float64(max(head.Height-recent[0].Height, 0)))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
