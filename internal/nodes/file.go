package nodes

import (
	"context"
	"sync"

	"depositdesk/core"
)

// File is the node configuration at a path, read when something first
// needs a node. It implements core.Nodes: a file that is missing means no
// nodes, one that cannot be used refuses exactly what needs a node, with
// the reason, and nothing else. Searching, showing records or verifying
// the audit log never read it.
type File struct {
	Path string
	open Opener

	once sync.Once
	set  *Set
	err  error
}

// NewFile returns the configuration at path, not yet read.
func NewFile(path string, open Opener) *File { return &File{Path: path, open: open} }

// Set reads the file once and returns its nodes.
func (f *File) Set() (*Set, error) {
	f.once.Do(func() {
		cfg, err := Load(f.Path)
		if err != nil {
			f.err = core.Errorf(core.ECONFLICT, "The node configuration %s cannot be used: %s", f.Path, core.ErrorMessage(err))
			return
		}
		f.set = NewSet(cfg, f.open)
	})
	return f.set, f.err
}

// Chain implements core.Nodes.
func (f *File) Chain(ctx context.Context, n core.Network) (core.Chain, error) {
	s, err := f.Set()
	if err != nil {
		return nil, err
	}
	return s.Chain(ctx, n)
}
