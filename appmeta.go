// Package depositdesk carries the application's metadata: FyneApp.toml
// (the single source of name, ID, version and icon, also read by the fyne
// packaging tool) and the icon, embedded for builds made with plain go build.
package depositdesk

import (
	_ "embed"
	"fmt"

	"fyne.io/fyne/v2"
	"github.com/BurntSushi/toml"
)

//go:embed FyneApp.toml
var fyneAppTOML []byte

//go:embed assets/icon.png
var iconPNG []byte

// Metadata reads FyneApp.toml.
func Metadata() (fyne.AppMetadata, error) {
	var f struct {
		Website string
		Details struct {
			Icon, Name, ID, Version string
			Build                   int
		}
	}
	if err := toml.Unmarshal(fyneAppTOML, &f); err != nil {
		return fyne.AppMetadata{}, fmt.Errorf("FyneApp.toml: %w", err)
	}
	return fyne.AppMetadata{ID: f.Details.ID, Name: f.Details.Name, Version: f.Details.Version, Build: f.Details.Build,
		Icon: fyne.NewStaticResource("icon.png", iconPNG), Release: true}, nil
}
