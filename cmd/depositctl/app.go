package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/internal/nodes"
	"depositdesk/internal/wire"
	"depositdesk/storage"
	"depositdesk/storage/sqlite"
)

// app holds what every command shares: flags, streams and, once opened,
// the store and service.
type app struct {
	dsn           string
	operator      string
	passwordStdin bool
	asJSON        bool   // --json: every command prints JSON instead of text
	argsValid     bool   // cobra accepted the command line; errors from here on are the command's
	pw            string // the acting operator's password, once read

	stdin          io.Reader
	stdout, stderr io.Writer
	log            *slog.Logger

	store     storage.Store
	svc       *core.Service
	storeOpts sqlite.Options // how a SQLite file is opened: mapped, but not by serve

	checkpointsFlag string      // --checkpoints
	nodesFile       string      // --nodes
	nodes           *nodes.File // read when a command first needs a node
}

// Exit statuses, one per core error code (docs/cli.md).
const (
	exitOK           = 0
	exitInternal     = 1
	exitUsage        = 2
	exitInvalid      = 3
	exitNotFound     = 4
	exitConflict     = 5
	exitUnauthorized = 6
	exitForbidden    = 7
)

// usageError marks a mistake in flags or arguments.
type usageError struct{ error }

// run is the whole CLI, callable in-process by tests.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := &app{stdin: stdin, stdout: stdout, stderr: stderr, storeOpts: sqlite.Options{Mapped: true}, log: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.ExecuteContext(ctx)
	if a.store != nil {
		a.store.Close()
	}
	return a.exit(err)
}

// exit is the one place core error codes become exit statuses and messages.
func (a *app) exit(err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if !a.argsValid && !errors.As(err, new(*core.Error)) {
		ue = usageError{err} // wrong argument count, unknown command
	}
	if ue.error != nil || errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "error: %v\n", ue.error)
		return exitUsage
	}
	code := core.ErrorCode(err)
	if code == core.EINTERNAL {
		id := make([]byte, 4)
		_, _ = rand.Read(id)
		ref := hex.EncodeToString(id)
		a.log.Error("internal error", "id", ref, "err", err)
		fmt.Fprintf(a.stderr, "error: internal error (id %s)\n", ref)
		return exitInternal
	}
	fmt.Fprintf(a.stderr, "error: %s\n", core.ErrorMessage(err))
	return map[string]int{core.EINVALID: exitInvalid, core.ENOTFOUND: exitNotFound, core.ECONFLICT: exitConflict,
		core.EUNAUTHORIZED: exitUnauthorized, core.EFORBIDDEN: exitForbidden}[code]
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "depositctl",
		Short:         "Deposit Desk without a GUI: migrations, operators, records, audit",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	// Cobra checks arguments before this hook and required flags after it,
	// with plain errors; both are mistakes in the command line (exit 2).
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		a.argsValid = true
		if err := cmd.ValidateRequiredFlags(); err != nil {
			return usageError{err}
		}
		return nil
	}
	pf := root.PersistentFlags()
	pf.StringVar(&a.dsn, "db", "", "SQLite file or postgres:// URL (env DEPOSITDESK_DB; default "+storage.DefaultPath()+")")
	pf.StringVar(&a.operator, "operator", "", "act as this operator (password from env DEPOSITDESK_PASSWORD or --password-stdin, or the session of depositctl login)")
	pf.BoolVar(&a.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	pf.StringVar(&a.checkpointsFlag, "checkpoints", "", "audit checkpoint folder (env DEPOSITDESK_CHECKPOINTS; default checkpoints/ beside the database)")
	pf.StringVar(&a.nodesFile, "nodes", "", "node configuration (env DEPOSITDESK_NODES; default nodes.toml beside the database)")
	pf.BoolVar(&a.asJSON, "json", false, "print JSON instead of text")
	root.AddCommand(a.migrateCommand(), a.operatorCommand(), a.seedCommand(), a.searchCommand(), a.showCommand(),
		a.cancelCommand(), a.deleteCommand(), a.auditCommand(), a.serveCommand(), a.openAPICommand(), a.clientCommand(),
		a.assetCommand(), a.customerCommand(), a.addressCommand(), a.watchCommand(), a.nodesCommand(), a.firmCommand(), a.refundCommand(), a.keyCommand(),
		a.releaseCommand(), a.rejectCommand(), a.signCommand(), a.stationCommand(), a.loginCommand(), a.logoutCommand())
	return root
}

// open opens the store and service once.
func (a *app) open(ctx context.Context) error {
	if a.svc != nil {
		return nil
	}
	st, err := storage.OpenWith(ctx, a.database(), a.storeOpts)
	if err != nil {
		return err
	}
	a.store, a.svc = st, wire.NewService(st)
	a.nodes = nodes.NewFile(a.nodesPath(), nodes.OpenAdapter)
	a.svc.Nodes = a.nodes
	return nil
}

// login opens the store and returns a context carrying the acting
// operator: the one of this database's session file (depositctl login)
// while that session holds and names --operator when given, else the one
// named by --operator, authenticated with their password. A session that
// ended is refused with its reason, or, when a password is given, noted
// and replaced by a password login.
func (a *app) login(ctx context.Context) (context.Context, error) {
	if err := a.open(ctx); err != nil {
		return nil, err
	}
	// A password on stdin is read first, whatever is used: the lines after
	// it belong to the command.
	pw, havePW, err := a.suppliedPassword()
	if err != nil {
		return nil, err
	}
	sess, err := a.resumeSession(ctx)
	if err != nil {
		return nil, err
	}
	if sess.op != nil {
		return core.NewContextWithOperator(ctx, sess.op), nil
	}
	ended, other := sess.ended, sess.other
	if a.operator == "" {
		if ended != nil {
			return nil, ended
		}
		return nil, usageError{errors.New("--operator is required for this command (or log in first: depositctl login --operator NAME)")}
	}
	if !havePW {
		if ended != nil {
			return nil, ended
		}
		if other != "" {
			return nil, usageError{fmt.Errorf("no password for %s (this database's session is %s's): set DEPOSITDESK_PASSWORD or use --password-stdin", a.operator, other)}
		}
		return nil, usageError{errors.New("no password: set DEPOSITDESK_PASSWORD, use --password-stdin, or log in first with depositctl login")}
	}
	if ended != nil {
		fmt.Fprintf(a.stderr, "note: %s Logging in with the password.\n", core.ErrorMessage(ended))
	}
	op, err := a.svc.Login(ctx, a.operator, pw)
	if err != nil {
		return nil, err
	}
	return core.NewContextWithOperator(ctx, op), nil
}

// password reads the operator password from stdin (--password-stdin) or
// DEPOSITDESK_PASSWORD. Lines after the first stay available to commands.
func (a *app) password() (string, error) {
	pw, ok, err := a.suppliedPassword()
	if err == nil && !ok {
		err = usageError{errors.New("no password: set DEPOSITDESK_PASSWORD or use --password-stdin")}
	}
	return pw, err
}

// suppliedPassword is the password when one is given (ok), reading it
// from stdin once.
func (a *app) suppliedPassword() (pw string, ok bool, err error) {
	if a.pw != "" {
		return a.pw, true, nil
	}
	if pw := os.Getenv("DEPOSITDESK_PASSWORD"); pw != "" && !a.passwordStdin {
		a.pw = pw
		return pw, true, nil
	}
	if !a.passwordStdin {
		return "", false, nil
	}
	pw, err = a.readLine("password")
	a.pw = pw
	return pw, err == nil, err
}

// print writes v as one JSON document with --json, and the text otherwise.
func (a *app) print(v any, text func(w io.Writer) error) error {
	if a.asJSON {
		enc := json.NewEncoder(a.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	return text(a.stdout)
}

// table writes rows under a header, aligned.
func table(w io.Writer, header string, rows [][]string) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, header)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func (a *app) readLine(what string) (string, error) {
	if a.stdin == nil {
		return "", usageError{fmt.Errorf("no %s on standard input", what)}
	}
	br, ok := a.stdin.(*bufio.Reader)
	if !ok {
		br = bufio.NewReader(a.stdin)
		a.stdin = br
	}
	line, err := br.ReadString('\n')
	line = strings.TrimRight(line, "\r\n")
	if line == "" && err != nil {
		return "", usageError{fmt.Errorf("no %s on standard input", what)}
	}
	return line, nil
}

// database is the database the command works on: --db, else
// $DEPOSITDESK_DB, else the default file.
func (a *app) database() string {
	if a.dsn != "" {
		return a.dsn
	}
	if dsn := os.Getenv("DEPOSITDESK_DB"); dsn != "" {
		return dsn
	}
	return storage.DefaultPath()
}

// nodesPath is where the node configuration is read from: --nodes, else
// $DEPOSITDESK_NODES, else beside the database, however it was named.
func (a *app) nodesPath() string {
	return nodes.ResolvePath(a.nodesFile, a.database(), storage.DefaultPath())
}
