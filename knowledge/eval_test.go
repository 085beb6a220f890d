package knowledge

import (
	"os"
	"path/filepath"
	"testing"
)

// evalDir finds the evaluation data folder: env WXBOT_EVAL_DIR, else the
// first folder up from the working directory holding shared/eval/dialogs.json.
// It skips the test when there is none.
func evalDir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv("WXBOT_EVAL_DIR"); dir != "" {
		for _, cand := range []string{dir, filepath.Join(dir, "shared", "eval")} {
			if _, err := os.Stat(filepath.Join(cand, "dialogs.json")); err == nil {
				return cand
			}
		}
		t.Skipf("WXBOT_EVAL_DIR=%s holds no dialogs.json; skipping the evaluation-data test", dir)
	}
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "eval")
		if _, err := os.Stat(filepath.Join(cand, "dialogs.json")); err == nil {
			return cand
		}
		if filepath.Dir(dir) == dir {
			break
		}
	}
	t.Skip("evaluation data not found: no shared/eval/dialogs.json above the working directory; set WXBOT_EVAL_DIR to run this test")
	return ""
}

func readEval(t testing.TB, name string) []byte {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(evalDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
