package complaints

import (
	"context"
	"fmt"
	"io"
	"sort"
	"time"
)

// Report holds one month's figures, as the yearly disclosure summary reports
// them. Tickets count in the month they were filed.
type Report struct {
	Month        string         `json:"month"` // YYYY-MM
	Total        int            `json:"total"`
	ByDepartment map[string]int `json:"by_department"` // a ticket counts for each involved department; none = 未指定
	ByCategory   map[string]int `json:"by_category"`
	ByStatus     map[string]int `json:"by_status"` // current status
	ByRating     map[string]int `json:"by_rating"`
	// Answered counts tickets with feedback; Due counts tickets with feedback or
	// past their first deadline; AnsweredInTime those whose first feedback came
	// by the deadline. InTimeShare = AnsweredInTime / Due (0 when Due is 0).
	Answered       int     `json:"answered"`
	Due            int     `json:"due"`
	AnsweredInTime int     `json:"answered_in_time"`
	InTimeShare    float64 `json:"in_time_share"`
	// MedianFirstFeedback is the median time from filing to first feedback
	// (0 without feedback); MedianFirstFeedbackHours is the same in hours.
	MedianFirstFeedback      time.Duration `json:"-"`
	MedianFirstFeedbackHours float64       `json:"median_first_feedback_hours"`
}

// Report computes the figures of month ("2026-11", in the calendar's
// location). Returns ErrInvalid for a malformed month.
func (s *Service) Report(ctx context.Context, month string) (Report, error) {
	start, err := time.ParseInLocation("2006-01", month, s.loc())
	if err != nil {
		return Report{}, invalid("month must be YYYY-MM, e.g. 2026-11")
	}
	end := start.AddDate(0, 1, 0)
	ts, err := s.List(ctx, Filter{CreatedFrom: start, CreatedTo: end})
	if err != nil {
		return Report{}, fmt.Errorf("report %s: %w", month, err)
	}
	r := Report{Month: month, ByDepartment: map[string]int{}, ByCategory: map[string]int{},
		ByStatus: map[string]int{}, ByRating: map[string]int{}}
	now := s.clk.Now()
	var waits []time.Duration
	for i := range ts {
		t := &ts[i]
		r.Total++
		if len(t.Departments) == 0 {
			r.ByDepartment["未指定"]++
		}
		for _, d := range t.Departments {
			r.ByDepartment[d]++
		}
		cat := t.Category
		if cat == "" {
			cat = CategoryOther
		}
		r.ByCategory[cat]++
		r.ByStatus[string(t.Status)]++
		if t.Rating != "" {
			r.ByRating[t.Rating]++
		}
		// The first deadline, with the departments as they stand now.
		due := s.dueAt(t.CreatedAt, len(t.Departments))
		switch {
		case t.FirstFeedbackAt != nil:
			r.Answered++
			r.Due++
			if !t.FirstFeedbackAt.After(due) {
				r.AnsweredInTime++
			}
			waits = append(waits, t.FirstFeedbackAt.Sub(t.CreatedAt))
		case now.After(due):
			r.Due++
		}
	}
	if r.Due > 0 {
		r.InTimeShare = float64(r.AnsweredInTime) / float64(r.Due)
	}
	if len(waits) > 0 {
		sort.Slice(waits, func(i, j int) bool { return waits[i] < waits[j] })
		m := waits[len(waits)/2]
		if len(waits)%2 == 0 {
			m = (waits[len(waits)/2-1] + waits[len(waits)/2]) / 2
		}
		r.MedianFirstFeedback = m
		r.MedianFirstFeedbackHours = float64(m.Round(time.Minute)) / float64(time.Hour)
	}
	return r, nil
}

// WriteText prints the report for people (the CLI `wxbot complaints report`).
func (r Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	ew.printf("投诉统计 %s\n", r.Month)
	ew.printf("投诉总数：%d\n", r.Total)
	section := func(title string, m map[string]int, label func(string) string) {
		ew.printf("\n%s：\n", title)
		if len(m) == 0 {
			ew.printf("  无\n")
			return
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Slice(keys, func(i, j int) bool {
			if m[keys[i]] != m[keys[j]] {
				return m[keys[i]] > m[keys[j]]
			}
			return keys[i] < keys[j]
		})
		for _, k := range keys {
			ew.printf("  %s\t%d\n", label(k), m[k])
		}
	}
	same := func(s string) string { return s }
	section("按科室", r.ByDepartment, same)
	section("按类别", r.ByCategory, same)
	section("按状态", r.ByStatus, func(s string) string { return Status(s).Label() })
	section("满意度评价", r.ByRating, same)
	ew.printf("\n已答复：%d\n", r.Answered)
	if r.Due > 0 {
		ew.printf("按时答复率：%.1f%%（%d/%d，按期限应答复的投诉）\n", r.InTimeShare*100, r.AnsweredInTime, r.Due)
	} else {
		ew.printf("按时答复率：无（尚无到期的投诉）\n")
	}
	if r.Answered > 0 {
		ew.printf("首次答复用时中位数：%.1f小时\n", r.MedianFirstFeedbackHours)
	} else {
		ew.printf("首次答复用时中位数：无\n")
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, a ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, a...)
	}
}
