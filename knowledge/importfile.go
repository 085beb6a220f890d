package knowledge

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// ImportFile validates and imports one file for the `import KIND FILE`
// command. processes takes a folder (its *.md files replace every process)
// or a single .md file (adds or replaces that process); every other kind
// takes its file, or a knowledge folder holding the file under its contract
// name (prices.csv ...). Errors read `import prices: line 5: price "abc" is
// not a number`; on error nothing changes.
func ImportFile(ctx context.Context, repo *Repo, kind Kind, path string) (ImportResult, error) {
	if _, err := ParseKind(string(kind)); err != nil {
		return ImportResult{Kind: kind}, fmt.Errorf("import: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return ImportResult{Kind: kind}, fmt.Errorf("import %s: %w", kind, err)
	}
	if kind == KindProcesses && info.IsDir() {
		procs, err := parseProcessFS(os.DirFS(path), ".")
		if err != nil {
			return ImportResult{Kind: kind}, fmt.Errorf("import %s: %w", kind, err)
		}
		if len(procs) == 0 {
			return ImportResult{Kind: kind}, fmt.Errorf("import %s: no process files (*.md) in %s", kind, path)
		}
		return repo.replaceKind(ctx, kind, &Data{Processes: procs})
	}
	if info.IsDir() {
		path = filepath.Join(path, FileNames[kind])
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return ImportResult{Kind: kind}, fmt.Errorf("import %s: %w", kind, err)
	}
	return repo.Import(ctx, kind, filepath.Base(path), raw)
}
