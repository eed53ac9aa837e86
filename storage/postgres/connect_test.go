package postgres_test

import (
	"context"
	"strings"
	"testing"

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
	require.ErrorContains(t, err, "connect postgres")
	select {
	case <-silent.Contacted:
	default:
		t.Fatal("the silent server was never asked")
	}
}
