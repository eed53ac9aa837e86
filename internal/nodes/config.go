// Package nodes reads which blockchain node serves each network (nodes.toml
// in the desk's config dir) and opens core.Chain adapters for them. RPC
// passwords never sit in the file or the database: they come from an
// environment variable the file names, or from the OS keyring.
package nodes

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/storage"
)

// FileName is the configuration's name beside the desk's database.
const FileName = "nodes.toml"

// KeyringService is the OS keyring service holding node RPC passwords,
// under the account "node:<network>".
const KeyringService = "depositdesk"

// Node is one network's RPC endpoint.
type Node struct {
	Network string `toml:"network"`
	Chain   string `toml:"chain"`
	URL     string `toml:"url"`
	User    string `toml:"user"`
	// PasswordEnv names the environment variable holding the RPC password;
	// when empty the password is read from the keyring (or there is none).
	PasswordEnv string `toml:"password_env"`
	// Poll is how often the watcher asks for a new block ("2s").
	Poll string `toml:"poll"`
}

// Config is the whole file.
type Config struct {
	Nodes []Node `toml:"node"`
}

// DefaultPath is nodes.toml next to the default database.
func DefaultPath(dbPath string) string { return filepath.Join(filepath.Dir(dbPath), FileName) }

// Load reads path. A missing file is an empty configuration: the desk then
// runs without watchers and says so.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Config{}, nil
	} else if err != nil {
		return nil, err
	}
	return Parse(string(raw))
}

// Parse decodes and checks a configuration. Unknown keys are refused, a
// "password" key above all: secrets do not belong in the file.
func Parse(text string) (*Config, error) {
	var c Config
	md, err := toml.Decode(text, &c)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s: %v", FileName, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return nil, core.Errorf(core.EINVALID, "%s: unknown setting %s (passwords go in an environment variable named by password_env, or the keyring).", FileName, strings.Join(keys, ", "))
	}
	seen := map[string]bool{}
	for _, n := range c.Nodes {
		if err := n.validate(); err != nil {
			return nil, err
		}
		if seen[n.Network] {
			return nil, core.Errorf(core.EINVALID, "%s: network %q has two nodes; one watcher follows one node.", FileName, n.Network)
		}
		seen[n.Network] = true
	}
	return &c, nil
}

func (n Node) validate() error {
	if !slices.Contains(core.ChainNetworks(n.Chain), n.Network) {
		return core.Errorf(core.EINVALID, "%s: %q is not a network of chain %q.", FileName, n.Network, n.Chain)
	}
	u, err := url.Parse(n.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return core.Errorf(core.EINVALID, "%s: node %s needs an http:// or https:// url.", FileName, n.Network)
	}
	if u.User != nil {
		return core.Errorf(core.EINVALID, "%s: node %s has credentials in its url; use user and password_env.", FileName, n.Network)
	}
	if _, err := n.PollInterval(); err != nil {
		return err
	}
	return nil
}

// PollInterval is Poll parsed, 0 when unset.
func (n Node) PollInterval() (time.Duration, error) {
	if n.Poll == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(n.Poll)
	if err != nil || d < 100*time.Millisecond || d > time.Hour {
		return 0, core.Errorf(core.EINVALID, "%s: poll %q must be a duration between 100ms and 1h.", FileName, n.Poll)
	}
	return d, nil
}

// Password returns the node's RPC password: the named environment
// variable; else, for a node with a user, the keyring entry; else "" (an
// open node, such as a local geth, needs none and the keyring is not asked).
func (n Node) Password() (string, error) {
	if n.PasswordEnv != "" {
		v, ok := os.LookupEnv(n.PasswordEnv)
		if !ok {
			return "", core.Errorf(core.EINVALID, "The password of node %s should be in $%s, which is not set.", n.Network, n.PasswordEnv)
		}
		return v, nil
	}
	if n.User == "" {
		return "", nil
	}
	pw, err := keyring.Get(KeyringService, "node:"+n.Network)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", core.Errorf(core.EINVALID, "Node %s has user %q but no password: set password_env, or store it in the keyring (service %s, account node:%s).",
			n.Network, n.User, KeyringService, n.Network)
	} else if err != nil {
		return "", fmt.Errorf("keyring (the password of node %s, user %q): %w", n.Network, n.User, err)
	}
	return pw, nil
}

// ResolvePath picks the node configuration: explicit (a --nodes flag), else
// $DEPOSITDESK_NODES, else nodes.toml beside a SQLite database file, else
// in the desk's config dir (defaultDB's directory).
func ResolvePath(explicit, dsn, defaultDB string) string {
	if explicit != "" {
		return explicit
	}
	if p := os.Getenv("DEPOSITDESK_NODES"); p != "" {
		return p
	}
	if dsn != "" && !storage.IsPostgres(dsn) {
		return DefaultPath(dsn)
	}
	return DefaultPath(defaultDB)
}
