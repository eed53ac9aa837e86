package ui

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// checker creates an operator whose permissions a second administrator,
// hr, set: the operator who empowered another is never that operator's
// second person, so one made by admin could not check admin's work.
func (b *bundle) checker(t *testing.T, name, password string, perms ...core.Permission) *core.Operator {
	t.Helper()
	hr, err := b.svc.CreateOperator(b.admin, "hr", "hr-password-01", []core.Permission{core.PermOperatorAdmin})
	if core.ErrorCode(err) == core.ECONFLICT {
		ops, ferr := b.store.FindOperators(context.Background(), core.OperatorFilter{Name: ptrTo("hr")})
		require.NoError(t, ferr)
		hr, err = ops[0], nil
	}
	require.NoError(t, err)
	op, err := b.svc.CreateOperator(core.NewContextWithOperator(context.Background(), hr), name, password, perms)
	require.NoError(t, err)
	return op
}

func ptrTo[T any](v T) *T { return &v }
