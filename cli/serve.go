package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
	"github.com/hospital/wxbot/chat"
	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/wxsim"
)

func (e *env) serveCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "serve",
		Short: "run the service (without a config: the demo on :8080, embedded store, outbox)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := e.load()
			if err != nil {
				return err
			}
			log, err := e.logger(cfg)
			if err != nil {
				return err
			}
			defer log.Sync()
			a, err := app.New(cmd.Context(), app.Options{Config: cfg, Log: log})
			if err != nil {
				return err
			}
			defer a.Close()
			return a.Serve(cmd.Context(), func(addr string) {
				if cfg.Demo() {
					fmt.Fprintf(e.stderr, "\nDemo hospital %q ready on %s. In another terminal: go run . chat\n\n",
						a.Knowledge.Current().Hospital, addr)
				}
			})
		},
	}
}

func (e *env) chatCmd() *cobra.Command {
	var url, user string
	c := &cobra.Command{
		Use:   "chat",
		Short: "a terminal WeChat client: each line is sent to the webhook as WeChat would send it",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := e.load()
			if err != nil {
				return err
			}
			if url == "" {
				addr := cfg.Server.Addr
				if strings.HasPrefix(addr, ":") {
					addr = "127.0.0.1" + addr
				}
				url = "http://" + addr + "/wechat"
			}
			acct := wxsim.Account{Token: cfg.WeChat.Token, AppID: cfg.WeChat.AppID, OriginalID: "gh_wxbot_demo"}
			if cfg.WeChat.EncodingAESKey != "" {
				acct.EncodingAESKey = cfg.WeChat.EncodingAESKey
				acct.Mode = wxsim.Safe
			}
			prompt := ""
			if fi, err := os.Stdin.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 && e.stdin == os.Stdin {
				prompt = "> "
			}
			return chat.Run(cmd.Context(), chat.Options{URL: url, User: user, Account: acct, In: e.stdin, Out: e.stdout, Prompt: prompt})
		},
	}
	c.Flags().StringVar(&url, "url", "", "webhook URL (default http://127.0.0.1<server.addr>/wechat)")
	c.Flags().StringVar(&user, "user", "demo-patient", "the patient's OpenID (two terminals with two --user values are two patients)")
	return c
}

func (e *env) importCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "import prices|departments|schedules|processes|faq|synonyms FILE",
		Short: "validate a data file and load it as a new version (nothing is applied if any row is bad)",
		Args:  cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			kind, err := knowledge.ParseKind(args[0])
			if err != nil {
				return err
			}
			return e.withConfigStore(cmd.Context(), func(_ *config.Config, log *zap.Logger, st store.Store) error {
				repo := knowledge.NewRepo(st, log, nil)
				if err := repo.Load(cmd.Context()); err != nil {
					return fmt.Errorf("read current data: %w", err)
				}
				res, err := knowledge.ImportFile(cmd.Context(), repo, kind, args[1])
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "imported %s: %d rows (added %d, changed %d, removed %d); now serving version %d\n",
					res.Kind, res.Rows, res.Added, res.Changed, res.Removed, res.Version)
				return nil
			})
		},
	}
}
