package station

import (
	"os"
	"path/filepath"
)

// DefaultLimitsPath is where a station keeps its limits unless told
// otherwise: station.toml in the user's config folder, under depositdesk/
// (~/.config/depositdesk/station.toml on Linux), or in the working folder
// when the system names no config folder.
func DefaultLimitsPath() string {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "station.toml"
	}
	return filepath.Join(dir, "depositdesk", "station.toml")
}
