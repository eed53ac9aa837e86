//go:build unix

package sessionfile

import (
	"fmt"
	"os"
	"syscall"
)

// Owner is the user whose session files and folders are trusted: the
// process's. Tests play another user by changing it, as giving a file to
// another user needs root.
var Owner = os.Geteuid

// openPrivate opens path for reading without following a symbolic link:
// a link planted in the folder could point at any file.
func openPrivate(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if pe, ok := err.(*os.PathError); ok && pe.Err == syscall.ELOOP {
			return nil, &InsecureError{Path: path, Reason: "is a symbolic link"}
		}
		return nil, err
	}
	return f, nil
}

// checkFile refuses what is not a regular file of ours, mode 0600 or
// narrower.
func checkFile(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.Mode().IsRegular():
		return &InsecureError{Path: path, Reason: "is not a regular file"}
	case !ok || int(st.Uid) != Owner():
		return &InsecureError{Path: path, Reason: "belongs to another user"}
	case fi.Mode().Perm()&0o077 != 0:
		return &InsecureError{Path: path, Reason: fmt.Sprintf("can be read by others (mode %04o, want 0600)", fi.Mode().Perm()), Exposed: true}
	}
	return nil
}

// checkDir refuses a folder of another user's, or one others may write
// in (they could replace a file).
func checkDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	switch {
	case !fi.IsDir():
		return &InsecureError{Path: dir, Reason: "is not a folder"}
	case !ok || int(st.Uid) != Owner():
		return &InsecureError{Path: dir, Reason: "belongs to another user"}
	case fi.Mode().Perm()&0o022 != 0:
		return &InsecureError{Path: dir, Reason: fmt.Sprintf("can be written by others (mode %04o, want 0700)", fi.Mode().Perm())}
	}
	return nil
}
