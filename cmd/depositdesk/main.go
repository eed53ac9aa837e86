// Command depositdesk is the Deposit Desk desktop application.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"fyne.io/fyne/v2/app"

	"depositdesk"
	"depositdesk/internal/wire"
	"depositdesk/storage"
	"depositdesk/ui"
)

func main() {
	db := flag.String("db", "", "SQLite file or postgres:// URL (env DEPOSITDESK_DB; default "+storage.DefaultPath()+")")
	flag.Parse()
	dsn := *db
	if dsn == "" {
		dsn = os.Getenv("DEPOSITDESK_DB")
	}
	if dsn == "" {
		dsn = storage.DefaultPath()
	}
	st, err := storage.Open(context.Background(), dsn)
	if err != nil {
		fmt.Fprintf(os.Stderr, "depositdesk: cannot open %s: %v\n", dsn, err)
		os.Exit(1)
	}
	defer st.Close()
	meta, err := depositdesk.Metadata()
	if err != nil {
		fmt.Fprintln(os.Stderr, "depositdesk:", err)
		os.Exit(1)
	}
	app.SetMetadata(meta)
	a := app.NewWithID(meta.ID)
	a.SetIcon(meta.Icon)
	svc := wire.NewService(st)
	desk := ui.New(a, svc)
	desk.Start()
	desk.Window().ShowAndRun()
}
