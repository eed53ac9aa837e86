package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

// RunOperatorRevocation proves on an engine that an operator whose
// permissions are taken away, or who is disabled, by another desk sharing
// the database is refused at their very next search and count on this
// desk, after this desk has searched as them (whatever it keeps from that
// read: core's operator cache, or the operator read batched with the
// search). open returns two stores on one database: the operator's desk
// and the administrator's.
func RunOperatorRevocation(t *testing.T, open func(t *testing.T) (desk, other core.Store)) {
	ctx := context.Background()
	desk, other := open(t)
	admin := core.NewService(other)
	admin.PasswordCost = core.Argon2Params{Memory: 1024, Time: 1, Threads: 1}
	root, err := admin.Bootstrap(ctx, "admin", "admin-password-1")
	require.NoError(t, err)
	actx := core.NewContextWithOperator(ctx, root)
	clerk, err := admin.CreateOperator(actx, "clerk", "clerk-password-1", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)

	svc := core.NewService(desk)
	cctx := core.NewContextWithOperator(ctx, clerk)
	calls := map[string]func() error{
		"search": func() error { _, err := svc.SearchDeposits(cctx, core.DepositFilter{Prefix: true}); return err },
		"count":  func() error { _, err := svc.CountDeposits(cctx, core.DepositFilter{Prefix: true}); return err },
		"page of a record-number prefix": func() error {
			_, err := svc.SearchDeposits(cctx, core.DepositFilter{Prefix: true, RecordNo: ptr("D2026")})
			return err
		},
	}
	expect := func(code string) {
		t.Helper()
		for name, call := range calls {
			for range 2 { // the second call may answer from what the first kept
				err := call()
				if code == "" {
					require.NoError(t, err, name)
				} else {
					require.Equal(t, code, core.ErrorCode(err), "%s: %v", name, err)
				}
			}
		}
	}
	expect("")
	_, err = admin.SetOperatorPermissions(actx, "clerk", []core.Permission{core.PermAssetConfiguration})
	require.NoError(t, err)
	expect(core.EFORBIDDEN)
	_, err = admin.SetOperatorPermissions(actx, "clerk", []core.Permission{core.PermDepositRecords})
	require.NoError(t, err)
	expect("")
	_, err = admin.SetOperatorDisabled(actx, "clerk", true, "left the firm")
	require.NoError(t, err)
	expect(core.EUNAUTHORIZED)
	_, err = admin.SetOperatorDisabled(actx, "clerk", false, "back")
	require.NoError(t, err)
	expect("")
}
