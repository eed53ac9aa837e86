package ui

import (
	"errors"
	"io"
	"io/fs"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"depositdesk/core"
)

// maxStationFile bounds what the desk and the station read from a chosen
// file: a refund file is at most 1 MiB (station.Read), a PSBT far less.
const maxStationFile = 2 << 20

// stationFiles are the extensions the open dialogs list.
var stationFiles = []string{".json", ".psbt"}

// chooseSave shows Fyne's save dialog offering name and calls chosen with
// the path picked. The dialog creates that file, empty, before it answers
// (and empties one the operator agreed to overwrite); writeNew replaces
// only such an empty file. chosen runs on the Fyne thread: it starts the
// write elsewhere.
func chooseSave(win fyne.Window, name string, chosen func(path string)) {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil || w == nil {
			if w != nil {
				_ = w.Close()
			}
			return // cancelled, or the dialog could not create it: it said so
		}
		path := w.URI().Path()
		_ = w.Close()
		chosen(path)
	}, win)
	d.SetFileName(name)
	d.Show()
}

// chooseOpen shows Fyne's open dialog for refund files and PSBTs and calls
// chosen with the path picked; the file is read by whoever chosen starts.
func chooseOpen(win fyne.Window, chosen func(path string)) {
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			return
		}
		path := r.URI().Path()
		_ = r.Close()
		chosen(path)
	}, win)
	d.SetFilter(storage.NewExtensionFileFilter(stationFiles))
	d.Show()
}

// readFile reads a chosen file, at most maxStationFile bytes. Its errors
// are sentences for the operator.
func readFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Cannot read %s: %v.", path, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxStationFile+1))
	if err != nil {
		return nil, core.Errorf(core.EINVALID, "Cannot read %s: %v.", path, err)
	}
	if len(b) > maxStationFile {
		return nil, core.Errorf(core.EINVALID, "%s is larger than any refund file (%d bytes at most).", path, maxStationFile)
	}
	return b, nil
}

// writeNew writes b to path as a new file readable by its owner only. An
// empty regular file there is the one the save dialog made, and is
// replaced; a file with anything in it is never overwritten.
func writeNew(path string, b []byte) error {
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() && fi.Size() == 0 {
		if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return core.Errorf(core.EINVALID, "Cannot replace the empty file %s: %v.", path, err)
		}
	}
	w, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return core.Errorf(core.EINVALID, "%s exists already and is not overwritten; choose a new name.", path)
	}
	if err != nil {
		return core.Errorf(core.EINVALID, "Cannot create %s: %v.", path, err)
	}
	_, err = w.Write(b)
	if cerr := w.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path) // no half-written file for the station
		return core.Errorf(core.EINVALID, "Cannot write %s: %v.", path, err)
	}
	return nil
}
