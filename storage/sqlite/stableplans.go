package sqlite

/*
// mattn/go-sqlite3 compiles SQLite into the binary and does not expose
// sqlite3_db_config; this declares the one it links.
int sqlite3_db_config(void *db, int op, ...);

// SQLITE_DBCONFIG_ENABLE_QPSG in sqlite3.h.
enum { dbconfigEnableQPSG = 1007 };

// deskStablePlans sets the guarantee on (on 1), off (0) or leaves it (-1),
// and returns it as it then is, or -1 if SQLite refused.
static int deskStablePlans(void *db, int on) {
	int now = -1;
	if (sqlite3_db_config(db, dbconfigEnableQPSG, on, &now) != 0) {
		return -1;
	}
	return now;
}
*/
import "C"

import (
	"errors"
	"reflect"

	"github.com/mattn/go-sqlite3"
)

// planOnce turns on SQLite's query planner stability guarantee
// (SQLITE_DBCONFIG_ENABLE_QPSG) on c: a statement is planned from its text
// alone, never from the values bound to it, so a prepared statement keeps
// its plan (decision 64). Without it SQLite marks a statement for
// re-preparing whenever its planner looked at a bound value (a LIMIT ?, or
// a = ? checked against a partial index's WHERE), and mattn clears the
// bindings before every run, which expires a marked statement: the store's
// statement cache (prepared.go) saved those statements nothing, and most
// searches parsed and planned their SQL again on every call. The store's
// SQL writes what a partial index must know as literals (status NOT IN
// ('cancelled', 'deleted')), and names its search indexes, so no plan
// depended on a value.
func planOnce(c *sqlite3.SQLiteConn) error {
	on, err := stablePlans(c, 1)
	if err != nil {
		return err
	}
	if on != 1 {
		return errors.New("sqlite: the query planner stability guarantee could not be turned on")
	}
	return nil
}

// stablePlans sets the guarantee on c as deskStablePlans does. mattn keeps
// the connection's handle in an unexported field, read here by name: a
// mattn that renames it fails every store's open, not quietly.
func stablePlans(c *sqlite3.SQLiteConn, on int) (int, error) {
	db := reflect.ValueOf(c).Elem().FieldByName("db")
	if !db.IsValid() || db.Kind() != reflect.Pointer || db.IsNil() {
		return 0, errors.New("sqlite: mattn/go-sqlite3's connection has no database handle named db")
	}
	return int(C.deskStablePlans(db.UnsafePointer(), C.int(on))), nil
}
