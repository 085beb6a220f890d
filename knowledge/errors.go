package knowledge

import (
	"fmt"
	"sort"
	"strings"
)

// maxProblemsShown caps how many problems ValidationError.Error prints; the
// Problems slice always holds all of them.
const maxProblemsShown = 20

// Problem is one thing wrong in a data file.
type Problem struct {
	// File names the file for kinds made of several files (processes); empty
	// otherwise.
	File string `json:"file,omitempty"`
	// Line is the 1-based line number (a CSV header is line 1); 0 when the
	// problem concerns the whole file.
	Line int `json:"line,omitempty"`
	// Reason says what is wrong, e.g. `price "abc" is not a number`.
	Reason string `json:"reason"`
}

// String formats the problem as `line 5: price "abc" is not a number`, with
// the file name first when set.
func (p Problem) String() string {
	var b strings.Builder
	if p.File != "" {
		b.WriteString(p.File)
		if p.Line > 0 {
			b.WriteByte(' ')
		}
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d", p.Line)
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(p.Reason)
	return b.String()
}

// ValidationError is returned by Parse (and everything that imports) when a
// data file has bad rows. It lists every problem found, not only the first;
// nothing of a file with problems is applied.
type ValidationError struct {
	Kind     Kind
	Problems []Problem
}

// Error lists the problems separated by "; ", e.g.
// `line 5: price "abc" is not a number; line 9: expected 7 fields, got 6`.
// Callers add the kind: `import prices: line 5: ...`.
func (e *ValidationError) Error() string {
	parts := make([]string, 0, min(len(e.Problems), maxProblemsShown)+1)
	for i, p := range e.Problems {
		if i == maxProblemsShown {
			parts = append(parts, fmt.Sprintf("and %d more problems", len(e.Problems)-i))
			break
		}
		parts = append(parts, p.String())
	}
	if len(parts) == 0 {
		return fmt.Sprintf("%s: invalid data", e.Kind)
	}
	return strings.Join(parts, "; ")
}

// problems collects Problems while a file is parsed.
type problems struct {
	kind Kind
	file string
	list []Problem
}

func (ps *problems) add(line int, format string, args ...any) {
	ps.list = append(ps.list, Problem{File: ps.file, Line: line, Reason: fmt.Sprintf(format, args...)})
}

// err returns a *ValidationError when problems were found, else nil.
func (ps *problems) err() error {
	if len(ps.list) == 0 {
		return nil
	}
	sort.SliceStable(ps.list, func(i, j int) bool {
		a, b := ps.list[i], ps.list[j]
		if a.File != b.File {
			return a.File < b.File
		}
		return a.Line < b.Line
	})
	return &ValidationError{Kind: ps.kind, Problems: ps.list}
}
