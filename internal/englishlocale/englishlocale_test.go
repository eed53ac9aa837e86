package englishlocale

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReadable(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{"LANG": "C.UTF-8"}, false},
		{map[string]string{"LANG": "POSIX.UTF-8"}, false},
		{map[string]string{"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, false},
		{map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "fr:de"}, true},
		{map[string]string{"LANG": "en_US.UTF-8", "LANGUAGE": "en::de"}, false},
		{map[string]string{"LANG": "en_US.UTF-8"}, true},
		{map[string]string{"LANG": "sr_RS@latin"}, true},
		{map[string]string{"LANG": "C"}, true},
		{map[string]string{"LC_ALL": "POSIX"}, true},
		{map[string]string{}, true},
	} {
		require.Equal(t, c.want, Readable(func(k string) string { return c.env[k] }), "%v", c.env)
	}
}
