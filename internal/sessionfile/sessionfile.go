// Package sessionfile keeps depositctl's login sessions on disk: one file
// per database, named by the database's identity, readable by its user
// only (decision 46). A file holds the session's secret; the database
// holds only its hash.
package sessionfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// DirEnv names the environment variable that moves the session folder.
const DirEnv = "DEPOSITDESK_SESSION_DIR"

// File is what a session file holds.
type File struct {
	Version int `json:"version"`
	// Database is the identity of the database the session belongs to
	// (core.Service.DatabaseIdentity); a file is used only on that one.
	Database  string    `json:"database"`
	Operator  string    `json:"operator"`
	Secret    string    `json:"secret"`
	ExpiresAt time.Time `json:"expires_at"`
}

const version = 1

// InsecureError refuses a file or folder others could read or replace:
// group or other permission bits, another owner, not a regular file.
type InsecureError struct {
	Path   string
	Reason string
	// Exposed is true when the file is ours but others could have read
	// it: its session must be taken as known to them.
	Exposed bool
}

func (e *InsecureError) Error() string { return e.Path + ": " + e.Reason }

// Dir is the folder of session files: $DEPOSITDESK_SESSION_DIR, else
// depositdesk/sessions in the user's cache folder — not the config folder,
// which Windows roams to other machines and backups often copy.
func Dir() (string, error) {
	if d := os.Getenv(DirEnv); d != "" {
		return filepath.Abs(d)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("session folder: %w", err)
	}
	return filepath.Join(cache, "depositdesk", "sessions"), nil
}

// Path is the session file of database in dir: a hash of its identity,
// so the name says nothing about where the database is.
func Path(dir, database string) string {
	sum := sha256.Sum256([]byte("depositdesk session file\x00" + database))
	return filepath.Join(dir, hex.EncodeToString(sum[:16])+".session")
}

// Read reads the file at path. It returns an error wrapping fs.ErrNotExist
// when there is none, and *InsecureError, without the file's content
// unless Exposed, when others could read or have written it.
func Read(path string) (*File, error) {
	if err := checkDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := openPrivate(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Checked on the open file, so it cannot be swapped in between.
	insecure := checkFile(f, path)
	var ie *InsecureError
	if insecure != nil && !(errors.As(insecure, &ie) && ie.Exposed) {
		return nil, insecure
	}
	data, err := io.ReadAll(io.LimitReader(f, 4096))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var sf File
	if err := json.Unmarshal(data, &sf); err != nil || sf.Version != version {
		return nil, fmt.Errorf("%s is not a depositctl session file", path)
	}
	return &sf, insecure
}

// Write stores sf at path, replacing any file there in one rename: a new
// file, mode 0600, in a folder made 0700 and checked like Read checks it.
func Write(path string, sf *File) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("session folder: %w", err)
	}
	if err := checkDir(dir); err != nil {
		return err
	}
	sf.Version = version
	data, err := json.Marshal(sf)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, ".session-*")
	if err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if err := tmp.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		tmp.Close()
		return fmt.Errorf("write session file: %w", err)
	}
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("write session file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("write session file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write session file: %w", err)
	}
	return nil
}

// Remove deletes the file at path; no file is not an error.
func Remove(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("remove session file: %w", err)
	}
	return nil
}
