// Package nodes reads which blockchain nodes serve each network (nodes.toml
// beside the desk's database) and gives the desk core.Chain adapters for
// them: opened when first needed, checked to serve the network they are
// configured for, every call under the node's deadline. RPC passwords never
// sit in the file or the database: they come from an environment variable
// the file names, or from the OS keyring.
package nodes

import (
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"
	"github.com/zalando/go-keyring"

	"depositdesk/core"
	"depositdesk/core/signer"
	"depositdesk/storage"
)

// FileName is the configuration's name beside the desk's database.
const FileName = "nodes.toml"

// KeyringService is the OS keyring service holding node RPC passwords,
// under the account "node:<label>" (see Node.Label).
const KeyringService = "depositdesk"

// DefaultTimeout is a node's deadline per call when its timeout is unset.
const DefaultTimeout = 5 * time.Second

// Node is one RPC endpoint of a network. A network may have several (the
// firm's own node and a provider's): the watcher follows the first listed
// and credits only what every other reachable one confirms.
type Node struct {
	// Name is how logs, the status line and audit rows call the node;
	// "chain/network" when unset. Nodes sharing a network need names.
	Name    string `toml:"name"`
	Chain   string `toml:"chain"`
	Network string `toml:"network"`
	URL     string `toml:"url"`
	User    string `toml:"user"`
	// PasswordEnv names the environment variable holding the RPC password;
	// when empty the password is read from the keyring (or there is none).
	PasswordEnv string `toml:"password_env"`
	// Poll is how often the watcher asks for a new block ("2s").
	Poll string `toml:"poll"`
	// Timeout bounds every call to the node ("5s" when unset): a node that
	// accepts a connection and never answers must not hold up a cancel, a
	// window or another network's watcher.
	Timeout string `toml:"timeout"`
}

// Net is the network the node is configured to serve.
func (n Node) Net() core.Network { return core.Network{Chain: n.Chain, Name: n.Network} }

// Label is the node's name, or its network when it has none.
func (n Node) Label() string {
	if n.Name != "" {
		return n.Name
	}
	return n.Net().String()
}

// Config is the whole file.
type Config struct {
	Nodes []Node `toml:"node"`
}

// Networks returns the configured networks in the order of the file.
func (c *Config) Networks() []core.Network {
	var out []core.Network
	for _, n := range c.Nodes {
		if !slices.Contains(out, n.Net()) {
			out = append(out, n.Net())
		}
	}
	return out
}

// DefaultPath is nodes.toml next to the database file dbPath.
func DefaultPath(dbPath string) string { return filepath.Join(filepath.Dir(dbPath), FileName) }

// Load reads path. A missing file is an empty configuration: the desk then
// follows no chain, refuses what needs a node, and says so.
func Load(path string) (*Config, error) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return &Config{}, nil
	} else if err != nil {
		return nil, core.Errorf(core.EINVALID, "Cannot read %s: %v", path, err)
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
	perNetwork, labels := map[core.Network]int{}, map[string]bool{}
	for _, n := range c.Nodes {
		if err := n.validate(); err != nil {
			return nil, err
		}
		if labels[n.Label()] {
			return nil, core.Errorf(core.EINVALID, "%s: two nodes are called %s; give each node of a network its own name.", FileName, n.Label())
		}
		labels[n.Label()] = true
		perNetwork[n.Net()]++
	}
	for _, n := range c.Nodes {
		if perNetwork[n.Net()] > 1 && n.Name == "" {
			return nil, core.Errorf(core.EINVALID, "%s: %s has several nodes; give each a name so the audit log can tell them apart.", FileName, n.Net())
		}
	}
	return &c, nil
}

func (n Node) validate() error {
	if _, err := core.LookupNetwork(n.Net()); err != nil {
		return core.Errorf(core.EINVALID, "%s: %s", FileName, core.ErrorMessage(err))
	}
	if len(n.Name) > 64 || strings.ContainsFunc(n.Name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return core.Errorf(core.EINVALID, "%s: a node's name is at most 64 printable characters.", FileName)
	}
	u, err := url.Parse(n.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return core.Errorf(core.EINVALID, "%s: node %s needs an http:// or https:// url.", FileName, n.Label())
	}
	if u.User != nil {
		return core.Errorf(core.EINVALID, "%s: node %s has credentials in its url; use user and password_env.", FileName, n.Label())
	}
	if _, err := n.PollInterval(); err != nil {
		return err
	}
	if _, err := n.CallTimeout(); err != nil {
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
		return 0, core.Errorf(core.EINVALID, "%s: poll %q of node %s must be a duration between 100ms and 1h.", FileName, n.Poll, n.Label())
	}
	return d, nil
}

// CallTimeout is Timeout parsed, DefaultTimeout when unset.
func (n Node) CallTimeout() (time.Duration, error) {
	if n.Timeout == "" {
		return DefaultTimeout, nil
	}
	d, err := time.ParseDuration(n.Timeout)
	if err != nil || d < 100*time.Millisecond || d > 5*time.Minute {
		return 0, core.Errorf(core.EINVALID, "%s: timeout %q of node %s must be a duration between 100ms and 5m.", FileName, n.Timeout, n.Label())
	}
	return d, nil
}

// Password returns the node's RPC password: the named environment
// variable; else, for a node with a user, the keyring entry; else "" (an
// open node, such as a local geth, needs none and the keyring is not asked).
// Only opening the node asks for it, so a station without node passwords
// still does everything that needs no node.
func (n Node) Password() (string, error) {
	if n.PasswordEnv != "" {
		v, ok := os.LookupEnv(n.PasswordEnv)
		if !ok {
			return "", core.Errorf(core.ECONFLICT, "The password of node %s should be in $%s, which is not set.", n.Label(), n.PasswordEnv)
		}
		return v, nil
	}
	if n.User == "" {
		return "", nil
	}
	account := "node:" + n.Label()
	if !signer.HasKeyring() {
		return "", core.Errorf(core.ECONFLICT, "Node %s has user %q but no password: set password_env (this machine has no OS keyring to keep it in).",
			n.Label(), n.User)
	}
	pw, err := keyring.Get(KeyringService, account)
	if errors.Is(err, keyring.ErrNotFound) {
		return "", core.Errorf(core.ECONFLICT, "Node %s has user %q but no password: set password_env, or store it in the keyring (service %s, account %s).",
			n.Label(), n.User, KeyringService, account)
	} else if err != nil {
		return "", core.Errorf(core.ECONFLICT, "The keyring did not give the password of node %s (service %s, account %s): %v.", n.Label(), KeyringService, account, err)
	}
	return pw, nil
}

// ResolvePath picks the node configuration: explicit (a --nodes flag), else
// $DEPOSITDESK_NODES, else nodes.toml beside a SQLite database file, else
// in the desk's config dir (defaultDB's directory). dsn is the database the
// desk opened, however it was named (flag or $DEPOSITDESK_DB).
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
