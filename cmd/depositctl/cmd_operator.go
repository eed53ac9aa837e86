package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"depositdesk/core"
)

func (a *app) migrateCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "migrate",
		Short: "Create or upgrade the database schema",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(cmd.Context()); err != nil {
				return err
			}
			return a.print(map[string]string{"database": "up to date"}, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, "database is up to date")
				return err
			})
		},
	}
}

func (a *app) operatorCommand() *cobra.Command {
	cmd := &cobra.Command{Use: "operator", Short: "Manage operators"}
	var name string
	var perms []string
	create := &cobra.Command{
		Use:   "create --name N --password-stdin --perm P [--perm P…]",
		Short: "Create an operator (on an empty database: the first administrator, --perm all)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if err := a.open(ctx); err != nil {
				return err
			}
			ps, err := parsePerms(perms)
			if err != nil {
				return err
			}
			boot, err := a.svc.NeedsBootstrap(ctx)
			if err != nil {
				return err
			}
			if boot {
				if len(ps) != len(core.AllPermissions()) {
					return core.Errorf(core.EINVALID, "The first operator is the administrator: use --perm all.")
				}
				pw, err := a.newPassword()
				if err != nil {
					return err
				}
				op, err := a.svc.Bootstrap(ctx, name, pw)
				if err != nil {
					return err
				}
				return a.print(toOperatorJSON(op), func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "created administrator %s\n", op.Name)
					return err
				})
			}
			if ctx, err = a.login(ctx); err != nil {
				return err
			}
			pw, err := a.newPassword()
			if err != nil {
				return err
			}
			op, err := a.svc.CreateOperator(ctx, name, pw, ps)
			if err != nil {
				return err
			}
			return a.print(toOperatorJSON(op), func(w io.Writer) error {
				_, err := fmt.Fprintf(w, "created operator %s (%s)\n", op.Name, permText(op.Permissions))
				return err
			})
		},
	}
	create.Flags().StringVar(&name, "name", "", "login name of the new operator")
	create.Flags().StringSliceVar(&perms, "perm", nil, "permission (repeat or comma-separate; 'all' for every one)")
	_ = create.MarkFlagRequired("name")

	list := &cobra.Command{
		Use: "list", Short: "List operators", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			ops, err := a.svc.ListOperators(ctx)
			if err != nil {
				return err
			}
			out := []operatorJSON{}
			var rows [][]string
			for _, op := range ops {
				out = append(out, toOperatorJSON(op))
				rows = append(rows, []string{op.Name, map[bool]string{true: "disabled", false: "active"}[op.Disabled], permText(op.Permissions)})
			}
			return a.print(out, func(w io.Writer) error { return table(w, "NAME\tSTATE\tPERMISSIONS", rows) })
		},
	}
	var remarks string
	toggle := func(use string, disabled bool) *cobra.Command {
		c := &cobra.Command{
			Use: use + " NAME --remarks TEXT", Short: strings.ToUpper(use[:1]) + use[1:] + " an operator", Args: cobra.ExactArgs(1),
			RunE: func(cmd *cobra.Command, args []string) error {
				ctx, err := a.login(cmd.Context())
				if err != nil {
					return err
				}
				op, err := a.svc.SetOperatorDisabled(ctx, args[0], disabled, remarks)
				if err != nil {
					return err
				}
				return a.print(toOperatorJSON(op), func(w io.Writer) error {
					_, err := fmt.Fprintf(w, "%sd operator %s\n", use, op.Name)
					return err
				})
			},
		}
		c.Flags().StringVar(&remarks, "remarks", "", "why (required)")
		return c
	}
	passwd := &cobra.Command{
		Use: "passwd", Short: "Change your own password (current via --operator login, new on the next stdin line)", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, err := a.login(cmd.Context())
			if err != nil {
				return err
			}
			current, err := a.password()
			if err != nil {
				return err
			}
			next, err := a.readLine("new password")
			if err != nil {
				return err
			}
			if err := a.svc.ChangePassword(ctx, current, next); err != nil {
				return err
			}
			return a.print(map[string]string{"password": "changed"}, func(w io.Writer) error {
				_, err := fmt.Fprintln(w, "password changed")
				return err
			})
		},
	}
	cmd.AddCommand(create, list, toggle("disable", true), toggle("enable", false), passwd, a.operatorKeysCommand())
	return cmd
}

// newPassword reads the new operator's password: the next line of stdin
// (after the acting operator's, when that came from stdin too), or
// DEPOSITDESK_NEW_PASSWORD.
func (a *app) newPassword() (string, error) {
	if pw := os.Getenv("DEPOSITDESK_NEW_PASSWORD"); pw != "" {
		return pw, nil
	}
	if !a.passwordStdin {
		return "", usageError{errors.New("give the new password with --password-stdin or DEPOSITDESK_NEW_PASSWORD")}
	}
	return a.readLine("new password")
}

func parsePerms(in []string) ([]core.Permission, error) {
	var out []core.Permission
	for _, p := range in {
		if strings.EqualFold(strings.TrimSpace(p), "all") {
			return core.AllPermissions(), nil
		}
		q, err := core.ParsePermission(p)
		if err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	if len(out) == 0 {
		return nil, usageError{errors.New("at least one --perm is required")}
	}
	return out, nil
}

func permText(ps []core.Permission) string {
	ss := make([]string, len(ps))
	for i, p := range ps {
		ss[i] = string(p)
	}
	return strings.Join(ss, ", ")
}

// operatorJSON is the stable JSON shape of an operator (never the hash).
type operatorJSON struct {
	Name        string   `json:"name"`
	Disabled    bool     `json:"disabled"`
	Permissions []string `json:"permissions"`
}

func toOperatorJSON(op *core.Operator) operatorJSON {
	out := operatorJSON{Name: op.Name, Disabled: op.Disabled, Permissions: []string{}}
	for _, p := range op.Permissions {
		out.Permissions = append(out.Permissions, string(p))
	}
	return out
}
