package storage_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/storage"
)

// A Postgres URL's password never reaches a message; a file path does.
func TestShownMasksAPostgresPassword(t *testing.T) {
	require.Equal(t, "postgres://desk:xxxxx@db:5432/desk?sslmode=require", storage.Shown("postgres://desk:s3cret@db:5432/desk?sslmode=require"))
	require.Equal(t, "postgres://desk@db/desk", storage.Shown("postgres://desk@db/desk"))
	require.Equal(t, "the Postgres URL given", storage.Shown("postgres://desk:s3cret@db:bad-port/desk"))
	require.Equal(t, "/home/op/desk.db", storage.Shown("/home/op/desk.db"))
}
