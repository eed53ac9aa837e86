package intake_test

import (
	"context"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/stretchr/testify/require"

	"depositdesk/intake"
)

func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	doc, err := intake.New(intake.Config{}).OpenAPI()
	require.NoError(t, err)

	t.Run("Validates", func(t *testing.T) {
		t.Parallel()
		spec, err := openapi3.NewLoader().LoadFromData(doc)
		require.NoError(t, err)
		require.Equal(t, "3.1.0", spec.OpenAPI)
		require.NoError(t, spec.Validate(context.Background()))
	})
	t.Run("MatchesTheServedRoutes", func(t *testing.T) {
		t.Parallel()
		spec, err := openapi3.NewLoader().LoadFromData(doc)
		require.NoError(t, err)
		var documented []string
		for path, item := range spec.Paths.Map() {
			for method := range item.Operations() {
				documented = append(documented, method+" "+path)
			}
		}
		documented = append(documented, "GET /openapi.json") // the document does not describe itself
		served := intake.New(intake.Config{}).Routes()
		slices.Sort(documented)
		slices.Sort(served)
		require.Equal(t, documented, served)
	})
	t.Run("IsTheCommittedDocsCopy", func(t *testing.T) {
		t.Parallel()
		committed, err := os.ReadFile("../docs/openapi.json")
		require.NoError(t, err, "run make openapi")
		require.Equal(t, string(doc), string(committed), "docs/openapi.json is stale: run make openapi")
	})
	t.Run("IsServed", func(t *testing.T) {
		t.Parallel()
		engines(t, func(t *testing.T, newEnv newEnvFunc) {
			e := newEnv(t, intake.Config{})
			r := e.do(http.MethodGet, "/openapi.json", "", nil, nil)
			require.Equal(t, http.StatusOK, r.status)
			require.Equal(t, string(doc), r.raw)
			for _, op := range []string{"create-deposit-request", "attach-deposit-txid", "get-deposit-request", "healthz", "metrics"} {
				require.True(t, strings.Contains(r.raw, `"operationId": "`+op+`"`), op)
			}
		})
	})
}
