package msi

import (
	"encoding/xml"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func product() Product {
	return Product{Name: "Deposit Desk", Version: "0.1.0", Manufacturer: "Deposit Desk",
		AppSource: "dist/Deposit Desk.exe", CtlSource: "dist/depositctl.exe", IconSource: "icon.ico"}
}

// wix is the part of the source the tests read back.
type wix struct {
	Product struct {
		ID          string `xml:"Id,attr"`
		Name        string `xml:"Name,attr"`
		Version     string `xml:"Version,attr"`
		UpgradeCode string `xml:"UpgradeCode,attr"`
		Package     struct {
			Scope string `xml:"InstallScope,attr"`
		}
		Components []component `xml:"Directory>Directory>Directory>Component"`
		Shortcut   struct {
			Name   string `xml:"Name,attr"`
			Target string `xml:"Target,attr"`
			Icon   string `xml:"Icon,attr"`
		} `xml:"Directory>Directory>Component>Shortcut"`
	}
}

type component struct {
	GUID string `xml:"Guid,attr"`
	File file
}

type file struct {
	ID     string `xml:"Id,attr"`
	Name   string `xml:"Name,attr"`
	Source string `xml:"Source,attr"`
}

func parse(t *testing.T, p Product) wix {
	t.Helper()
	src, err := WXS(p)
	require.NoError(t, err)
	var w wix
	require.NoError(t, xml.Unmarshal(src, &w))
	return w
}

func TestWXS(t *testing.T) {
	t.Parallel()

	t.Run("InstallsBothProgramsPerMachineWithAShortcut", func(t *testing.T) {
		t.Parallel()
		w := parse(t, product())
		require.Equal(t, "Deposit Desk", w.Product.Name)
		require.Equal(t, "0.1.0", w.Product.Version)
		require.Equal(t, UpgradeCode, w.Product.UpgradeCode)
		require.Equal(t, "perMachine", w.Product.Package.Scope)
		require.Len(t, w.Product.Components, 2)
		require.Equal(t, file{ID: "AppExe", Name: "Deposit Desk.exe", Source: "dist/Deposit Desk.exe"}, w.Product.Components[0].File)
		require.Equal(t, file{ID: "CtlExe", Name: "depositctl.exe", Source: "dist/depositctl.exe"}, w.Product.Components[1].File)
		require.Equal(t, "Deposit Desk", w.Product.Shortcut.Name)
		require.Equal(t, "[#AppExe]", w.Product.Shortcut.Target)
		require.Equal(t, "product.ico", w.Product.Shortcut.Icon)
	})

	t.Run("SameVersionSameProductCode", func(t *testing.T) {
		t.Parallel()
		require.Equal(t, parse(t, product()).Product.ID, parse(t, product()).Product.ID)
	})

	t.Run("NewVersionNewProductCodeSameComponents", func(t *testing.T) {
		t.Parallel()
		next := product()
		next.Version = "0.2.0"
		a, b := parse(t, product()).Product, parse(t, next).Product
		require.NotEqual(t, a.ID, b.ID)
		require.Equal(t, a.UpgradeCode, b.UpgradeCode)
		require.Equal(t, a.Components, b.Components)
		require.Len(t, a.Components, 2)
		require.NotEqual(t, a.Components[0].GUID, a.Components[1].GUID)
	})

	t.Run("CodesAreUpperCaseVersion5UUIDs", func(t *testing.T) {
		t.Parallel()
		v5 := regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-5[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
		require.Regexp(t, v5, ProductCode("0.1.0"))
		require.Regexp(t, v5, componentGUID("app"))
		require.Equal(t, strings.ToUpper(UpgradeCode), UpgradeCode)
		// RFC 9562's own example: www.example.com in the DNS namespace.
		require.Equal(t, "2ED6657D-E927-568B-95E1-2665A8AEA6A2", uuid5("6ba7b810-9dad-11d1-80b4-00c04fd430c8", "www.example.com"))
	})

	t.Run("EscapesNamesAndPaths", func(t *testing.T) {
		t.Parallel()
		p := product()
		p.Name, p.AppSource = `Desk & "Co" <test>`, `C:\a&b\x.exe`
		w := parse(t, p)
		require.Equal(t, `Desk & "Co" <test>`, w.Product.Name)
		require.Equal(t, `C:\a&b\x.exe`, w.Product.Components[0].File.Source)
		require.Equal(t, `Desk & "Co" <test>.exe`, w.Product.Components[0].File.Name)
	})

	t.Run("ErrVersionWindowsCannotCompare", func(t *testing.T) {
		t.Parallel()
		for _, v := range []string{"", "1.2", "1.2.3.4", "1.2.3-beta", "256.0.0", "1.256.0", "1.0.65536"} {
			p := product()
			p.Version = v
			_, err := WXS(p)
			require.Error(t, err, v)
		}
		p := product()
		p.Version = "255.255.65535"
		_, err := WXS(p)
		require.NoError(t, err)
	})

	t.Run("ErrMissingSource", func(t *testing.T) {
		t.Parallel()
		p := product()
		p.CtlSource = ""
		_, err := WXS(p)
		require.ErrorContains(t, err, "depositctl source")
	})
}
