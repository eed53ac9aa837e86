//go:build !unix

package sessionfile

import "os"

// On Windows a file's mode bits say nothing of who may read it; the
// session folder is under the user's profile (%LocalAppData%), which only
// that user and administrators can read.

func openPrivate(path string) (*os.File, error) { return os.Open(path) }

func checkFile(f *os.File, path string) error {
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	if !fi.Mode().IsRegular() {
		return &InsecureError{Path: path, Reason: "is not a regular file"}
	}
	return nil
}

func checkDir(string) error { return nil }
