package cli

import (
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/wxapi"
)

func (e *env) unansweredCmd() *cobra.Command {
	var limit int
	c := &cobra.Command{
		Use:   "unanswered",
		Short: "list questions the bot could not answer, most frequent first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withStore(cmd.Context(), func(st store.Store) error {
				list, err := bot.ListUnanswered(cmd.Context(), st)
				if err != nil {
					return err
				}
				if len(list) == 0 {
					fmt.Fprintln(e.stdout, "no unanswered questions")
					return nil
				}
				tw := tabwriter.NewWriter(e.stdout, 2, 4, 2, ' ', 0)
				fmt.Fprintln(tw, "COUNT\tLAST SEEN\tQUESTION")
				for i, u := range list {
					if limit > 0 && i >= limit {
						break
					}
					fmt.Fprintf(tw, "%d\t%s\t%s\n", u.Count, u.LastSeen.Local().Format("2006-01-02 15:04"), u.Question)
				}
				return tw.Flush()
			})
		},
	}
	c.Flags().IntVar(&limit, "limit", 50, "show at most this many (0 = all)")
	return c
}

func (e *env) menuCmd() *cobra.Command {
	root := &cobra.Command{Use: "menu", Short: "the official account's custom menu"}
	push := &cobra.Command{
		Use:   "push",
		Short: "set the custom menu (config key menu, or the built-in default) through WeChat's API",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return e.withConfigStore(cmd.Context(), func(cfg *config.Config, log *zap.Logger, st store.Store) error {
				menu, err := app.MenuJSON(cfg.Menu)
				if err != nil {
					return err
				}
				var api wxapi.API
				where := "WeChat"
				if cfg.WeChat.Outbox {
					api, where = wxapi.NewOutbox(st, nil), "the demo outbox (no app_id configured)"
				} else {
					c, err := wxapi.NewClient(wxapi.ClientConfig{AppID: cfg.WeChat.AppID, AppSecret: cfg.WeChat.AppSecret,
						BaseURL: cfg.WeChat.APIBaseURL}, st, log)
					if err != nil {
						return err
					}
					api = c
				}
				if err := api.CreateMenu(cmd.Context(), menu); err != nil {
					return fmt.Errorf("menu push: %w", err)
				}
				fmt.Fprintf(e.stdout, "menu set through %s\n", where)
				return nil
			})
		},
	}
	root.AddCommand(push)
	return root
}

func (e *env) complaintsCmd() *cobra.Command {
	root := &cobra.Command{Use: "complaints", Short: "complaint figures"}
	var month string
	report := &cobra.Command{
		Use:   "report --month YYYY-MM",
		Short: "counts by department, category and status; share answered in time; median time to first feedback",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if month == "" {
				month = time.Now().Format("2006-01")
			}
			return e.withStore(cmd.Context(), func(st store.Store) error {
				r, err := complaints.New(st, complaints.Options{}).Report(cmd.Context(), month)
				if err != nil {
					return err
				}
				return r.WriteText(e.stdout)
			})
		},
	}
	report.Flags().StringVar(&month, "month", "", "the month, e.g. 2026-11 (default: this month)")
	root.AddCommand(report)
	return root
}
