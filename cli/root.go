// Package cli holds wxbot's commands (cobra). Each command loads the
// configuration the same way: defaults < --config file < WXBOT_* environment.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/sirupsen/logrus"
	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/config"
	"github.com/hospital/wxbot/logging"
)

// Version and Commit are set at build time with
// -ldflags "-X github.com/hospital/wxbot/cli.Version=1.2.0 -X github.com/hospital/wxbot/cli.Commit=abc".
var (
	Version = "dev"
	Commit  = ""
)

type env struct {
	configPath string
	stdin      io.Reader
	stdout     io.Writer
	stderr     io.Writer
}

// Main runs wxbot with args and returns the exit code.
func Main(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	// The SDK logs through logrus (a raw message at debug level); nothing of it
	// is wanted: the service logs with zap.
	logrus.SetOutput(io.Discard)
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	root := &cobra.Command{
		Use:           "wxbot",
		Short:         "A hospital's WeChat official-account service for 院务公开",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.PersistentFlags().StringVar(&e.configPath, "config", os.Getenv("WXBOT_CONFIG"), "config file (YAML); WXBOT_* variables override it")
	root.AddCommand(e.serveCmd(), e.chatCmd(), e.importCmd(), e.staffCmd(), e.evalCmd(), e.unansweredCmd(),
		e.menuCmd(), e.complaintsCmd(), e.versionCmd())
	root.SetArgs(args)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := root.ExecuteContext(ctx); err != nil {
		fmt.Fprintln(stderr, "wxbot:", err)
		var ve *config.ValidationError
		if errors.As(err, &ve) {
			return 2
		}
		return 1
	}
	return 0
}

// load reads and validates the configuration.
func (e *env) load() (*config.Config, error) {
	cfg, err := config.Load(e.configPath)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return cfg, nil
}

// logger builds the configured logger on stderr.
func (e *env) logger(cfg *config.Config) (*zap.Logger, error) {
	return logging.New(cfg.Log.Level, cfg.Log.Format, e.stderr)
}

// quietLogger is for short commands: warnings and errors only.
func (e *env) quietLogger(cfg *config.Config) *zap.Logger {
	l, err := logging.New("warn", "console", e.stderr)
	if err != nil {
		return zap.NewNop()
	}
	return l
}

func (e *env) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "print the version and commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			commit := Commit
			if commit == "" {
				if bi, ok := debug.ReadBuildInfo(); ok {
					for _, s := range bi.Settings {
						if s.Key == "vcs.revision" {
							commit = s.Value
						}
					}
				}
			}
			if commit == "" {
				commit = "unknown"
			}
			fmt.Fprintf(e.stdout, "wxbot %s (commit %s)\n", Version, commit)
			return nil
		},
	}
}
