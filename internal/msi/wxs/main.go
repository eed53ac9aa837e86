// Command wxs prints the WiX source of Deposit Desk's Windows installer,
// named and versioned by FyneApp.toml, for wixl (scripts/package.sh).
//
//	go run ./internal/msi/wxs -app "Deposit Desk.exe" -ctl depositctl.exe -icon icon.ico > product.wxs
//	go run ./internal/msi/wxs -upgrade-code
package main

import (
	"flag"
	"fmt"
	"os"

	"depositdesk"
	"depositdesk/internal/msi"
)

func main() {
	app := flag.String("app", "", "the signed desktop .exe")
	ctl := flag.String("ctl", "", "the signed depositctl.exe")
	icon := flag.String("icon", "", "the .ico for the shortcut and Apps & features")
	upgradeCode := flag.Bool("upgrade-code", false, "print the installer's UpgradeCode and exit")
	flag.Parse()
	if *upgradeCode {
		fmt.Println(msi.UpgradeCode)
		return
	}
	meta, err := depositdesk.Metadata()
	if err != nil {
		fail(err)
	}
	// FyneApp.toml names no publisher: the product is its own.
	wxs, err := msi.WXS(msi.Product{Name: meta.Name, Version: meta.Version, Manufacturer: meta.Name,
		AppSource: *app, CtlSource: *ctl, IconSource: *icon})
	if err != nil {
		fail(err)
	}
	os.Stdout.Write(wxs)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "wxs:", err)
	os.Exit(1)
}
