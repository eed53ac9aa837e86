// Package restart holds the Postgres tests that restart their server. A
// restart ends every session on the server, so they run in a test binary,
// and on a throwaway cluster, of their own (pgtest.MainOwnServer), one at
// a time.
package restart
