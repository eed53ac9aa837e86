package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"depositdesk/core"
	"depositdesk/internal/sessionfile"
)

// loginCommand makes a session so the commands after it skip the
// password's argon2id (decision 46).
func (a *app) loginCommand() *cobra.Command {
	var ttl time.Duration
	c := &cobra.Command{
		Use:   "login --operator NAME [--ttl 8h]",
		Short: "Log in once: later commands on this database act as NAME without a password until the session ends",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := a.open(ctx); err != nil {
				return err
			}
			if a.operator == "" {
				return usageError{errors.New("--operator is required for login")}
			}
			pw, ok, err := a.suppliedPassword()
			if err != nil {
				return err
			}
			if !ok {
				// A session is made from a password only, never from
				// another session: a stolen one ends when it expires.
				return usageError{errors.New("no password: set DEPOSITDESK_PASSWORD or use --password-stdin")}
			}
			path, id, err := a.sessionPath(ctx)
			if err != nil {
				return err
			}
			old, _ := sessionfile.Read(path) // ended below, whatever state it is in
			op, sess, secret, err := a.svc.StartSession(ctx, a.operator, pw, ttl)
			if err != nil {
				return err
			}
			sf := &sessionfile.File{Database: id, Operator: op.Name, Secret: secret, ExpiresAt: sess.ExpiresAt}
			if err := sessionfile.Write(path, sf); err != nil {
				// A session no file holds is of no use to anyone: end it.
				_ = a.svc.EndSession(context.WithoutCancel(ctx), secret)
				return err
			}
			if old != nil && old.Secret != "" {
				// One session per database and user: the new one replaces it.
				if err := a.svc.EndSession(ctx, old.Secret); err != nil && core.ErrorCode(err) != core.ENOTFOUND {
					return err
				}
			}
			return a.print(map[string]string{"operator": op.Name, "expires_at": sess.ExpiresAt.Format(time.RFC3339), "session_file": path},
				func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "logged in as %s until %s (session %s in %s)\n", op.Name, sess.ExpiresAt.Format(time.RFC3339), sess.Fingerprint(), path)
					return err
				})
		},
	}
	c.Flags().DurationVar(&ttl, "ttl", core.DefaultSessionTTL, fmt.Sprintf("how long the session lasts (%v to %v)", core.MinSessionTTL, core.MaxSessionTTL))
	return c
}

// logoutCommand ends this database's session: revoked in the database,
// its file deleted.
func (a *app) logoutCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "logout",
		Short: "End this database's session (revoke it and delete its file)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := a.open(ctx); err != nil {
				return err
			}
			path, _, err := a.sessionPath(ctx)
			if err != nil {
				return err
			}
			sf, err := sessionfile.Read(path)
			var insecure *sessionfile.InsecureError
			switch {
			case errors.Is(err, fs.ErrNotExist):
				return a.print(map[string]any{"logged_out": false}, func(w io.Writer) error {
					_, err := fmt.Fprintln(w, "no session for this database")
					return err
				})
			case errors.As(err, &insecure) && !insecure.Exposed:
				return core.Errorf(core.EUNAUTHORIZED, "Session file %s was not used: %s. Look at it, and remove it yourself.", path, insecure.Reason)
			}
			revoked := false
			if sf != nil {
				err := a.svc.EndSession(ctx, sf.Secret)
				if err != nil && core.ErrorCode(err) != core.ENOTFOUND {
					return err
				}
				revoked = err == nil
			}
			if err := sessionfile.Remove(path); err != nil {
				return err
			}
			name := ""
			if sf != nil {
				name = sf.Operator
			}
			return a.print(map[string]any{"logged_out": true, "operator": name, "revoked": revoked}, func(w io.Writer) error {
				state := "revoked"
				if !revoked {
					state = "had ended already"
				}
				_, err := fmt.Fprintf(w, "logged out %s (session %s)\n", name, state)
				return err
			})
		},
	}
}

// sessionPath is this database's session file, and the database's identity.
func (a *app) sessionPath(ctx context.Context) (path, id string, err error) {
	if id, err = a.svc.DatabaseIdentity(ctx); err != nil {
		return "", "", err
	}
	dir, err := sessionfile.Dir()
	if err != nil {
		return "", "", err
	}
	return sessionfile.Path(dir, id), id, nil
}

// resumed is what this database's session file gave: the operator while
// the session holds; other, the session's operator when --operator names
// someone else (the file is left alone); or ended, why it no longer holds.
type resumed struct {
	op    *core.Operator
	other string
	ended error
}

// resumeSession reads this database's session file, if any, and asks the
// desk whether its session still holds. A file others could have read is
// taken as theirs too: its session is revoked and the file removed. A file
// of another user's, or in a folder others can write, is not used. A
// session that ended takes its file with it.
func (a *app) resumeSession(ctx context.Context) (resumed, error) {
	if _, err := sessionfile.Dir(); err != nil {
		return resumed{}, nil // no folder to keep sessions in (no home): there is none
	}
	path, id, err := a.sessionPath(ctx)
	if err != nil {
		return resumed{}, err
	}
	sf, err := sessionfile.Read(path)
	var insecure *sessionfile.InsecureError
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		return resumed{}, nil
	case errors.As(err, &insecure) && insecure.Exposed:
		if err := a.svc.EndSession(ctx, sf.Secret); err != nil && core.ErrorCode(err) != core.ENOTFOUND {
			return resumed{}, err
		}
		if err := sessionfile.Remove(path); err != nil {
			return resumed{}, err
		}
		return resumed{ended: core.ErrSessionEnded(insecure.Error() + "; the session was revoked and the file removed")}, nil
	case insecure != nil:
		return resumed{ended: core.ErrSessionEnded(insecure.Error() + "; it was not used")}, nil
	default:
		return resumed{ended: core.ErrSessionEnded(err.Error())}, nil
	}
	if sf.Database != id {
		return resumed{ended: a.dropSession(path, "the session file belongs to another database")}, nil
	}
	if a.operator != "" && !strings.EqualFold(a.operator, sf.Operator) {
		return resumed{other: sf.Operator}, nil
	}
	op, _, err := a.svc.ResumeSession(ctx, sf.Secret)
	if core.ErrorCode(err) == core.EUNAUTHORIZED {
		_ = sessionfile.Remove(path)
		return resumed{ended: err}, nil
	} else if err != nil {
		return resumed{}, err
	}
	if !strings.EqualFold(op.Name, sf.Operator) || (a.operator != "" && !strings.EqualFold(op.Name, a.operator)) {
		// The file was edited to name someone else; the desk's row says
		// whose session it is, and that is not who was asked for.
		return resumed{ended: a.dropSession(path, "the session file names another operator than its session")}, nil
	}
	return resumed{op: op}, nil
}

func (a *app) dropSession(path, reason string) error {
	if err := sessionfile.Remove(path); err != nil {
		a.log.Warn("remove session file", "err", err)
	}
	return core.ErrSessionEnded(reason)
}
