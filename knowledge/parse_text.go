package knowledge

import (
	"path"
	"regexp"
	"strings"
)

// stepLine matches a numbered step: "1. text", "1、text", "1．text", "1) text".
var stepLine = regexp.MustCompile(`^\s*(\d{1,3})\s*[.、．)）]\s*(.*)$`)

// keywordPrefixes are the accepted labels of a process's keywords line.
var keywordPrefixes = []string{"keywords", "keyword", "关键词", "关键字"}

// processID derives a process's id from its file name: the base name without
// extension.
func processID(name string) string {
	base := path.Base(strings.ReplaceAll(name, `\`, "/"))
	return strings.TrimSuffix(base, path.Ext(base))
}

// parseProcess parses one processes/*.md file: first line "# title", a
// "keywords: a, b" line, then the steps as a numbered list. Lines that follow
// a step without a number continue that step.
func parseProcess(name, text string, ps *problems) (Process, bool) {
	p := Process{ID: processID(name)}
	if p.ID == "" {
		ps.add(0, "file name is empty")
	}
	n := len(ps.list)
	lines := splitLines(text)
	titleSeen := false
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		lineNo := i + 1
		if !titleSeen {
			titleSeen = true
			if !strings.HasPrefix(line, "#") || strings.HasPrefix(line, "##") {
				ps.add(lineNo, `first line must be the title, "# title"`)
				continue
			}
			p.Title = strings.TrimSpace(strings.TrimLeft(line, "#"))
			if p.Title == "" {
				ps.add(lineNo, "title is empty")
			}
			continue
		}
		if kw, ok := keywordsLine(line); ok {
			p.Keywords = append(p.Keywords, splitList(kw, ",，、;；")...)
			continue
		}
		if m := stepLine.FindStringSubmatch(line); m != nil {
			if step := strings.TrimSpace(m[2]); step != "" {
				p.Steps = append(p.Steps, step)
			} else {
				ps.add(lineNo, "step %s is empty", m[1])
			}
			continue
		}
		if len(p.Steps) > 0 {
			// A continuation of the previous step (a wrapped line or a sub-item).
			p.Steps[len(p.Steps)-1] += "\n" + line
		}
		// Text between the title and the first step is a description: ignored.
	}
	if !titleSeen {
		ps.add(0, "the file is empty")
	} else if len(p.Steps) == 0 && len(ps.list) == n {
		ps.add(0, `no steps: list them as "1. ...", "2. ..."`)
	}
	return p, len(ps.list) == n
}

// keywordsLine reports whether line is a keywords line and returns its list.
func keywordsLine(line string) (string, bool) {
	lower := strings.ToLower(line)
	for _, prefix := range keywordPrefixes {
		if !strings.HasPrefix(lower, prefix) {
			continue
		}
		rest := strings.TrimSpace(line[len(prefix):])
		for _, colon := range []string{":", "："} {
			if after, ok := strings.CutPrefix(rest, colon); ok {
				return after, true
			}
		}
	}
	return "", false
}

// parseSynonyms parses synonyms.txt: one comma-separated group per line, at
// least two words; '#' comment lines and blank lines are skipped.
func parseSynonyms(text string, ps *problems) [][]string {
	var out [][]string
	for i, raw := range splitLines(text) {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		words := splitList(line, ",，、")
		if len(words) < 2 {
			ps.add(i+1, "a synonym group needs at least 2 words separated by commas, got %q", line)
			continue
		}
		out = append(out, words)
	}
	return out
}
