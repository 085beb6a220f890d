// Package workdays does working-day arithmetic for deadlines: weekends are off
// unless declared make-up working days (调休上班), and public holidays are off.
package workdays

import (
	"fmt"
	"time"
)

// Date is a civil date (no time of day, no zone).
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: m, Day: d}
}

// ParseDate parses a YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("parse date %q: want YYYY-MM-DD", s)
	}
	return DateOf(t), nil
}

// ParseDates parses a list of YYYY-MM-DD dates (the config lists
// complaints.holidays and complaints.makeup_workdays). The error names the
// first bad entry.
func ParseDates(list []string) ([]Date, error) {
	out := make([]Date, 0, len(list))
	for i, s := range list {
		d, err := ParseDate(s)
		if err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		out = append(out, d)
	}
	return out, nil
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// In returns midnight of d in loc.
func (d Date) In(loc *time.Location) time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc)
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}

// AddDays returns d moved by n calendar days.
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns d's day of the week.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// China is UTC+8 (China Standard Time, no daylight saving), the default
// location of a Calendar.
var China = time.FixedZone("CST", 8*3600)

// Calendar says which days are working days. Its zero value counts Monday to
// Friday in China Standard Time. A Calendar is read-only after set-up and safe
// for concurrent use.
type Calendar struct {
	// Holidays are days off even when they fall on a weekday.
	Holidays []Date
	// MakeupDays are weekend days that are working days (调休上班).
	MakeupDays []Date
	// Location is where a time's civil date is read; nil means China (UTC+8).
	Location *time.Location
}

func (c *Calendar) loc() *time.Location {
	if c == nil || c.Location == nil {
		return China
	}
	return c.Location
}

func contains(list []Date, d Date) bool {
	for _, x := range list {
		if x == d {
			return true
		}
	}
	return false
}

// IsWorkdayDate reports whether the civil date d is a working day. A date both
// listed as a holiday and as a make-up day counts as a holiday.
func (c *Calendar) IsWorkdayDate(d Date) bool {
	if c != nil && contains(c.Holidays, d) {
		return false
	}
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		return c != nil && contains(c.MakeupDays, d)
	}
	return true
}

// IsWorkday reports whether t falls on a working day in the calendar's location.
func (c *Calendar) IsWorkday(t time.Time) bool {
	return c.IsWorkdayDate(DateOf(t.In(c.loc())))
}

// AddWorkdays returns t moved forward by n working days, keeping its time of
// day (in the calendar's location): each step goes to the next working day.
// AddWorkdays(Friday 15:00, 1) is the next Monday 15:00 when that Monday is a
// working day. n <= 0 returns t unchanged.
func (c *Calendar) AddWorkdays(t time.Time, n int) time.Time {
	if n <= 0 {
		return t
	}
	lt := t.In(c.loc())
	d := DateOf(lt)
	for n > 0 {
		d = d.AddDays(1)
		if c.IsWorkdayDate(d) {
			n--
		}
	}
	h, m, s := lt.Clock()
	return time.Date(d.Year, d.Month, d.Day, h, m, s, lt.Nanosecond(), lt.Location())
}

// WorkdaysBetween counts the working days after from's date up to and including
// to's date (in the calendar's location): from Friday to the next Monday is 1
// when Monday is a working day, and the same day is 0. When to is before from
// the count is negative (the working days from to's date, exclusive, up to
// from's date, inclusive, negated).
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	a := DateOf(from.In(c.loc()))
	b := DateOf(to.In(c.loc()))
	sign := 1
	if b.Before(a) {
		a, b = b, a
		sign = -1
	}
	n := 0
	for d := a.AddDays(1); !b.Before(d); d = d.AddDays(1) {
		if c.IsWorkdayDate(d) {
			n++
		}
	}
	return sign * n
}

// EndOfDay returns the last instant (23:59:59.999999999) of t's civil date in
// the calendar's location.
func (c *Calendar) EndOfDay(t time.Time) time.Time {
	lt := t.In(c.loc())
	y, m, d := lt.Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, lt.Location()).Add(-time.Nanosecond)
}
