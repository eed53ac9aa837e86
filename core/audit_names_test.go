package core

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// actionCode is an audit action code as the sources write it.
var actionCode = regexp.MustCompile(`"((?:deposit|deposit_address|refund|address|asset|key|customer|client|operator|audit|settings|watcher)\.[a-z_]+)"`)

// TestEveryAuditActionHasAName reads the packages that write audit rows
// (core and its watcher) and fails on an action code without a name, so a
// new action never reaches an operator's trail as a code.
func TestEveryAuditActionHasAName(t *testing.T) {
	t.Parallel()
	codes := map[string]string{}
	for _, dir := range []string{".", "watcher"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		require.NoError(t, err)
		require.NotEmpty(t, files)
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") || filepath.Base(f) == "audit.go" {
				continue
			}
			src, err := os.ReadFile(f)
			require.NoError(t, err)
			for _, m := range actionCode.FindAllStringSubmatch(string(src), -1) {
				codes[m[1]] = f
			}
		}
	}
	// The address actions written as "address." + the new status.
	for _, s := range []AddressStatus{AddressPending, AddressVerified, AddressRejected, AddressRevoked} {
		codes["address."+string(s)] = "service_customer.go"
	}
	require.Greater(t, len(codes), 40, "the scan finds the codes")
	for code, f := range codes {
		require.NotEqual(t, code, AuditActionName(code), "%s writes audit action %q: name it in auditActionNames", f, code)
	}
	require.Equal(t, "Cancelled", AuditActionName("deposit.cancel"))
	require.Equal(t, "Refund approved", AuditActionName("refund.approve"))
	require.Equal(t, "x.unknown", AuditActionName("x.unknown"), "an unknown code stays readable as itself")
}
