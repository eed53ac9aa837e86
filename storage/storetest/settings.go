package storetest

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"depositdesk/core"
)

func runSettings(t *testing.T, newStore NewStoreFunc) {
	ctx := context.Background()
	t.Run("UnsetIsEmptyThenSetThenReplacedEachAudited", func(t *testing.T) {
		t.Parallel()
		s := newStore(t)
		v, err := s.Setting(ctx, core.SettingFirmName)
		require.NoError(t, err)
		require.Empty(t, v)
		for _, name := range []string{"Example Securities", "Example Securities Co., Ltd. 例"} {
			require.NoError(t, s.SetSetting(ctx, core.SettingFirmName, name, audit("settings.firm_name", "settings", core.SettingFirmName, T0)))
			v, err = s.Setting(ctx, core.SettingFirmName)
			require.NoError(t, err)
			require.Equal(t, name, v)
		}
		rows, err := s.FindAudit(ctx, core.AuditFilter{Entity: ptr("settings")})
		require.NoError(t, err)
		require.Len(t, rows, 2)
		MustVerifyChain(t, s)
	})
}
