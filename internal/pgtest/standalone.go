package pgtest

import "fmt"

// StartServer starts a throwaway cluster for a program that is not a test
// binary (a load generator): the same server Main starts (temp dir, random
// port, durability off), its URL naming the postgres database, and the
// function that stops it and removes its files. Clusters whose program
// died without stopping them are reaped by the next start.
func StartServer() (url string, stop func(), err error) {
	return startServer(testSettings)
}

// StartBenchServer is StartServer for `make bench`: durability on (fsync,
// synchronous commit, full page writes, as a firm's server runs) and 512 MB
// of shared buffers, so a benchmark measures what a desk would wait for.
func StartBenchServer() (url string, stop func(), err error) {
	return startServer(benchSettings)
}

func startServer(settings string) (string, func(), error) {
	c, err := startCluster(settings)
	if err != nil {
		return "", nil, fmt.Errorf("start a throwaway Postgres server: %w", err)
	}
	return c.url, c.stop, nil
}
