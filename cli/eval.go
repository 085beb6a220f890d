package cli

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
	"go.uber.org/zap"

	"github.com/hospital/wxbot/app"
)

func (e *env) evalCmd() *cobra.Command {
	var min float64
	var dialogs string
	c := &cobra.Command{
		Use:   "eval DIR",
		Short: "load DIR's data into a throwaway store, play DIR/dialogs.json through the real webhook, print accuracy by tag and every failing turn",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if dialogs == "" {
				dialogs = filepath.Join(args[0], "dialogs.json")
			}
			res, err := app.EvalDialogs(cmd.Context(), args[0], dialogs, zap.NewNop())
			if err != nil {
				return err
			}
			res.Report(e.stdout)
			if acc := res.Accuracy() * 100; acc < min {
				return fmt.Errorf("accuracy %.1f%% is below --min %.1f%%", acc, min)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dialogs, "dialogs", "", "the dialogues (default DIR/dialogs.json)")
	c.Flags().Float64Var(&min, "min", 0, "exit non-zero when the share of passing turns (percent) is below this")
	return c
}
