// Package silentnode is a test rig: a TCP listener on loopback that
// accepts every connection and never writes a byte, as a hung node or a
// black-holed proxy does. Tests configure it as a blockchain node to show
// that nothing waits on it past its deadline.
package silentnode

import (
	"net"
	"sync"
	"testing"
)

// Node is a running silent listener; the test's Cleanup closes it.
type Node struct {
	URL string // http://127.0.0.1:port
	// Contacted receives a value for each connection accepted (up to 16
	// unread), so a test knows the desk has asked.
	Contacted <-chan struct{}
}

// Start listens for tb until it ends.
func Start(tb testing.TB) *Node {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatalf("silentnode: %v", err)
	}
	contacted := make(chan struct{}, 16)
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			select {
			case contacted <- struct{}{}:
			default:
			}
		}
	}()
	tb.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	return &Node{URL: "http://" + ln.Addr().String(), Contacted: contacted}
}
