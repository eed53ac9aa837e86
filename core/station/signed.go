package station

import (
	"context"
	"path/filepath"
	"strings"

	"depositdesk/core"
	"depositdesk/core/payout"
)

// IsPSBT tells a BIP-174 file (Bitcoin, for other wallets) from the desk's
// own refund file by its name.
func IsPSBT(path string) bool { return strings.HasSuffix(strings.ToLower(path), ".psbt") }

// SignedTransaction is what a station or another wallet signed for refund
// id, read from the file at path (its bytes b): a signed PSBT's transaction
// (prepared gives the refund and asset it must be the transaction of), or a
// signed refund file's, which must be refund id's. The desk verifies it
// again on import (core.Service.ImportSignedRefund).
func SignedTransaction(ctx context.Context, id int64, path string, b []byte,
	prepared func(ctx context.Context, id int64) (*core.Refund, *core.Asset, error)) ([]byte, error) {
	name := filepath.Base(path)
	if IsPSBT(path) {
		r, a, err := prepared(ctx, id)
		if err != nil {
			return nil, err
		}
		raw, _, err := payout.ImportPSBT(a, r, r.Payout, b)
		return raw, err
	}
	f, err := Read(b)
	if err != nil {
		return nil, err
	}
	switch {
	case f.Refund.ID != id:
		return nil, core.Errorf(core.ECONFLICT, "%s is refund %d's file, not refund %d's; nothing was stored.", name, f.Refund.ID, id)
	case len(f.SignedTx) == 0:
		return nil, core.Errorf(core.EINVALID, "%s is not signed yet: take it to the signing station first.", name)
	}
	return f.SignedTx, nil
}
