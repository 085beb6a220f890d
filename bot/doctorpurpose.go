package bot

import (
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// doctorAskCues ask which doctor sees something (哪个医生看白内障, 小儿推拿
// 哪个大夫做, 谁看颈椎).
var doctorAskCues = byLenDesc([]string{
	"哪个医生", "哪位医生", "哪个大夫", "哪位大夫", "哪个专家", "哪位专家", "哪个主任", "哪位主任", "哪个医师",
	"什么医生", "啥医生", "哪些医生", "哪个老师", "找哪个", "找谁看", "找谁做", "谁看", "谁做", "谁治",
})

// purposeDrop are words around a which-doctor question that say nothing of
// what the clinic is for.
var purposeDrop = byLenDesc([]string{
	"那个", "那位", "这个", "的", "看", "做", "治", "找", "挂", "是", "吗", "呢", "啊", "哪天", "好久", "多久", "什么时候", "啥时候",
	"坐诊", "出诊", "上班", "在", "有", "病", "号", "医生", "大夫", "专家", "主任", "老师",
})

// genericNoteWords are words of schedule notes that say how a clinic runs,
// not what it is for (专家门诊, 周末门诊, 限号20).
var genericNoteWords = []string{"门诊", "专病", "专家", "专科", "周末", "限号", "夜间", "特需", "普通", "名医", "国医", "名师", "知名", "诊室", "出诊", "停诊", "预约"}

// doctorNotes returns, per doctor (as the index names them), the schedule
// notes of the doctor's sessions joined and normalised.
func doctorNotes(x *search.Index, doctors []string) map[string]string {
	out := map[string]string{}
	for _, d := range doctors {
		var parts []string
		for _, si := range x.DoctorSessions(d) {
			if n := x.Data.Schedules[si].Note; n != "" {
				parts = append(parts, compactNorm(n))
			}
		}
		out[d] = strings.Join(dedupe(parts), "|")
	}
	return out
}

// allDoctors returns every doctor of the schedules, as the index names them,
// in the order of the data.
func allDoctors(x *search.Index) []string {
	var out []string
	seen := map[string]bool{}
	for _, cs := range x.Data.Schedules {
		for _, d := range x.Doctors(compactNorm(cs.Doctor)) {
			if !seen[d] {
				seen[d] = true
				out = append(out, d)
			}
		}
	}
	return out
}

// purposeWords returns the words of what (two characters or more, longest
// first) that occur in one of texts but are no generic clinic word, plus,
// for a complaint of symptomGroups that what mentions, the group's words
// that occur in texts (脑梗 -> 中风).
func purposeWords(what string, texts []string) []string {
	in := func(w string) bool {
		if isOneOf(w, genericNoteWords) {
			return false
		}
		for _, t := range texts {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
	words := knownRuns(what, in)
	for _, g := range symptomGroups {
		if !hasAny(what, g) {
			continue
		}
		for _, w := range g {
			if utf8.RuneCountInString(w) >= 2 && in(w) && !contains(words, w) {
				words = append(words, w)
			}
		}
	}
	return words
}

// doctorsByPurpose returns the doctors among candidates whose schedule notes
// say most of what the patient names (白内障 -> 白内障专病门诊, 小儿推拿);
// nil when no note says any of it.
func doctorsByPurpose(x *search.Index, candidates []string, what string) []string {
	notes := doctorNotes(x, candidates)
	var texts []string
	for _, d := range candidates {
		if notes[d] != "" {
			texts = append(texts, notes[d])
		}
	}
	words := purposeWords(what, texts)
	if len(words) == 0 {
		return nil
	}
	var best []string
	bestN := 0
	for _, d := range candidates {
		n := 0
		for _, w := range words {
			if strings.Contains(notes[d], w) {
				n += utf8.RuneCountInString(w)
			}
		}
		switch {
		case n > bestN:
			best, bestN = []string{d}, n
		case n == bestN && n > 0:
			best = append(best, d)
		}
	}
	return best
}

// purposeText is what a which-doctor question names besides the asking
// (小儿推拿 in 娃积食 小儿推拿哪个大夫做), compact.
func purposeText(u *understanding) string {
	q := removeAll(u.norm, doctorAskCues)
	q = removeAll(q, fillersSorted)
	q = removeAll(q, slotWords)
	q = removeAll(q, purposeDrop)
	return strings.ReplaceAll(q, " ", "")
}

// doctorByPurpose answers which doctor sees what the patient names, by the
// notes of the doctors' sessions (哪个医生看白内障 -> the doctor whose note
// says 白内障专病门诊), or, while doctors of the same name are being told
// apart (马医生 -> two), by the notes or the department's words (看脑梗的那个
// -> the one in the department whose introduction says 脑梗). A question
// whose words no note says is left to the department answers.
func (b *Bot) doctorByPurpose(x *search.Index, s *session, u *understanding) (string, bool) {
	if u.priceCue || len(u.doctors) > 0 || len(u.surname) > 0 {
		return "", false
	}
	clarifying := len(s.Doctors) > 1 && s.Intent == intentSchedule
	if !clarifying && !hasAny(u.norm, doctorAskCues) {
		return "", false
	}
	what := purposeText(u)
	// A department named (儿科夜诊是哪个医生) chooses among its doctors;
	// its name says nothing of the clinic.
	what = removeAll(what, byLenDesc(x.DepartmentMentions(u.norm)))
	if utf8.RuneCountInString(what) < 2 {
		return "", false
	}
	candidates := s.Doctors
	if !clarifying {
		candidates = filterDoctorsByDept(x, allDoctors(x), u.depts)
	}
	candidates = doctorsOn(x, candidates, u.weekdays, u.period)
	ds := doctorsByPurpose(x, candidates, what)
	if len(ds) == 0 && clarifying {
		// The department's own words (脑病科: 诊治中风（脑梗死…）).
		var texts []string
		for _, d := range x.Data.Departments {
			texts = append(texts, compactNorm(d.Name+"|"+strings.Join(d.Aliases, "|")+"|"+d.Intro))
		}
		words := purposeWords(what, texts)
		var depts []int
		for i, t := range texts {
			for _, w := range words {
				if strings.Contains(t, w) {
					depts = append(depts, i)
					break
				}
			}
		}
		if len(depts) > 0 {
			ds = filterDoctorsByDept(x, s.Doctors, depts)
		}
	}
	switch {
	case len(ds) == 1:
		text := b.doctorSchedule(x, s, ds[0], u.weekdays, u.period)
		if w := purposeWords(what, []string{doctorNotes(x, ds)[ds[0]]}); len(w) > 0 {
			// What the clinic is for, for a price asked next (一次多少钱).
			s.Topic = w[0]
		}
		return text, true
	case len(ds) > 1 && len(ds) <= maxListed:
		return b.clarifyDoctors(x, s, ds, u), true
	}
	return "", false
}

// doctorsOn keeps the doctors with a session on one of the days wd in
// period (all days and periods when none is given).
func doctorsOn(x *search.Index, doctors []string, wd []int, period string) []string {
	if len(wd) == 0 && period == "" {
		return doctors
	}
	var out []string
	for _, d := range doctors {
		for _, si := range x.DoctorSessions(d) {
			cs := x.Data.Schedules[si]
			if inDays(cs.Weekday, wd) && samePeriod(cs.Period, period) {
				out = append(out, d)
				break
			}
		}
	}
	return out
}
