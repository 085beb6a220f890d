package knowledge

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// csvTable is a CSV file read against a header: columns are found by name, so
// extra or reordered columns work.
type csvTable struct {
	cols map[string]int // column name (lower case) -> index
	n    int            // fields per row, from the header
}

// csvRow is one data row with its line number.
type csvRow struct {
	line   int
	fields []string
	t      *csvTable
}

// get returns the trimmed value of column name ("" when the column is absent).
func (r csvRow) get(name string) string {
	i, ok := r.t.cols[name]
	if !ok || i >= len(r.fields) {
		return ""
	}
	return strings.TrimSpace(r.fields[i])
}

// readCSV parses text as CSV with a header row holding at least the required
// columns (optional ones may be absent). Every row whose field count differs
// from the header's is reported on ps and skipped; the good rows are
// returned for per-row validation.
func readCSV(text string, ps *problems, required []string) (*csvTable, []csvRow) {
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1 // checked per row below, so every bad row is reported
	r.ReuseRecord = false

	var t *csvTable
	var rows []csvRow
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				ps.add(pe.Line, "%s", csvReason(pe.Err))
				if len(ps.list) > 1000 {
					return t, nil
				}
				continue
			}
			ps.add(0, "%v", err)
			return t, nil
		}
		line, _ := r.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		if t == nil {
			t = newCSVTable(rec, line, ps, required)
			if t == nil {
				return nil, nil
			}
			continue
		}
		if len(rec) != t.n {
			ps.add(line, "expected %d fields, got %d", t.n, len(rec))
			continue
		}
		rows = append(rows, csvRow{line: line, fields: rec, t: t})
	}
	if t == nil && len(ps.list) == 0 {
		ps.add(0, "the file is empty: a header row (%s) is required", strings.Join(required, ","))
	}
	return t, rows
}

// newCSVTable checks the header row; it returns nil (with problems added) when
// a required column is missing or a column repeats.
func newCSVTable(header []string, line int, ps *problems, required []string) *csvTable {
	t := &csvTable{cols: make(map[string]int, len(header)), n: len(header)}
	ok := true
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if name == "" {
			continue
		}
		if _, dup := t.cols[name]; dup {
			ps.add(line, "header names column %q twice", name)
			ok = false
			continue
		}
		t.cols[name] = i
	}
	for _, name := range required {
		if _, has := t.cols[name]; !has {
			ps.add(line, "header lacks required column %q (expected %s)", name, strings.Join(required, ","))
			ok = false
		}
	}
	if !ok {
		return nil
	}
	return t
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

func csvReason(err error) string {
	switch {
	case errors.Is(err, csv.ErrBareQuote):
		return `a quote (") appears inside a field that is not quoted`
	case errors.Is(err, csv.ErrQuote):
		return `a quoted field is not closed or has text after its closing quote`
	}
	return err.Error()
}

// insuranceClasses maps accepted spellings to the stored class.
var insuranceClasses = map[string]string{
	"甲": "甲", "乙": "乙", "丙": "丙", "自费": "自费",
	"甲类": "甲", "乙类": "乙", "丙类": "丙", "全自费": "自费",
}

func parsePrices(text string, ps *problems) []PriceItem {
	_, rows := readCSV(text, ps, []string{"code", "name", "category", "unit", "price", "insurance"})
	items := make([]PriceItem, 0, len(rows))
	firstLine := make(map[string]int, len(rows))
	for _, row := range rows {
		n := len(ps.list)
		it := PriceItem{
			Code:     row.get("code"),
			Name:     row.get("name"),
			Category: row.get("category"),
			Unit:     row.get("unit"),
			Note:     row.get("note"),
		}
		if it.Code == "" {
			ps.add(row.line, "code is empty")
		} else if first, dup := firstLine[it.Code]; dup {
			ps.add(row.line, "duplicate code %q (first on line %d)", it.Code, first)
		} else {
			firstLine[it.Code] = row.line
		}
		if it.Name == "" {
			ps.add(row.line, "name is empty")
		}
		cents, reason := parseYuan(row.get("price"))
		if reason != "" {
			ps.add(row.line, "%s", reason)
		}
		it.Cents = cents
		ins := row.get("insurance")
		if ins != "" {
			class, ok := insuranceClasses[ins]
			if !ok {
				ps.add(row.line, "insurance %q is not one of 甲 乙 丙 自费", ins)
			}
			it.Insurance = class
		}
		if len(ps.list) == n {
			items = append(items, it)
		}
	}
	return items
}

// maxYuanDigits bounds the integer part of a price so cents never overflow.
const maxYuanDigits = 12

// parseYuan parses a price in yuan ("150", "150.5", "150.00") into fen. It
// returns a reason when the text is not a non-negative decimal with at most two
// decimals.
func parseYuan(s string) (int64, string) {
	if s == "" {
		return 0, "price is empty"
	}
	if strings.HasPrefix(s, "-") {
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return 0, fmt.Sprintf("price %q is negative", s)
		}
	}
	whole, frac, hasDot := strings.Cut(s, ".")
	if whole == "" && hasDot {
		whole = "0"
	}
	if !allDigits(whole) || !allDigits(frac) || (hasDot && frac == "") {
		return 0, fmt.Sprintf("price %q is not a number", s)
	}
	if len(frac) > 2 {
		return 0, fmt.Sprintf("price %q has more than 2 decimals", s)
	}
	if len(strings.TrimLeft(whole, "0")) > maxYuanDigits {
		return 0, fmt.Sprintf("price %q is too large", s)
	}
	y, _ := strconv.ParseInt(whole, 10, 64)
	for len(frac) < 2 {
		frac += "0"
	}
	f, _ := strconv.ParseInt(frac, 10, 64)
	return y*100 + f, ""
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseDepartments(text string, ps *problems) []Department {
	_, rows := readCSV(text, ps, []string{"name", "aliases", "location", "phone"})
	out := make([]Department, 0, len(rows))
	firstLine := make(map[string]int, len(rows))
	for _, row := range rows {
		d := Department{
			Name:     row.get("name"),
			Aliases:  splitList(row.get("aliases"), "|｜"),
			Location: row.get("location"),
			Phone:    row.get("phone"),
			Intro:    row.get("intro"),
		}
		if d.Name == "" {
			ps.add(row.line, "name is empty")
			continue
		}
		if first, dup := firstLine[d.Name]; dup {
			ps.add(row.line, "duplicate department %q (first on line %d)", d.Name, first)
			continue
		}
		firstLine[d.Name] = row.line
		out = append(out, d)
	}
	return out
}

// splitList splits s on any of seps, trims each part and drops empty and
// repeated parts. It returns nil for no parts.
func splitList(s, seps string) []string {
	return cleanList(strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(seps, r) }))
}

// cleanList trims each item and drops empty and repeated items, keeping the
// first occurrence's order. It returns nil for no items.
func cleanList(items []string) []string {
	var out []string
	seen := make(map[string]bool, len(items))
	for _, p := range items {
		p = strings.TrimSpace(p)
		if p == "" || seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
	}
	return out
}

// weekdays maps accepted weekday spellings to 1 (Monday) .. 7 (Sunday).
var weekdays = func() map[string]int {
	m := map[string]int{}
	names := []string{"一", "二", "三", "四", "五", "六", "日"}
	for i, n := range names {
		d := i + 1
		m[strconv.Itoa(d)] = d
		for _, p := range []string{"周", "星期", "礼拜"} {
			m[p+n] = d
		}
	}
	for _, p := range []string{"周", "星期", "礼拜"} {
		m[p+"天"] = 7
		m[p+"七"] = 7
	}
	return m
}()

// periods maps accepted period spellings to the stored period.
var periods = map[string]string{
	"上午": "上午", "下午": "下午", "夜间": "夜间",
	"晚上": "夜间", "晚间": "夜间", "夜诊": "夜间",
}

func parseSchedules(text string, ps *problems) []ClinicSession {
	_, rows := readCSV(text, ps, []string{"department", "doctor", "title", "weekday", "period", "location"})
	out := make([]ClinicSession, 0, len(rows))
	type key struct {
		dept, doctor, period string
		day                  int
	}
	firstLine := make(map[key]int, len(rows))
	for _, row := range rows {
		n := len(ps.list)
		s := ClinicSession{
			Department: row.get("department"),
			Doctor:     row.get("doctor"),
			Title:      row.get("title"),
			Location:   row.get("location"),
			Note:       row.get("note"),
		}
		if s.Department == "" {
			ps.add(row.line, "department is empty")
		}
		wd := row.get("weekday")
		day, ok := weekdays[wd]
		if !ok {
			ps.add(row.line, "weekday %q is not 1-7 or 周一..周日", wd)
		}
		s.Weekday = day
		p := row.get("period")
		period, ok := periods[p]
		if !ok {
			ps.add(row.line, "period %q is not one of 上午 下午 夜间", p)
		}
		s.Period = period
		if len(ps.list) != n {
			continue
		}
		if s.Doctor != "" {
			k := key{s.Department, s.Doctor, s.Period, s.Weekday}
			if first, dup := firstLine[k]; dup {
				ps.add(row.line, "duplicate session of %s %s %s%s (first on line %d)",
					s.Department, s.Doctor, weekdayName(s.Weekday), s.Period, first)
				continue
			}
			firstLine[k] = row.line
		}
		out = append(out, s)
	}
	return out
}

// weekdayName returns 周一 .. 周日 for 1 .. 7.
func weekdayName(d int) string {
	names := []string{"周一", "周二", "周三", "周四", "周五", "周六", "周日"}
	if d < 1 || d > 7 {
		return strconv.Itoa(d)
	}
	return names[d-1]
}
