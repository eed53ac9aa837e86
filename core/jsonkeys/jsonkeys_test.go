package jsonkeys

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckRefusesDuplicateAndCaseVariantKeysAtAnyDepth(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		body, loc, msg string
	}{
		{`{"amount":"0.01","asset":"BTC","AMOUNT":"1"}`, "body.AMOUNT", `Keys "amount" and "AMOUNT" in body differ only in case.`},
		{`{"amount":"0.01","amount":"1"}`, "body.amount", `Key "amount" appears twice in body.`},
		{`{"a":{"b":1,"c":{"d":[1,{"e":1,"E":2}]}}}`, "body.a.c.d.E", `Keys "e" and "E" in body.a.c.d differ only in case.`},
		{`[{"x":1},{"x":1,"x":2}]`, "body.x", `Key "x" appears twice in body.`},
		{"{\"asset\":\"BTC\",\"a\u017f\u017fet\":\"ETH\"}", "body.a\u017f\u017fet", "Keys \"asset\" and \"a\u017f\u017fet\" in body differ only in case."},
		{"{\"kind\":1,\"\u212aind\":2}", "body.\u212aind", "Keys \"kind\" and \"\u212aind\" in body differ only in case."},
		{`{"a":[{"k":1}],"b":{"k":2},"k":3}`, "", ""}, // the same key in different objects is fine
		{`{"amount":"0.01"`, "", ""},         // not JSON: the decoder's to report
		{`{"Straße":1,"STRASSE":2}`, "", ""}, // not a case variant in Go's folding either
	} {
		loc, err := Check([]byte(c.body))
		if c.msg == "" {
			require.NoError(t, err, c.body)
			continue
		}
		require.EqualError(t, err, c.msg, c.body)
		require.Equal(t, c.loc, loc, c.body)
	}
}
