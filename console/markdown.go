package console

import (
	"html"
	"html/template"
	"regexp"
	"strings"
)

// renderMarkdown renders the small Markdown subset notices use — headings,
// paragraphs, bulleted and numbered lists, **bold**, `code` and
// [links](https://...) — as HTML. Every piece of text is escaped first, and
// only http(s) links become anchors, so a notice body cannot inject markup.
func renderMarkdown(src string) template.HTML {
	var b strings.Builder
	lines := strings.Split(strings.ReplaceAll(src, "\r\n", "\n"), "\n")
	var para []string
	list := "" // "ul", "ol" or ""
	flushPara := func() {
		if len(para) > 0 {
			b.WriteString("<p>" + strings.Join(para, "<br>") + "</p>\n")
			para = nil
		}
	}
	closeList := func() {
		if list != "" {
			b.WriteString("</" + list + ">\n")
			list = ""
		}
	}
	openList := func(kind string) {
		if list != kind {
			closeList()
			b.WriteString("<" + kind + ">\n")
			list = kind
		}
	}
	for _, line := range lines {
		t := strings.TrimSpace(line)
		switch {
		case t == "":
			flushPara()
			closeList()
		case strings.HasPrefix(t, "#"):
			level := len(t) - len(strings.TrimLeft(t, "#"))
			if level > 6 || len(t) == level || t[level] != ' ' {
				para = append(para, inline(t))
				continue
			}
			flushPara()
			closeList()
			if level < 3 {
				level = 3 // the page has its own h1/h2
			}
			tag := "h" + string(rune('0'+level))
			b.WriteString("<" + tag + ">" + inline(strings.TrimSpace(t[level:])) + "</" + tag + ">\n")
		case bullet.MatchString(t):
			flushPara()
			openList("ul")
			b.WriteString("<li>" + inline(bullet.ReplaceAllString(t, "")) + "</li>\n")
		case numbered.MatchString(t):
			flushPara()
			openList("ol")
			b.WriteString("<li>" + inline(numbered.ReplaceAllString(t, "")) + "</li>\n")
		default:
			closeList()
			para = append(para, inline(t))
		}
	}
	flushPara()
	closeList()
	return template.HTML(b.String()) //nolint:gosec // built from escaped text only
}

var (
	bullet   = regexp.MustCompile(`^[-*+]\s+`)
	numbered = regexp.MustCompile(`^\d{1,3}[.、)]\s*`)
	bold     = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	code     = regexp.MustCompile("`([^`]+)`")
	link     = regexp.MustCompile(`\[([^\]]+)\]\((https?://[^\s)"'<>]+)\)`)
)

// inline escapes s and renders bold, code and links.
func inline(s string) string {
	s = html.EscapeString(s)
	s = link.ReplaceAllString(s, `<a href="$2" rel="noopener noreferrer">$1</a>`)
	s = bold.ReplaceAllString(s, "<strong>$1</strong>")
	s = code.ReplaceAllString(s, "<code>$1</code>")
	return s
}
