package pgtest

import (
	"context"

	"depositdesk/storage/postgres"
)

// Migrate is the PrepareFunc of tests that want every database migrated:
// opening the store applies the migrations.
func Migrate(ctx context.Context, url string) error {
	s, err := postgres.Open(ctx, url)
	if err != nil {
		return err
	}
	return s.Close()
}
