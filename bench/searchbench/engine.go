package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"depositdesk/core"
	"depositdesk/storage/postgres"
	"depositdesk/storage/sqlite"
)

// engine is one store and its own client, which runs the store's SQL.
type engine interface {
	name() string
	store() core.Store
	// statements are the SQL the store runs for a page or count of the
	// validated f, arguments inlined.
	statements(ctx context.Context, f core.DepositFilter, kind string) ([]string, error)
	// time runs each run's statements in the engine's client, every run
	// once untimed, then timed, and returns each run's time.
	time(runs [][]string) ([]time.Duration, error)
	// cpu tells whether time is the client's CPU time (else its wall).
	cpu() bool
	// block is how many runs each side makes before the other's turn,
	// unless -block says otherwise.
	block() int
	clock() string // what time measures, for the reader
	close()
}

func openEngine(ctx context.Context, name, db, pg string) (engine, error) {
	switch name {
	case "sqlite":
		if db == "" {
			return nil, fmt.Errorf("-engine sqlite needs -db FILE")
		}
		st, err := sqlite.OpenWith(ctx, db, sqlite.Options{Mapped: true}) // as depositctl search opens it
		if err != nil {
			return nil, err
		}
		return &sqliteEngine{st: st, path: db}, nil
	case "postgres":
		if pg == "" {
			return nil, fmt.Errorf("-engine postgres needs -pg URL")
		}
		st, err := postgres.Open(ctx, pg)
		if err != nil {
			return nil, err
		}
		return &postgresEngine{st: st, url: pg}, nil
	}
	return nil, fmt.Errorf("unknown -engine %q (sqlite or postgres)", name)
}

// sqlArg renders one argument as an SQL literal for a client's script.
func sqlArg(a any) string {
	switch v := a.(type) {
	case string:
		return quote(v)
	case int64:
		return strconv.FormatInt(v, 10)
	case int:
		return strconv.Itoa(v)
	case time.Time:
		return quote(v.UTC().Format(time.RFC3339Nano)) + "::timestamptz"
	case []string:
		elems := make([]string, len(v))
		for i, s := range v {
			elems[i] = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		return quote("{" + strings.Join(elems, ",") + "}")
	}
	return fmt.Sprint(a)
}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// oneLine is a statement on one line, as a client's script needs it.
func oneLine(sql string) string { return strings.Join(strings.Fields(sql), " ") + ";" }
