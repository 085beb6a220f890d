package bot

import (
	"fmt"
	"sort"
	"strings"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// deptIndex returns the index of the department named name (or -1).
func deptIndex(d *knowledge.Data, name string) int {
	n := textnorm.Normalize(name)
	for i, dep := range d.Departments {
		if textnorm.Normalize(dep.Name) == n {
			return i
		}
	}
	return -1
}

// doctorInfo returns the department and title of a doctor (from the first session).
func doctorInfo(x *search.Index, doctor string) (dept, title string) {
	for _, si := range x.DoctorSessions(doctor) {
		cs := x.Data.Schedules[si]
		return cs.Department, cs.Title
	}
	return "", ""
}

// doctorLabel is "王建国（骨科 主任医师）".
func doctorLabel(x *search.Index, doctor string) string {
	dept, title := doctorInfo(x, doctor)
	name := doctorName(x, doctor)
	parts := strings.TrimSpace(dept + " " + title)
	if parts == "" {
		return name
	}
	return name + "（" + parts + "）"
}

// doctorName returns the doctor's name as written in the data.
func doctorName(x *search.Index, doctor string) string {
	for _, si := range x.DoctorSessions(doctor) {
		return x.Data.Schedules[si].Doctor
	}
	return doctor
}

// filterDoctorsByDept keeps the doctors working in one of depts (all when
// depts is empty).
func filterDoctorsByDept(x *search.Index, doctors []string, depts []int) []string {
	if len(depts) == 0 {
		return doctors
	}
	var out []string
	for _, doc := range doctors {
		dept, _ := doctorInfo(x, doc)
		di := deptIndex(x.Data, dept)
		for _, d := range depts {
			if d == di {
				out = append(out, doc)
				break
			}
		}
	}
	return out
}

// clarifyDoctors lists doctors to choose from.
func (b *Bot) clarifyDoctors(x *search.Index, s *session, doctors []string, u *understanding) string {
	s.Intent = intentSchedule
	s.Doctors = doctors
	s.Doctor = ""
	s.Weekdays, s.Period = u.weekdays, u.period
	s.List = s.List[:0]
	for _, d := range doctors {
		s.List = append(s.List, listEntry{Kind: listDoctor, Name: d})
	}
	s.ListTitle = fmt.Sprintf("有%d位医生符合，请问您找哪一位", len(doctors))
	s.Page = 0
	text := b.page(x, s)
	return strings.Replace(text, "回复序号查看详情", "回复序号或科室（如「"+firstDept(x, doctors)+"那个」）查看出诊时间", 1)
}

func firstDept(x *search.Index, doctors []string) string {
	if len(doctors) == 0 {
		return ""
	}
	d, _ := doctorInfo(x, doctors[0])
	return d
}

// sessionsLine compacts sessions into "周一上午、周三下午".
func sessionsLine(ss []knowledge.ClinicSession) string {
	sortSessions(ss)
	var parts []string
	for _, cs := range ss {
		parts = append(parts, weekdayName(cs.Weekday)+cs.Period)
	}
	return strings.Join(dedupe(parts), "、")
}

func weekdayName(d int) string {
	if d >= 1 && d <= 7 {
		return weekdayNames[d]
	}
	return fmt.Sprintf("周%d", d)
}

var periodOrder = map[string]int{"上午": 0, "下午": 1, "夜间": 2, "晚上": 2}

func sortSessions(ss []knowledge.ClinicSession) {
	sort.SliceStable(ss, func(i, j int) bool {
		if ss[i].Weekday != ss[j].Weekday {
			return ss[i].Weekday < ss[j].Weekday
		}
		return periodOrder[ss[i].Period] < periodOrder[ss[j].Period]
	})
}

func dedupe(xs []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range xs {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func daysText(wd []int) string {
	var parts []string
	for _, d := range wd {
		parts = append(parts, weekdayName(d))
	}
	return strings.Join(parts, "、")
}

func inDays(d int, wd []int) bool {
	if len(wd) == 0 {
		return true
	}
	for _, w := range wd {
		if w == d {
			return true
		}
	}
	return false
}

// doctorSchedule answers when (and where) a doctor works.
func (b *Bot) doctorSchedule(x *search.Index, s *session, doctor string, wd []int, period string) string {
	s.Intent = intentSchedule
	s.Doctor = doctor
	s.Doctors = nil
	s.Weekdays, s.Period = wd, period
	s.List = nil
	dept, _ := doctorInfo(x, doctor)
	if di := deptIndex(x.Data, dept); di >= 0 {
		s.Dept = di + 1
	}
	var all, match []knowledge.ClinicSession
	for _, si := range x.DoctorSessions(doctor) {
		cs := x.Data.Schedules[si]
		all = append(all, cs)
		if inDays(cs.Weekday, wd) && samePeriod(cs.Period, period) {
			match = append(match, cs)
		}
	}
	name := doctorName(x, doctor)
	var sb strings.Builder
	if len(match) == 0 {
		fmt.Fprintf(&sb, "%s%s%s不出诊。\n", name, daysText(wd), period)
		fmt.Fprintf(&sb, "%s的出诊时间：%s。", doctorLabel(x, doctor), sessionsLine(all))
		return sb.String()
	}
	fmt.Fprintf(&sb, "%s出诊时间：\n", doctorLabel(x, doctor))
	sortSessions(match)
	for _, cs := range match {
		line := weekdayName(cs.Weekday) + cs.Period
		if cs.Location != "" {
			line += " " + cs.Location
		}
		if cs.Note != "" {
			line += "（" + cs.Note + "）"
		}
		sb.WriteString(line + "\n")
	}
	sb.WriteString("挂号请回复「怎么挂号」。")
	return sb.String()
}

// doctorPlace answers where a doctor sees patients.
func (b *Bot) doctorPlace(x *search.Index, s *session, doctor string) string {
	var locs []string
	var ss []knowledge.ClinicSession
	for _, si := range x.DoctorSessions(doctor) {
		cs := x.Data.Schedules[si]
		ss = append(ss, cs)
		if cs.Location != "" {
			locs = append(locs, cs.Location)
		}
	}
	locs = dedupe(locs)
	name := doctorName(x, doctor)
	if len(locs) == 0 {
		dept, _ := doctorInfo(x, doctor)
		if di := deptIndex(x.Data, dept); di >= 0 && x.Data.Departments[di].Location != "" {
			return fmt.Sprintf("%s在%s出诊，科室位置：%s。", name, dept, x.Data.Departments[di].Location)
		}
		return name + "的诊室信息暂无，请到门诊服务台咨询。"
	}
	if len(locs) == 1 {
		return fmt.Sprintf("%s的诊室：%s（出诊：%s）。", name, locs[0], sessionsLine(ss))
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s的诊室：\n", name)
	sortSessions(ss)
	for _, cs := range ss {
		fmt.Fprintf(&sb, "%s%s：%s\n", weekdayName(cs.Weekday), cs.Period, cs.Location)
	}
	return sb.String()
}

// deptHasSessions reports whether department dept has a clinic session on
// one of the days wd in period ("" any).
func deptHasSessions(x *search.Index, dept int, wd []int, period string) bool {
	name := textnorm.Normalize(x.Data.Departments[dept].Name)
	for _, cs := range x.Data.Schedules {
		if textnorm.Normalize(cs.Department) == name && inDays(cs.Weekday, wd) && samePeriod(cs.Period, period) {
			return true
		}
	}
	return false
}

// deptSchedule answers a department's clinic sessions, filtered by weekdays and period.
func (b *Bot) deptSchedule(x *search.Index, s *session, dept int, wd []int, period string) string {
	d := x.Data
	dep := d.Departments[dept]
	s.Intent = intentSchedule
	s.Dept = dept + 1
	s.Doctor, s.Doctors = "", nil
	s.Weekdays, s.Period = wd, period
	s.List = nil
	name := textnorm.Normalize(dep.Name)
	var all, match []knowledge.ClinicSession
	for _, cs := range d.Schedules {
		if textnorm.Normalize(cs.Department) != name {
			continue
		}
		all = append(all, cs)
		if inDays(cs.Weekday, wd) && samePeriod(cs.Period, period) {
			match = append(match, cs)
		}
	}
	when := daysText(wd) + period
	if len(all) == 0 {
		// No clinic sessions (检验科, 药房): its hours, if any, are in its
		// introduction.
		return dep.Name + "暂无医生门诊排班，以下是科室信息：\n" + b.deptInfo(x, s, dept)
	}
	if len(match) == 0 {
		return fmt.Sprintf("%s%s无门诊（不出诊）。\n如需其他时间，可以问「那平时呢」或「%s哪天有门诊」。", dep.Name, when, dep.Name)
	}
	sortSessions(match)
	var sb strings.Builder
	// Several days asked and only some have sessions (那平时晚上呢): the
	// header names only the days that have them.
	var have, without []int
	if len(wd) > 1 {
		for _, d := range wd {
			found := false
			for _, cs := range match {
				if cs.Weekday == d {
					found = true
					break
				}
			}
			if found {
				have = append(have, d)
			} else {
				without = append(without, d)
			}
		}
	}
	if len(without) > 0 {
		fmt.Fprintf(&sb, "%s%s%s出诊：\n", dep.Name, daysText(have), period)
	} else if when != "" {
		fmt.Fprintf(&sb, "%s%s出诊：\n", dep.Name, when)
	} else {
		fmt.Fprintf(&sb, "%s出诊安排：\n", dep.Name)
	}
	detailed := len(match) <= 6
	// One line per day and period.
	type key struct {
		day    int
		period string
	}
	var keys []key
	groups := map[key][]string{}
	for _, cs := range match {
		k := key{cs.Weekday, cs.Period}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		label := cs.Doctor
		if cs.Title != "" {
			label += "（" + cs.Title
			if detailed {
				if room := roomOf(cs.Location); room != "" {
					label += "，" + room
				}
				if cs.Note != "" {
					label += "，" + cs.Note
				}
			}
			label += "）"
		}
		groups[k] = append(groups[k], label)
	}
	for _, k := range keys {
		fmt.Fprintf(&sb, "%s%s：%s\n", weekdayName(k.day), k.period, strings.Join(groups[k], "、"))
	}
	if dep.Location != "" {
		fmt.Fprintf(&sb, "地点：%s", dep.Location)
		if dep.Phone != "" {
			fmt.Fprintf(&sb, "，电话：%s", dep.Phone)
		}
		sb.WriteString("。")
	}
	return sb.String()
}

// roomOf returns the room part of a location ("门诊楼1楼B区 101诊室" -> "101诊室").
func roomOf(loc string) string {
	f := strings.Fields(loc)
	if len(f) == 0 {
		return ""
	}
	return f[len(f)-1]
}

// deptInfo answers where a department is and how to reach it.
func (b *Bot) deptInfo(x *search.Index, s *session, dept int) string {
	dep := x.Data.Departments[dept]
	s.Intent = intentDepartment
	s.Dept = dept + 1
	s.Doctor, s.Doctors = "", nil
	s.List = nil
	var sb strings.Builder
	sb.WriteString(dep.Name)
	if len(dep.Aliases) > 0 {
		sb.WriteString("（" + strings.Join(dep.Aliases, "、") + "）")
	}
	sb.WriteString("\n")
	if dep.Location != "" {
		sb.WriteString("位置：" + dep.Location + "\n")
	}
	if dep.Phone != "" {
		sb.WriteString("电话：" + dep.Phone + "\n")
	}
	if dep.Intro != "" {
		sb.WriteString("简介：" + dep.Intro + "\n")
	}
	name := textnorm.Normalize(dep.Name)
	for _, cs := range x.Data.Schedules {
		if textnorm.Normalize(cs.Department) == name {
			fmt.Fprintf(&sb, "可以继续问「%s哪天有门诊」。", dep.Name)
			break
		}
	}
	return strings.TrimSpace(sb.String())
}

// openDepartments lists the departments with clinics on the asked days.
func (b *Bot) openDepartments(x *search.Index, s *session, wd []int, period string) string {
	s.Intent = intentSchedule
	s.Weekdays, s.Period = wd, period
	var order []string
	periods := map[string][]string{}
	for _, cs := range x.Data.Schedules {
		if !inDays(cs.Weekday, wd) || !samePeriod(cs.Period, period) {
			continue
		}
		if _, ok := periods[cs.Department]; !ok {
			order = append(order, cs.Department)
		}
		p := weekdayName(cs.Weekday) + cs.Period
		if !contains(periods[cs.Department], p) {
			periods[cs.Department] = append(periods[cs.Department], p)
		}
	}
	when := daysText(wd) + period
	if len(order) == 0 {
		return when + "没有科室出诊（急诊除外）。"
	}
	if len(order) == 1 {
		// One department open then (周三夜里是哪个医生): its doctors.
		name := textnorm.Normalize(order[0])
		for i, d := range x.Data.Departments {
			if textnorm.Normalize(d.Name) == name {
				return b.deptSchedule(x, s, i, wd, period)
			}
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s有门诊的科室：\n", when)
	for _, dn := range order {
		fmt.Fprintf(&sb, "%s：%s\n", dn, strings.Join(periods[dn], "、"))
	}
	sb.WriteString("可以继续问「某科室周几有门诊」查看医生。")
	return sb.String()
}

func contains(xs []string, v string) bool {
	for _, x := range xs {
		if x == v {
			return true
		}
	}
	return false
}

// namesWord reports whether a process is about w itself: its title contains
// w or one of its keywords is w (急诊挂号 qualifies 挂号; it is no booking
// process).
func namesWord(p knowledge.Process, w string) bool {
	if strings.Contains(textnorm.Normalize(p.Title), w) {
		return true
	}
	for _, k := range p.Keywords {
		if textnorm.Normalize(k) == w {
			return true
		}
	}
	return false
}

// appointment answers how to book, with the department's place and phone.
func (b *Bot) appointment(x *search.Index, s *session, dept int) (string, bool) {
	d := x.Data
	s.Intent = intentAppointment
	s.Doctor, s.Doctors = "", nil
	s.List = nil
	if dept >= 0 {
		s.Dept = dept + 1
	}
	var sb strings.Builder
	proc := -1
	for _, q := range []string{"预约挂号", "挂号", "预约"} {
		if hs := x.Processes(q); len(hs) > 0 && hs[0].Query >= procThreshold && namesWord(d.Processes[hs[0].ID], q) {
			proc = hs[0].ID
			break
		}
	}
	if proc >= 0 {
		s.Process = proc + 1
		sb.WriteString(formatProcess(d.Processes[proc], 400))
	} else if hs := x.FAQ("怎么挂号"); len(hs) > 0 && hs[0].Query >= faqThreshold {
		sb.WriteString(d.FAQ[hs[0].ID].Answer)
	} else {
		sb.WriteString("可以在本公众号预约挂号，或到门诊挂号窗口、自助机挂号。")
	}
	if dept >= 0 {
		dep := d.Departments[dept]
		sb.WriteString("\n" + dep.Name)
		if dep.Location != "" {
			sb.WriteString("位置：" + dep.Location)
		}
		if dep.Phone != "" {
			sb.WriteString("，电话：" + dep.Phone)
		}
		sb.WriteString("。可以继续问「周六有门诊吗」。")
	}
	return sb.String(), true
}
