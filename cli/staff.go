package cli

import (
	"bufio"
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// withStore opens the configured store for a short command (through a running
// server's socket when it holds the embedded file) and runs f.
func (e *env) withStore(ctx context.Context, f func(st store.Store) error) error {
	return e.withConfigStore(ctx, func(_ *config.Config, _ *zap.Logger, st store.Store) error { return f(st) })
}

// withConfigStore is withStore for commands that also need the configuration
// and a logger.
func (e *env) withConfigStore(ctx context.Context, f func(cfg *config.Config, log *zap.Logger, st store.Store) error) error {
	cfg, err := e.load()
	if err != nil {
		return err
	}
	log := e.quietLogger(cfg)
	st, err := app.OpenStore(ctx, cfg, log, true)
	if err != nil {
		return err
	}
	defer st.Close()
	return f(cfg, log, st)
}

func (e *env) staffCmd() *cobra.Command {
	root := &cobra.Command{Use: "staff", Short: "manage staff accounts (API tokens, console passwords)"}
	var roles string
	add := &cobra.Command{
		Use:   "add NAME --roles editor,reviewer,principal,complaints,admin",
		Short: "create a staff member; prints the API token once, alone on the last line",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			rs, err := staff.ParseRoles(roles)
			if err != nil {
				return err
			}
			return e.withStore(cmd.Context(), func(st store.Store) error {
				m, token, err := staff.NewService(st, nil).Add(cmd.Context(), args[0], rs)
				if err != nil {
					return err
				}
				_ = audit.New(st, nil).Record(cmd.Context(), audit.Entry{Actor: "cli", Action: "staff.add", Target: m.Name, Detail: roles, RemoteAddr: "local"})
				fmt.Fprintf(e.stdout, "created %s (id %s) with roles %s\nAPI token (shown once; keep it safe):\n%s\n", m.Name, m.ID, roles, token)
				return nil
			})
		},
	}
	add.Flags().StringVar(&roles, "roles", "", "comma-separated roles: editor, reviewer, principal, complaints, admin")
	_ = add.MarkFlagRequired("roles")

	list := &cobra.Command{
		Use:   "list",
		Short: "list staff members",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withStore(cmd.Context(), func(st store.Store) error {
				ms, err := staff.NewService(st, nil).List(cmd.Context())
				if err != nil {
					return err
				}
				tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "ID\tNAME\tROLES\tSTATE")
				for _, m := range ms {
					state := "active"
					if m.Disabled {
						state = "disabled"
					}
					rs := make([]string, len(m.Roles))
					for i, r := range m.Roles {
						rs[i] = string(r)
					}
					fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", m.ID, m.Name, strings.Join(rs, ","), state)
				}
				return tw.Flush()
			})
		},
	}
	disable := &cobra.Command{
		Use:   "disable NAME",
		Short: "disable a staff member (their token and console session stop working at once)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withStore(cmd.Context(), func(st store.Store) error {
				m, err := staff.NewService(st, nil).Disable(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				_ = audit.New(st, nil).Record(cmd.Context(), audit.Entry{Actor: "cli", Action: "staff.disable", Target: m.Name, RemoteAddr: "local"})
				fmt.Fprintf(e.stdout, "disabled %s\n", m.Name)
				return nil
			})
		},
	}
	passwd := &cobra.Command{
		Use:   "passwd NAME",
		Short: "set a staff member's console password (read from standard input)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			fmt.Fprintf(e.stderr, "new password for %s (at least %d characters): ", args[0], staff.MinPasswordLen)
			sc := bufio.NewScanner(e.stdin)
			if !sc.Scan() {
				return fmt.Errorf("no password given")
			}
			pw := strings.TrimRight(sc.Text(), "\r\n")
			return e.withStore(cmd.Context(), func(st store.Store) error {
				if err := staff.NewService(st, nil).SetPassword(cmd.Context(), args[0], pw); err != nil {
					return err
				}
				_ = audit.New(st, nil).Record(cmd.Context(), audit.Entry{Actor: "cli", Action: "staff.passwd", Target: args[0], RemoteAddr: "local"})
				fmt.Fprintf(e.stdout, "password set for %s\n", args[0])
				return nil
			})
		},
	}
	root.AddCommand(add, list, disable, passwd)
	return root
}
