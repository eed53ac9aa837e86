// Package anchor keeps the audit log's signed checkpoints outside the
// database: it writes them as files into a folder the firm names (ideally
// a share off the database host, or write-once storage), reads them back
// for verification, and makes them on its own every so many rows or
// minutes while a desk runs.
package anchor

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"depositdesk/core"
)

// Defaults of Run: a checkpoint once the log has grown by Rows rows, or
// Every has passed with any growth.
const (
	DefaultRows  = 1000
	DefaultEvery = 10 * time.Minute
)

// Dir is the checkpoint folder: explicit (a --checkpoints flag), else
// $DEPOSITDESK_CHECKPOINTS, else "checkpoints" beside defaultDB.
func Dir(explicit, defaultDB string) string {
	if explicit != "" {
		return explicit
	}
	if d := os.Getenv("DEPOSITDESK_CHECKPOINTS"); d != "" {
		return d
	}
	return filepath.Join(filepath.Dir(defaultDB), "checkpoints")
}

// Write stores cp in dir as checkpoint-<seq>.json, readable by its owner
// only, never replacing a file already there.
func Write(dir string, cp *core.Checkpoint) (string, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("checkpoint folder: %w", err)
	}
	b, err := json.MarshalIndent(cp, "", "  ")
	if err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("checkpoint-%012d.json", cp.Seq))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", fmt.Errorf("write checkpoint: %w", err)
	}
	if _, err := f.Write(append(b, '\n')); err != nil {
		f.Close()
		return "", fmt.Errorf("write checkpoint: %w", err)
	}
	return path, f.Close()
}

// Load reads every checkpoint file in dir (none when it does not exist).
func Load(dir string) ([]*core.Checkpoint, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read checkpoints: %w", err)
	}
	var out []*core.Checkpoint
	for _, e := range entries {
		if e.IsDir() || !strings.HasPrefix(e.Name(), "checkpoint-") || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		cp, err := ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		out = append(out, cp)
	}
	return out, nil
}

// ReadFile reads one checkpoint file.
func ReadFile(path string) (*core.Checkpoint, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Cannot read checkpoint %s: %v", path, err)
	}
	cp, err := core.ParseCheckpoint(b)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "%s: %s", path, core.ErrorMessage(err))
	}
	return cp, nil
}

// Run makes a checkpoint into dir whenever the log has grown by rows rows,
// or every has passed with some growth, until ctx ends. A station without a
// checkpoint key logs that once and makes none.
func Run(ctx context.Context, svc *core.Service, dir string, rows int64, every time.Duration, log *slog.Logger) {
	var lastSeq int64
	lastAt := time.Now()
	t := time.NewTicker(min(every, time.Minute))
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		st, err := svc.Store.AuditState(ctx)
		if err != nil {
			log.Error("audit checkpoint: read the log's head", "error", err)
			continue
		}
		grown := st.HeadSeq - lastSeq
		if grown <= 0 || grown < rows && time.Since(lastAt) < every {
			continue
		}
		cp, err := svc.AutoCheckpoint(ctx)
		if core.ErrorCode(err) == core.ENOTFOUND {
			log.Warn("no audit checkpoints are made: this station has no checkpoint key", "hint", "depositctl audit key --create")
			return
		} else if err != nil {
			log.Error("audit checkpoint", "error", err)
			continue
		}
		path, err := Write(dir, cp)
		if err != nil {
			log.Error("audit checkpoint", "error", err)
			continue
		}
		log.Info("audit checkpoint written", "row", cp.Seq, "file", path)
		lastSeq, lastAt = cp.Seq, time.Now()
	}
}
