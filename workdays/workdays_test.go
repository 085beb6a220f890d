package workdays

import (
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/clock"
)

func mustDates(t *testing.T, s ...string) []Date {
	t.Helper()
	d, err := ParseDates(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// cal2026 is the 2026 National Day schedule as published by the State Council:
// 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked; Mid-Autumn 09-25..09-27.
func cal2026(t *testing.T) *Calendar {
	return &Calendar{
		Holidays:   mustDates(t, "2026-09-25", "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"),
		MakeupDays: mustDates(t, "2026-09-20", "2026-10-10"),
	}
}

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, China)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAddWorkdaysWeekend(t *testing.T) {
	clk := clock.NewFake(at("2026-11-27 15:00")) // a Friday
	var c Calendar                               // zero value: Mon-Fri
	cases := []struct {
		n    int
		want string
	}{
		{0, "2026-11-27 15:00"},
		{1, "2026-11-30 15:00"}, // Monday
		{5, "2026-12-04 15:00"}, // next Friday
		{10, "2026-12-11 15:00"},
	}
	for _, tc := range cases {
		if got := c.AddWorkdays(clk.Now(), tc.n); !got.Equal(at(tc.want)) {
			t.Errorf("AddWorkdays(Fri, %d) = %s, want %s", tc.n, got.Format(time.DateTime), tc.want)
		}
	}
	// A complaint on a Saturday counts from Monday: 5 working days end on Friday.
	clk.Set(at("2026-11-28 10:00"))
	if got := c.AddWorkdays(clk.Now(), 5); !got.Equal(at("2026-12-04 10:00")) {
		t.Errorf("AddWorkdays(Sat, 5) = %s, want Friday 2026-12-04", got)
	}
}

func TestAddWorkdaysNationalDay(t *testing.T) {
	c := cal2026(t)
	clk := clock.NewFake(at("2026-09-30 09:00")) // Wednesday before the holiday
	if got := c.AddWorkdays(clk.Now(), 1); !got.Equal(at("2026-10-08 09:00")) {
		t.Errorf("next working day after 09-30 = %s, want 10-08", got)
	}
	// Monday 09-28 + 5: 09-29, 09-30, 10-08, 10-09, 10-10 (the make-up Saturday).
	clk.Set(at("2026-09-28 14:30"))
	if got := c.AddWorkdays(clk.Now(), 5); !got.Equal(at("2026-10-10 14:30")) {
		t.Errorf("09-28 + 5 working days = %s, want 2026-10-10 14:30", got)
	}
	// + 10: then 10-12 .. 10-16.
	if got := c.AddWorkdays(clk.Now(), 10); !got.Equal(at("2026-10-16 14:30")) {
		t.Errorf("09-28 + 10 working days = %s, want 2026-10-16 14:30", got)
	}
	// Friday 09-18 + 1 is the make-up Sunday 09-20.
	clk.Set(at("2026-09-18 08:00"))
	if got := c.AddWorkdays(clk.Now(), 1); !got.Equal(at("2026-09-20 08:00")) {
		t.Errorf("09-18 + 1 = %s, want make-up Sunday 09-20", got)
	}
	// Thursday 09-24 + 1 skips the Mid-Autumn Friday and the weekend.
	clk.Set(at("2026-09-24 08:00"))
	if got := c.AddWorkdays(clk.Now(), 1); !got.Equal(at("2026-09-28 08:00")) {
		t.Errorf("09-24 + 1 = %s, want 09-28", got)
	}
}

func TestIsWorkday(t *testing.T) {
	c := cal2026(t)
	cases := map[string]bool{
		"2026-10-01 10:00": false, // holiday
		"2026-10-05 10:00": false, // holiday on a Monday
		"2026-10-10 10:00": true,  // make-up Saturday
		"2026-09-20 10:00": true,  // make-up Sunday
		"2026-10-11 10:00": false, // ordinary Sunday
		"2026-10-12 10:00": true,  // ordinary Monday
	}
	for s, want := range cases {
		if got := c.IsWorkday(at(s)); got != want {
			t.Errorf("IsWorkday(%s) = %v, want %v", s, got, want)
		}
	}
	// The civil date is read in the calendar's location: Friday 17:00 UTC is
	// already Saturday 01:00 in China.
	utc := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC)
	if c.IsWorkday(utc) {
		t.Errorf("Friday 17:00 UTC is Saturday in China, want not a working day")
	}
	c.Location = time.UTC
	if !c.IsWorkday(utc) {
		t.Errorf("with Location UTC, Friday 17:00 UTC is a working day")
	}
	// A date listed both ways counts as a holiday.
	both := &Calendar{Holidays: mustDates(t, "2026-10-10"), MakeupDays: mustDates(t, "2026-10-10")}
	if both.IsWorkday(at("2026-10-10 10:00")) {
		t.Errorf("date listed as holiday and make-up day: want holiday")
	}
}

func TestWorkdaysBetween(t *testing.T) {
	c := cal2026(t)
	cases := []struct {
		from, to string
		want     int
	}{
		{"2026-09-30 18:00", "2026-10-08 09:00", 1},
		{"2026-10-01 09:00", "2026-10-07 23:00", 0},
		{"2026-10-08 09:00", "2026-10-08 18:00", 0},
		{"2026-09-28 09:00", "2026-10-10 09:00", 5},
		{"2026-10-10 09:00", "2026-09-28 09:00", -5},
		{"2026-11-27 09:00", "2026-11-30 09:00", 1}, // Fri -> Mon
	}
	for _, tc := range cases {
		if got := c.WorkdaysBetween(at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("WorkdaysBetween(%s, %s) = %d, want %d", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestEndOfDay(t *testing.T) {
	var c Calendar
	got := c.EndOfDay(at("2026-11-27 15:00"))
	if !got.Before(at("2026-11-28 00:00")) || got.Before(at("2026-11-27 23:59")) {
		t.Errorf("EndOfDay = %s", got)
	}
}

func TestParseDates(t *testing.T) {
	d, err := ParseDates([]string{"2026-10-01", "2026-02-14"})
	if err != nil {
		t.Fatal(err)
	}
	if d[0] != (Date{2026, time.October, 1}) || d[1].String() != "2026-02-14" {
		t.Errorf("ParseDates = %v", d)
	}
	if _, err := ParseDates([]string{"2026-10-01", "2026/10/02"}); err == nil {
		t.Errorf("ParseDates accepted 2026/10/02")
	} else if want := "entry 2"; !strings.Contains(err.Error(), want) {
		t.Errorf("error %q does not name %q", err, want)
	}
}
