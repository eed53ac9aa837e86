package postgres_test

import (
	"context"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/stretchr/testify/require"

	"depositdesk/internal/silentnode"
	"depositdesk/storage/postgres"
)

// A server that accepts the connection and never answers is refused after
// the connect timeout, not waited on: the desk's start and the CLI name it.
func TestAServerThatNeverAnswersIsNotWaitedOn(t *testing.T) {
	t.Parallel()
	silent := silentnode.Start(t)
	url := "postgres://desk@" + strings.TrimPrefix(silent.URL, "http://") + "/desk?sslmode=disable"
	st, err := postgres.Open(context.Background(), url)
	require.Nil(t, st)
	require.ErrorContains(t, err, "connect postgres: the server did not answer within 10s")
	select {
	case <-silent.Contacted:
	default:
		t.Fatal("the silent server was never asked")
	}
}

// A server that completes the startup and then never answers a statement
// (a pooler with no connection free) is refused after the connect timeout
// too: the timeout does not end at the greeting.
func TestAServerThatGreetsAndThenHangsIsNotWaitedOn(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	asked := make(chan struct{}, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		be := pgproto3.NewBackend(c, c)
		if _, err := be.ReceiveStartupMessage(); err != nil {
			return
		}
		be.Send(&pgproto3.AuthenticationOk{})
		be.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 1}})
		be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
		if be.Flush() != nil {
			return
		}
		if _, err := be.Receive(); err == nil {
			asked <- struct{}{}
		}
		io.Copy(io.Discard, c) // and never answer
	}()
	url := "postgres://desk@" + ln.Addr().String() + "/desk?sslmode=disable&connect_timeout=1"
	start := time.Now()
	st, err := postgres.Open(context.Background(), url)
	require.Nil(t, st)
	require.ErrorContains(t, err, "connect postgres: the server did not answer within 1s")
	require.Less(t, time.Since(start), 30*time.Second, "refused after the connect timeout, not when the test ends")
	select {
	case <-asked:
	default:
		t.Fatal("the server was never sent a statement")
	}
}
