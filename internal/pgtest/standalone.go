package pgtest

import "fmt"

// StartServer starts a throwaway cluster for a program that is not a test
// binary (a load generator): the same server Main starts (temp dir, random
// port, durability off), its URL naming the postgres database, and the
// function that stops it and removes its files. Clusters whose program
// died without stopping them are reaped by the next start.
func StartServer() (url string, stop func(), err error) {
	c, err := startCluster()
	if err != nil {
		return "", nil, fmt.Errorf("start a throwaway Postgres server: %w", err)
	}
	return c.url, c.stop, nil
}
