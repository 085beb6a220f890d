package knowledge

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"sort"
	"strings"
)

// FileNames maps each kind (except processes, a folder of .md files) to its
// file name in a knowledge folder, as the contract names them.
var FileNames = map[Kind]string{
	KindPrices:      "prices.csv",
	KindDepartments: "departments.csv",
	KindSchedules:   "schedules.csv",
	KindFAQ:         "faq.yaml",
	KindSynonyms:    "synonyms.txt",
}

// ProcessesDir is the folder of a knowledge folder holding processes/*.md.
const ProcessesDir = "processes"

// ParseKind turns a kind's name ("prices", "faq" ...) into a Kind, or returns
// an error naming the valid kinds.
func ParseKind(s string) (Kind, error) {
	k := Kind(strings.ToLower(strings.TrimSpace(s)))
	for _, known := range Kinds {
		if k == known {
			return k, nil
		}
	}
	names := make([]string, len(Kinds))
	for i, known := range Kinds {
		names[i] = string(known)
	}
	return "", fmt.Errorf("unknown data kind %q (want one of %s)", s, strings.Join(names, ", "))
}

// Parse parses and validates one data file of kind and returns a Data with
// only that kind's slice filled. name is the file's name; it matters for
// processes (the process id is the name without extension) and is otherwise
// informational. The encoding (UTF-8 with or without BOM, or GB18030/GBK) is
// detected.
//
// A file with bad rows returns a *ValidationError listing every problem with
// its line number (a CSV header is line 1); a file without any row is an
// error too, so an empty upload never wipes a kind.
func Parse(kind Kind, name string, raw []byte) (*Data, error) {
	ps := &problems{kind: kind}
	if kind == KindProcesses && name != "" {
		ps.file = path.Base(strings.ReplaceAll(name, `\`, "/"))
	}
	text, err := decodeText(raw)
	if err != nil {
		ps.add(0, "%v", err)
		return nil, ps.err()
	}
	d := &Data{}
	var rows int
	switch kind {
	case KindPrices:
		d.Prices = parsePrices(text, ps)
		rows = len(d.Prices)
	case KindDepartments:
		d.Departments = parseDepartments(text, ps)
		rows = len(d.Departments)
	case KindSchedules:
		d.Schedules = parseSchedules(text, ps)
		rows = len(d.Schedules)
	case KindProcesses:
		if p, ok := parseProcess(name, text, ps); ok {
			d.Processes = []Process{p}
		}
		rows = len(d.Processes)
	case KindFAQ:
		d.FAQ = parseFAQ(text, ps)
		rows = len(d.FAQ)
	case KindSynonyms:
		d.Synonyms = parseSynonyms(text, ps)
		rows = len(d.Synonyms)
	default:
		_, err := ParseKind(string(kind))
		return nil, err
	}
	if len(ps.list) == 0 && rows == 0 {
		ps.add(0, "the file has no %s rows", kind)
	}
	if err := ps.err(); err != nil {
		return nil, err
	}
	return d, nil
}

// LoadDir reads a knowledge folder: prices.csv, departments.csv,
// schedules.csv, processes/*.md, faq.yaml and synonyms.txt. Every other file
// is ignored; a missing file leaves its kind empty. Any bad file makes the
// whole load fail (errors name the file and line), so a folder is applied
// whole or not at all.
func LoadDir(dir string) (*Data, error) {
	info, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("load knowledge dir: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("load knowledge dir: %s is not a folder", dir)
	}
	d, err := ParseFS(os.DirFS(dir))
	if err != nil {
		return nil, fmt.Errorf("load knowledge dir %s: %w", dir, err)
	}
	return d, nil
}

// ParseFS is LoadDir for a file system, e.g. an embed.FS (use fs.Sub to
// point it at the folder holding the files).
func ParseFS(fsys fs.FS) (*Data, error) {
	d := &Data{}
	var errs []error
	for _, kind := range Kinds {
		if kind == KindProcesses {
			procs, err := parseProcessFS(fsys, ProcessesDir)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %w", ProcessesDir, err))
			}
			d.Processes = procs
			continue
		}
		name := FileNames[kind]
		raw, err := fs.ReadFile(fsys, name)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		part, err := Parse(kind, name, raw)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", name, err))
			continue
		}
		mergeKind(d, kind, part)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return d, nil
}

// parseProcessFS parses every *.md file of folder dir in fsys (README.md and
// hidden files excepted), sorted by name. A missing folder gives no
// processes. Problems of all files are reported together in one
// *ValidationError whose problems name their files.
func parseProcessFS(fsys fs.FS, dir string) ([]Process, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var procs []Process
	all := &ValidationError{Kind: KindProcesses}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !isProcessFile(name) {
			continue
		}
		raw, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, err
		}
		part, err := Parse(KindProcesses, name, raw)
		var ve *ValidationError
		switch {
		case errors.As(err, &ve):
			all.Problems = append(all.Problems, ve.Problems...)
		case err != nil:
			return nil, fmt.Errorf("%s: %w", name, err)
		default:
			procs = append(procs, part.Processes...)
		}
	}
	if len(all.Problems) > 0 {
		return nil, all
	}
	return procs, nil
}

// isProcessFile reports whether a file in processes/ is a process: *.md,
// not hidden, not a README.
func isProcessFile(name string) bool {
	lower := strings.ToLower(name)
	return strings.HasSuffix(lower, ".md") && !strings.HasPrefix(name, ".") && lower != "readme.md"
}

// mergeKind copies kind's slice from src into dst.
func mergeKind(dst *Data, kind Kind, src *Data) {
	switch kind {
	case KindPrices:
		dst.Prices = src.Prices
	case KindDepartments:
		dst.Departments = src.Departments
	case KindSchedules:
		dst.Schedules = src.Schedules
	case KindProcesses:
		dst.Processes = src.Processes
	case KindFAQ:
		dst.FAQ = src.FAQ
	case KindSynonyms:
		dst.Synonyms = src.Synonyms
	}
}
