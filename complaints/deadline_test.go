package complaints

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hospital/wxbot/workdays"
)

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, workdays.China)
	if err != nil {
		panic(err)
	}
	return t
}

// cal2026 is the published 2026 National Day schedule: 10-01..10-07 off,
// Sunday 09-20 and Saturday 10-10 worked.
func cal2026(t *testing.T) *workdays.Calendar {
	h, err := workdays.ParseDates([]string{"2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04", "2026-10-05", "2026-10-06", "2026-10-07"})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := workdays.ParseDates([]string{"2026-09-20", "2026-10-10"})
	return &workdays.Calendar{Holidays: h, MakeupDays: m}
}

func TestDeadlinesOverHolidaysAndMakeupDays(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := newHarness(t, func(o *Options) { o.Calendar = cal2026(t); o.Registerer = reg })
	h.clk.Set(at("2026-09-28 10:00"))
	one := h.file("p1", "医生态度很差，问了两句就不耐烦了", "儿科")
	// Monday 09-28 + 5 working days: 09-29, 09-30, 10-08, 10-09 and make-up Saturday 10-10.
	if got := one.DueAt.Format("2006-01-02 15:04"); got != "2026-10-10 23:59" {
		t.Errorf("one department: due %s, want 2026-10-10 23:59", got)
	}
	two := h.file("p2", "检验科和儿科互相推诿，化验单来回跑了三趟", "检验科", "儿科")
	// More than one department: 10 working days -> 10-16.
	if got := two.DueAt.Format("2006-01-02"); got != "2026-10-16" {
		t.Errorf("two departments: due %s, want 2026-10-16", got)
	}
	// Assigning a second department lengthens the deadline.
	one, err := h.svc.Assign(h.ctx, one.Number, "王五", AssignRequest{Assignee: "王五", Departments: []string{"儿科", "检验科"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := one.DueAt.Format("2006-01-02"); got != "2026-10-16" || one.Status != StatusAssigned {
		t.Errorf("after assigning two departments: due %s status %s", got, one.Status)
	}
	if _, err := h.svc.Assign(h.ctx, one.Number, "王五", AssignRequest{Departments: []string{"儿科"}}); err != nil {
		t.Fatal(err)
	}
	three := h.file("p3", "门诊楼厕所太脏了，也没有洗手液")

	gauge := func() (float64, float64) {
		t.Helper()
		if _, err := h.svc.UpdateGauges(h.ctx); err != nil {
			t.Fatal(err)
		}
		return gaugeValue(t, reg, "wxbot_complaints_overdue"), gaugeValue(t, reg, "wxbot_complaints_due_soon")
	}
	// During the holiday nothing is due soon: the 10-10 deadline is 3 working
	// days away (10-08, 10-09, 10-10).
	h.clk.Set(at("2026-10-05 12:00"))
	if o, s := gauge(); o != 0 || s != 0 {
		t.Errorf("during the holiday: overdue %v due soon %v, want 0 0", o, s)
	}
	// Friday 10-09: one working day (the make-up Saturday) left for tickets one and three.
	h.clk.Set(at("2026-10-09 09:00"))
	if o, s := gauge(); o != 0 || s != 2 {
		t.Errorf("on 10-09: overdue %v due soon %v, want 0 2", o, s)
	}
	soon := true
	ts, _ := h.svc.List(h.ctx, Filter{DueSoon: &soon})
	if len(ts) != 2 {
		t.Errorf("List(due soon) = %d tickets", len(ts))
	}
	// One answered in time: no longer counted.
	if _, err := h.svc.Reply(h.ctx, three.Number, "赵六", "已安排保洁加强巡查。"); err != nil {
		t.Fatal(err)
	}
	// Sunday 10-11: ticket one is overdue; ticket two still has 5 working days.
	h.clk.Set(at("2026-10-11 09:00"))
	if o, s := gauge(); o != 1 || s != 0 {
		t.Errorf("on 10-11: overdue %v due soon %v, want 1 0", o, s)
	}
	over := true
	ts, _ = h.svc.List(h.ctx, Filter{Overdue: &over})
	if len(ts) != 1 || ts[0].Number != one.Number {
		t.Errorf("List(overdue) = %+v", ts)
	}
	d, err := h.svc.Digest(h.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Overdue) != 1 || d.Overdue[0] != one.Number || d.Open != 3 || d.Waiting != 2 {
		t.Errorf("digest %+v", d)
	}
	if txt := d.Text(); !strings.Contains(txt, one.Number) || strings.Contains(txt, "态度") {
		t.Errorf("digest text %q: want numbers only", txt)
	}
}

func TestDailyDigestSentOncePerDay(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.DigestOpenIDs = []string{"staff-1"} })
	h.file("p1", "医生态度很差，问了两句就不耐烦了")
	h.clk.Set(at("2026-11-28 07:00"))
	if err := h.svc.Tick(h.ctx); err != nil {
		t.Fatal(err)
	}
	if len(h.wx.texts) != 0 {
		t.Errorf("digest sent before the digest hour: %q", h.wx.texts)
	}
	h.clk.Set(at("2026-11-28 08:30"))
	for range 3 {
		if err := h.svc.Tick(h.ctx); err != nil {
			t.Fatal(err)
		}
	}
	if len(h.wx.texts) != 1 || !strings.HasPrefix(h.wx.texts[0], "staff-1: 投诉日报") {
		t.Errorf("digest messages %q, want one to staff-1", h.wx.texts)
	}
}

func TestReport(t *testing.T) {
	h := newHarness(t)
	// Filed Monday 11-02; due Monday 11-09 end of day.
	h.clk.Set(at("2026-11-02 09:00"))
	a := h.file("p1", "医生态度很差，问了两句就不耐烦了", "儿科")
	b := h.file("p2", "检验科和儿科互相推诿，化验单来回跑了三趟", "检验科", "儿科")
	c := h.file("p3", "门诊楼厕所太脏了，也没有洗手液")
	h.clk.Set(at("2026-10-30 09:00"))
	h.file("p4", "十月份的投诉不在十一月的统计里面")
	h.clk.Set(at("2026-11-03 09:00")) // a: 24 h
	h.svc.Reply(h.ctx, a.Number, "s", "答复")
	h.clk.Set(at("2026-11-04 21:00")) // c: 60 h
	h.svc.Close(h.ctx, c.Number, "s", "已整改")
	h.svc.Rate(h.ctx, "p3", c.Number, RatingSatisfied)
	h.clk.Set(at("2026-11-20 09:00")) // b: 18 days, after its 10-working-day deadline (11-16)
	h.svc.Reply(h.ctx, b.Number, "s", "答复")

	r, err := h.svc.Report(h.ctx, "2026-11")
	if err != nil {
		t.Fatal(err)
	}
	if r.Total != 3 || r.ByDepartment["儿科"] != 2 || r.ByDepartment["检验科"] != 1 || r.ByDepartment["未指定"] != 1 {
		t.Errorf("counts %+v", r)
	}
	if r.ByStatus["answered"] != 2 || r.ByStatus["closed"] != 1 || r.ByCategory[CategoryService] != 2 || r.ByCategory[CategoryEnvironment] != 1 {
		t.Errorf("by status %v by category %v", r.ByStatus, r.ByCategory)
	}
	if r.Answered != 3 || r.Due != 3 || r.AnsweredInTime != 2 {
		t.Errorf("answered %d due %d in time %d, want 3 3 2", r.Answered, r.Due, r.AnsweredInTime)
	}
	if r.MedianFirstFeedback != 60*time.Hour || r.MedianFirstFeedbackHours != 60 {
		t.Errorf("median %v, want 60h", r.MedianFirstFeedback)
	}
	if r.ByRating[RatingSatisfied] != 1 {
		t.Errorf("ratings %v", r.ByRating)
	}
	var buf bytes.Buffer
	if err := r.WriteText(&buf); err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"2026-11", "投诉总数：3", "儿科\t2", "66.7%", "60.0小时", "已答复"} {
		if !strings.Contains(buf.String(), w) {
			t.Errorf("report text lacks %q:\n%s", w, buf.String())
		}
	}
	if _, err := h.svc.Report(h.ctx, "2026/11"); err == nil {
		t.Errorf("a bad month was accepted")
	}
}

func TestPurgeErasesPersonalDataAfterRetention(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.RetentionDays = 30 })
	old := h.file("p1", "医生态度很差，问了两句就不耐烦了", "儿科")
	open := h.file("p1", "另一次投诉，仍在处理中，不应被清除")
	if _, err := h.svc.AddNote(h.ctx, old.Number, "s", "已联系患者 13812345678"); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.Close(h.ctx, old.Number, "s", "已致歉"); err != nil {
		t.Fatal(err)
	}
	h.clk.Advance(29 * 24 * time.Hour)
	if n, _ := h.svc.Purge(h.ctx); n != 0 {
		t.Errorf("purged %d before the retention period", n)
	}
	h.clk.Advance(2 * 24 * time.Hour)
	if n, err := h.svc.Purge(h.ctx); n != 1 || err != nil {
		t.Fatalf("Purge = %d, %v; want 1", n, err)
	}
	tk, _ := h.svc.Get(h.ctx, old.Number)
	if tk.Description != "" || tk.Phone != "" || tk.OpenID != "" || tk.Notes[0].Text != "" || tk.Answers[0].Text != "" || tk.Resolution != "" || tk.PurgedAt == nil {
		t.Errorf("personal data left: %+v", tk)
	}
	if tk.Departments[0] != "儿科" || tk.Status != StatusClosed || tk.FirstFeedbackAt == nil {
		t.Errorf("figures lost: %+v", tk)
	}
	if tk, _ := h.svc.Get(h.ctx, open.Number); tk.Description == "" || tk.Phone == "" {
		t.Errorf("an open ticket was erased")
	}
	mine, _ := h.svc.ForPatient(h.ctx, "p1")
	if len(mine) != 1 || mine[0].Number != open.Number {
		t.Errorf("patient still sees the erased ticket: %d tickets", len(mine))
	}
	r, _ := h.svc.Report(h.ctx, "2026-11")
	if r.Total != 2 {
		t.Errorf("report total %d after purge, want 2 (figures stay)", r.Total)
	}
	if _, err := h.svc.Reopen(h.ctx, old.Number, "s", ""); err == nil {
		t.Errorf("an erased ticket was reopened")
	}
}

func TestLogsCarryNoComplaintTextOrPhone(t *testing.T) {
	f, wx := withFakeWeChat(t)
	h := newHarness(t, wx)
	n := filed(h)
	f.Fail("custom.send", -1, 5)
	h.svc.Reply(h.ctx, n, "张三", "答复：我们已联系13812345678核实")
	h.svc.ProcessDeliveries(h.ctx)
	h.svc.Close(h.ctx, n, "张三", "处理结果正文")
	h.svc.Tick(h.ctx)
	if h.logs.Len() == 0 {
		t.Fatal("no logs captured; the test would prove nothing")
	}
	for _, e := range h.logs.All() {
		line := e.Message
		for k, v := range e.ContextMap() {
			line += " " + k + "=" + strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(toString(v), "\n", " "), "\t", " "))
		}
		for _, secret := range []string{"13812345678", "收费窗口", "四十分钟", "答复：", "处理结果正文", "儿科"} {
			if strings.Contains(line, secret) {
				t.Errorf("log %q contains %q", line, secret)
			}
		}
	}
}

func toString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case error:
		return x.Error()
	}
	return strings.TrimSpace(strings.Trim(strings.ReplaceAll(fmtAny(v), "\n", " "), " "))
}

func fmtAny(v any) string { return fmt.Sprint(v) }

// gaugeValue reads a gauge from the registry, failing when it is not registered.
func gaugeValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			return mf.GetMetric()[0].GetGauge().GetValue()
		}
	}
	t.Fatalf("gauge %s not registered", name)
	return 0
}
