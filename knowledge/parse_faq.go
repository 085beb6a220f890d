package knowledge

import (
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// yamlLine finds the line number in a yaml.v3 syntax error.
var yamlLine = regexp.MustCompile(`line (\d+)`)

// parseFAQ parses faq.yaml: a list of {questions: [..], answer: ".."}. Each
// entry needs at least one question and an answer; problems name the entry's
// line. A single `question: ".."` is accepted too.
func parseFAQ(text string, ps *problems) []FAQEntry {
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		line := 0
		if m := yamlLine.FindStringSubmatch(msg); m != nil {
			line, _ = strconv.Atoi(m[1])
			msg = strings.TrimSpace(strings.TrimPrefix(msg, m[0]+":"))
		}
		ps.add(line, "not valid YAML: %s", msg)
		return nil
	}
	if len(doc.Content) == 0 {
		return nil // empty document
	}
	root := doc.Content[0]
	if root.Kind != yaml.SequenceNode {
		ps.add(root.Line, `expected a list of entries ("- questions: [...]\n  answer: ...")`)
		return nil
	}
	out := make([]FAQEntry, 0, len(root.Content))
	for _, item := range root.Content {
		if e, ok := faqEntry(item, ps); ok {
			out = append(out, e)
		}
	}
	return out
}

func faqEntry(item *yaml.Node, ps *problems) (FAQEntry, bool) {
	var e FAQEntry
	if item.Kind != yaml.MappingNode {
		ps.add(item.Line, "entry is not a mapping with questions and answer")
		return e, false
	}
	n := len(ps.list)
	for i := 0; i+1 < len(item.Content); i += 2 {
		key, val := item.Content[i], item.Content[i+1]
		switch strings.ToLower(key.Value) {
		case "questions", "question":
			switch val.Kind {
			case yaml.ScalarNode:
				e.Questions = append(e.Questions, val.Value)
			case yaml.SequenceNode:
				for _, q := range val.Content {
					if q.Kind != yaml.ScalarNode {
						ps.add(q.Line, "a question must be text")
						continue
					}
					e.Questions = append(e.Questions, q.Value)
				}
			default:
				ps.add(val.Line, "questions must be a list of text")
			}
		case "answer":
			if val.Kind != yaml.ScalarNode {
				ps.add(val.Line, "answer must be text")
				continue
			}
			e.Answer = strings.TrimSpace(val.Value)
		}
	}
	e.Questions = cleanList(e.Questions)
	if len(e.Questions) == 0 {
		ps.add(item.Line, "entry has no question")
	}
	if e.Answer == "" {
		ps.add(item.Line, "entry has no answer")
	}
	return e, len(ps.list) == n
}
