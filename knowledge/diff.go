package knowledge

import (
	"reflect"
	"strconv"
)

// diffData compares kind's items (every kind when kind is "") of two
// versions and counts the new version's rows.
func diffData(kind Kind, old, next *Data) ImportResult {
	res := ImportResult{Kind: kind}
	kinds := []Kind{kind}
	if kind == "" {
		kinds = Kinds
	}
	for _, k := range kinds {
		var rows, a, c, r int
		switch k {
		case KindPrices:
			rows = len(next.Prices)
			a, c, r = diffBy(old.Prices, next.Prices, func(p PriceItem) string { return p.Code })
		case KindDepartments:
			rows = len(next.Departments)
			a, c, r = diffBy(old.Departments, next.Departments, func(d Department) string { return d.Name })
		case KindSchedules:
			rows = len(next.Schedules)
			a, c, r = diffBy(old.Schedules, next.Schedules, func(s ClinicSession) string {
				return s.Department + "\x00" + s.Doctor + "\x00" + strconv.Itoa(s.Weekday) + "\x00" + s.Period
			})
		case KindProcesses:
			rows = len(next.Processes)
			a, c, r = diffBy(old.Processes, next.Processes, func(p Process) string { return p.ID })
		case KindFAQ:
			rows = len(next.FAQ)
			a, c, r = diffBy(old.FAQ, next.FAQ, func(e FAQEntry) string { return first(e.Questions) })
		case KindSynonyms:
			rows = len(next.Synonyms)
			a, c, r = diffBy(old.Synonyms, next.Synonyms, first)
		}
		res.Rows += rows
		res.Added += a
		res.Changed += c
		res.Removed += r
	}
	return res
}

func first(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// diffBy counts items added, changed and removed between old and next,
// matching items by key (repeated keys are matched in order).
func diffBy[T any](old, next []T, key func(T) string) (added, changed, removed int) {
	index := func(items []T) map[string]T {
		m := make(map[string]T, len(items))
		seen := make(map[string]int, len(items))
		for _, it := range items {
			k := key(it)
			seen[k]++
			if n := seen[k]; n > 1 {
				k += "\x00#" + strconv.Itoa(n)
			}
			m[k] = it
		}
		return m
	}
	before, after := index(old), index(next)
	for k, it := range after {
		prev, ok := before[k]
		switch {
		case !ok:
			added++
		case !reflect.DeepEqual(prev, it):
			changed++
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			removed++
		}
	}
	return added, changed, removed
}

// sameContent reports whether two versions hold the same data (Version and
// UpdatedAt aside).
func sameContent(a, b *Data) bool {
	return a.Hospital == b.Hospital &&
		sameSlice(a.Prices, b.Prices) &&
		sameSlice(a.Departments, b.Departments) &&
		sameSlice(a.Schedules, b.Schedules) &&
		sameSlice(a.Processes, b.Processes) &&
		sameSlice(a.FAQ, b.FAQ) &&
		sameSlice(a.Synonyms, b.Synonyms)
}

// sameSlice treats nil and empty as equal.
func sameSlice[T any](a, b []T) bool {
	return len(a) == len(b) && (len(a) == 0 || reflect.DeepEqual(a, b))
}
