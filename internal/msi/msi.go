// Package msi writes the WiX source (.wxs) that wixl turns into Deposit
// Desk's Windows installer: a per-machine install of the desktop app and
// depositctl under Program Files, a Start-menu shortcut, and the codes that
// make a newer version replace an older one in place.
package msi

import (
	"bytes"
	"crypto/sha1"
	_ "embed"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
)

// UpgradeCode names the product across all its versions: Windows Installer
// finds an installed Deposit Desk by it and removes it before a newer one
// goes in. It must never change, or a new version installs beside the old.
// Codes are upper case, as Windows Installer compares them as text.
const UpgradeCode = "8D6B7F3E-4C2A-4E55-9B1A-6F0D2C9E3A17"

// Product is what one installer holds. The source fields are paths on the
// build machine, relative to the folder wixl runs in (it refuses absolute
// ones); the names are what Windows shows.
type Product struct {
	Name         string // the app's name (FyneApp.toml): folder, shortcut, Apps & features
	Version      string // major.minor.patch (FyneApp.toml)
	Manufacturer string
	AppSource    string // the signed desktop .exe, installed as "<Name>.exe"
	CtlSource    string // the signed depositctl.exe
	IconSource   string // .ico for the shortcut and Apps & features
}

//go:embed product.wxs
var productWXS string

var tmpl = template.Must(template.New("wxs").Funcs(template.FuncMap{"x": escape}).Parse(productWXS))

// msiVersion is the form ProductVersion takes. Windows Installer compares
// only these three fields (major and minor up to 255, build up to 65535), so
// a version it cannot compare would break upgrades.
var msiVersion = regexp.MustCompile(`^(\d+)\.(\d+)\.(\d+)$`)

// WXS returns the WiX source for p.
func WXS(p Product) ([]byte, error) {
	if err := checkVersion(p.Version); err != nil {
		return nil, err
	}
	for field, v := range map[string]string{"name": p.Name, "manufacturer": p.Manufacturer,
		"app source": p.AppSource, "depositctl source": p.CtlSource, "icon source": p.IconSource} {
		if v == "" {
			return nil, fmt.Errorf("msi: no %s", field)
		}
	}
	data := struct {
		Product
		UpgradeCode, ProductCode   string
		AppGUID, CtlGUID, MenuGUID string
	}{p, UpgradeCode, ProductCode(p.Version),
		componentGUID("app"), componentGUID("depositctl"), componentGUID("start-menu")}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// ProductCode is one version's code, the same on every build of it: a
// rebuilt installer of an installed version is then recognised as that
// product (msiexec /i answers that it is installed; REINSTALL=ALL
// REINSTALLMODE=vomus replaces it) instead of installing a second copy
// beside it, which a random code would do, since Windows Installer upgrades
// only to a higher version.
func ProductCode(version string) string { return uuid5(UpgradeCode, "product "+version) }

// componentGUID stays the same across versions, as Windows Installer wants
// for a component that installs the same file to the same place.
func componentGUID(id string) string { return uuid5(UpgradeCode, "component "+id) }

func checkVersion(v string) error {
	m := msiVersion.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf("msi: version %q is not major.minor.patch", v)
	}
	for i, limit := range []int{255, 255, 65535} {
		if n, err := strconv.Atoi(m[i+1]); err != nil || n > limit {
			return fmt.Errorf("msi: version %q: field %d is over %d", v, i+1, limit)
		}
	}
	return nil
}

// uuid5 is RFC 9562's name-based UUID (SHA-1) of name in namespace ns.
func uuid5(ns, name string) string {
	raw, err := hex.DecodeString(strings.ReplaceAll(ns, "-", ""))
	if err != nil || len(raw) != 16 {
		panic("msi: bad namespace " + ns)
	}
	h := sha1.Sum(append(raw, name...))
	u := h[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%X-%X-%X-%X-%X", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

func escape(s string) (string, error) {
	var b bytes.Buffer
	err := xml.EscapeText(&b, []byte(s))
	return b.String(), err
}
