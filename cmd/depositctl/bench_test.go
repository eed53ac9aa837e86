package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCLICommand is what one depositctl command costs an operator's
// script, logged in by password (argon2id at the desk's cost, every
// command) and by the session of depositctl login (decision 46): in this
// process, and as a process of its own as a shell script starts it. Each
// op is one `asset list` on a SQLite desk; Script100 runs 100 of them per
// op, as the script does.
func BenchmarkCLICommand(b *testing.B) {
	db := filepath.Join(b.TempDir(), "desk.db")
	inProcess := func(b *testing.B, stdin string, args ...string) {
		b.Helper()
		var errb bytes.Buffer
		if code := run(context.Background(), append([]string{"--db", db}, args...), strings.NewReader(stdin), &bytes.Buffer{}, &errb); code != 0 {
			b.Fatalf("depositctl %v: exit %d: %s", args, code, errb.String())
		}
	}
	process := func(b *testing.B, stdin string, args ...string) {
		b.Helper()
		cmd := exec.Command(os.Args[0], append([]string{"--db", db}, args...)...)
		cmd.Env = append(os.Environ(), asDepositctl+"=1")
		cmd.Stdin = strings.NewReader(stdin)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("depositctl %v: %v: %s", args, err, out)
		}
	}
	inProcess(b, adminPW+"\n", "operator", "create", "--name", "admin", "--password-stdin", "--perm", "all")

	password := []string{"--operator", "admin", "--password-stdin", "asset", "list"}
	session := []string{"asset", "list"}
	for _, bc := range []struct {
		name     string
		exec     func(*testing.B, string, ...string)
		login    bool
		commands int
	}{
		{"InProcess/Password", inProcess, false, 1},
		{"InProcess/Session", inProcess, true, 1},
		{"Process/Password", process, false, 1},
		{"Process/Session", process, true, 1},
		{"Script100/Password", process, false, 100},
		{"Script100/Session", process, true, 100},
	} {
		b.Run(bc.name, func(b *testing.B) {
			args, stdin := password, adminPW+"\n"
			if bc.login {
				inProcess(b, adminPW+"\n", "--operator", "admin", "--password-stdin", "login")
				b.Cleanup(func() { inProcess(b, "", "logout") })
				args, stdin = session, ""
			}
			for b.Loop() {
				for range bc.commands {
					bc.exec(b, stdin, args...)
				}
			}
			ms := float64(b.Elapsed().Microseconds()) / 1000 / float64(b.N)
			b.ReportMetric(ms/float64(bc.commands), "ms/command")
			if bc.commands > 1 {
				b.ReportMetric(ms/1000, "s/script")
			}
		})
	}
}
