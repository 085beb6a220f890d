package bot

import (
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/textnorm"
)

// Matching thresholds (coverage of the query's weight, 0..1).
const (
	itemThreshold    = 0.5  // a price item must cover this much of the question
	bandMargin       = 0.06 // items this close to the best are equally good: list them
	fragBand         = 0.1  // fragment: items this close to the best fragment match
	faqThreshold     = 0.6
	faqDocThreshold  = 0.25
	procThreshold    = 0.5
	stepThreshold    = 0.4
	stepAsProcess    = 0.85 // a step's match counts this much for its process
	suggestThreshold = 0.3
	maxReplyRunes    = 560
	pageSize         = 8
	maxListed        = 40 // a list keeps at most this many entries (5 pages)
)

// answerOut is the core's answer to one message.
type answerOut struct {
	text     string
	transfer bool
	record   string // normalised question to record as unanswered
}

// understanding is what one message says, before deciding how to answer.
type understanding struct {
	norm      string
	iq        string // item query (cues removed, typos corrected)
	iqAlt     string // item query without a second, detail question (要不要空腹)
	iqFull    string // item query before chatter around it is trimmed (the patient's words)
	tq        string // topic query (how/where words removed, typos corrected)
	fq        string // question query (for FAQ)
	priceCue  bool
	schedCue  bool
	apptCue   bool
	whereCue  bool
	phoneCue  bool
	detailCue bool
	frag      bool
	depts     []int
	doctors   []string
	surname   []string // doctors matching "王医生"
	weekdays  []int
	period    string
	// noteGuess is set when the answer was found only in items' notes
	// (priceRetry): a guess a clause of the message may answer better.
	noteGuess bool
}

func (b *Bot) understand(x *search.Index, norm string, now time.Time) *understanding {
	norm = collapseMeasure(norm)
	if romanOnly(norm) {
		// A question typed wholly in pinyin (tuina duoshao qian): its
		// curated and question words in characters.
		if c := x.Correct(norm); c != strings.ReplaceAll(norm, " ", "") && !romanOnly(c) {
			norm = c
		}
	}
	u := &understanding{norm: norm}
	u.iq = x.Correct(itemQuery(norm))
	u.iq = dropHumanWord(x, u.iq)
	u.iqFull = u.iq
	if t := x.TrimChatter(u.iq); t != "" {
		u.iq = t
		// The character cut (我妈想头颅CT) when only that finds an item.
		if old := x.TrimForeignEdges(u.iqFull); old != t && old != "" && !confident(x, t) && confident(x, old) {
			u.iq = old
		}
	}
	if u.iq != "" {
		// A word that starts like a lead filler (再植, 加压包扎): the
		// filler kept when only then an item is named.
		for _, w := range leadFillers {
			if strings.HasPrefix(norm, w+u.iq) {
				if !confident(x, u.iq) && confident(x, w+u.iq) {
					u.iq = w + u.iq
				}
				break
			}
		}
	}
	u.tq = x.Correct(topicQuery(norm))
	u.fq = questionQuery(norm)
	// Who the patient is (老公住院了几点可以去看他) says nothing about a
	// stored question unless the data's questions name them.
	for _, k := range kinWords {
		if strings.Contains(u.fq, k) && !x.Known(k) {
			u.fq = cleanSpaces(strings.ReplaceAll(u.fq, k, " "))
		}
	}
	u.priceCue = hasAny(norm, priceCues) || countedHowMuch(norm) || feeHowMuchRe.MatchString(norm)
	u.detailCue = hasAny(norm, detailCues) || hasAny(norm, makerCues)
	if u.priceCue && (u.detailCue || hasAny(norm, whenCues)) {
		// Two questions in one message (血脂多少钱要不要空腹): the item
		// query without the second one.
		u.iqAlt = x.Correct(itemQuery(removeAll(norm, detailSplitSorted)))
		if t := x.TrimForeignEdges(u.iqAlt); t != "" {
			u.iqAlt = t
		}
	}
	u.weekdays = parseWeekdays(norm, now)
	u.period = parsePeriod(norm)
	u.schedCue = hasAny(norm, scheduleCues) || u.weekdays != nil || u.period != ""
	u.apptCue = hasAny(norm, apptCues)
	u.whereCue = hasAny(norm, whereCues) || strings.Contains(norm, "诊室")
	u.phoneCue = hasAny(norm, phoneCues)
	u.frag = isFragment(norm)
	u.surname = surnameDoctors(x, norm)
	u.depts = x.Departments(norm)
	if len(u.depts) == 0 {
		// Words patients call their children (二宝) are never "corrected"
		// into a department's alias (儿保).
		u.depts = x.Departments(x.Correct(cleanSpaces(removeAll(norm, whoWords))))
	}
	if len(u.depts) == 0 && len(u.surname) > 0 {
		u.depts = x.DepartmentsLoose(norm)
	}
	if len(u.depts) == 0 && (u.schedCue || u.whereCue || u.phoneCue) {
		// A name without its suffix (内分泌, 抽血 for 抽血处) only when
		// nothing else is asked about (CT报告什么时候出 is not CT室).
		rest := removeAll(u.tq, byLenDesc(x.LooseMentions(norm)))
		rest = removeAll(rest, slotWords)
		rest = cleanSpaces(removeAll(rest, looseDeptDrop))
		if rest == "" || !x.Known(rest) {
			u.depts = x.DepartmentsLoose(norm)
		}
	}
	u.doctors = x.Doctors(norm)
	return u
}

// dropHumanWord removes 人工 from an item query unless it starts the name of
// an item (人工流产 asked on purpose).
func dropHumanWord(x *search.Index, q string) string {
	if !strings.Contains(q, "人工") {
		return q
	}
	i := strings.Index(q, "人工")
	rest := q[i+len("人工"):]
	if r, _ := utf8.DecodeRuneInString(rest); r != utf8.RuneError {
		probe := "人工" + string(r)
		for k := range x.Data.Prices {
			if strings.Contains(x.ItemName(k), probe) {
				return q
			}
		}
	}
	return strings.TrimSpace(strings.Replace(q, "人工", "", 1))
}

// surnameDoctors finds doctors named by surname and title: 王医生, 刘大夫, 陈主任.
func surnameDoctors(x *search.Index, norm string) []string {
	// 姓李的医生, 姓王的大夫.
	if i := strings.Index(norm, "姓"); i >= 0 {
		if r, _ := utf8.DecodeRuneInString(norm[i+len("姓"):]); r != utf8.RuneError {
			if ds := x.DoctorsBySurname(string(r)); len(ds) > 0 && hasAny(norm, []string{"医生", "大夫", "主任", "专家", "教授", "坐诊", "出诊"}) {
				return ds
			}
		}
	}
	for _, t := range []string{"医生", "大夫", "主任", "教授", "专家", "老师"} {
		for off := 0; ; {
			k := strings.Index(norm[off:], t)
			if k < 0 {
				break
			}
			pos := off + k
			if pos > 0 {
				r, _ := utf8.DecodeLastRuneInString(norm[:pos])
				if ds := x.DoctorsBySurname(string(r)); len(ds) > 0 {
					return ds
				}
			}
			off = pos + len(t)
		}
	}
	return nil
}

// answer is the core: commands, then understanding with the session's context.
func (b *Bot) answer(x *search.Index, s *session, raw, norm string, now time.Time) (answerOut, bool) {
	done := func(text string) (answerOut, bool) { return answerOut{text: b.finish(x, text)}, true }

	if norm == "" {
		if strings.ContainsAny(raw, "?？") {
			return answerOut{text: b.welcome(x, false)}, true
		}
		return answerOut{text: "请用文字告诉我您想咨询的问题，例如「血常规多少钱」「住院流程」；回复「帮助」查看能问什么。"}, true
	}
	norm = deptChoice(fixTypos(norm))
	if isHuman(norm) {
		return answerOut{text: b.human(x), transfer: true}, true
	}
	if isHelp(norm) {
		return answerOut{text: b.welcome(x, false)}, true
	}
	if isOneOf(trimFillers(norm), moreWords) || isOneOf(norm, moreWords) {
		return done(b.more(x, s))
	}
	if text, ok := b.strengthPick(x, s, norm); ok {
		return done(text)
	}
	if n, ok := pickNumber(norm); ok {
		if len(s.List) > 0 {
			return done(b.pick(x, s, n))
		}
		// A bare number names nothing without a list: never searched.
		if isBareNumber(norm) {
			return done("请直接告诉我您想咨询的项目，例如「血常规多少钱」「儿科在哪」；回复「帮助」查看能问什么。")
		}
	}
	if isOneOf(norm, []string{"取消", "算了", "不用了", "退出", "结束"}) {
		*s = session{Version: s.Version}
		return done("好的，已取消。还有其他问题可以直接发给我。")
	}
	if isOneOf(trimFillers(norm), []string{"谢谢", "好的", "好", "知道了", "明白了", "ok", "嗯", "收到", "谢了", "感谢", "多谢", "行"}) {
		return answerOut{text: "不客气！还有其他问题可以随时问我。"}, true
	}

	u := b.understand(x, norm, now)
	// An urgent sign (嘴歪, 胸口痛, 牙磕掉了) gets the emergency line first,
	// whatever else is answered.
	urgentLine := urgentNote(x, u.norm)
	before := s.clone()
	if text, ok := b.route(x, s, u); ok {
		if u.noteGuess {
			// Found only in items' notes (骨密度 noted on a check-up
			// package): a clause of the message that names an item
			// (骨密度DXA多少钱 我妈想查骨质疏松) answers it better.
			after := s.clone()
			if ct, ok := b.clauses(x, before, raw, now); ok {
				*s = *before
				return done(urgentLine + ct)
			}
			*s = *after
		}
		return done(urgentLine + text)
	}
	// Several questions in one message that fail together: each clause.
	if text, ok := b.clauses(x, before, raw, now); ok {
		*s = *before
		return done(urgentLine + text)
	}
	if urgentLine != "" {
		return done(strings.TrimSpace(urgentLine))
	}
	if text, ok := b.lateNight(x, s, u); ok {
		return done(text)
	}
	text := b.unknown(x, s, u)
	return answerOut{text: b.finish(x, text), record: norm}, false
}

// route picks the answer for an understood message; ok is false when nothing
// fits with confidence.
func (b *Bot) route(x *search.Index, s *session, u *understanding) (string, bool) {
	// 1. Doctors named in full, or by surname and title.
	if len(u.doctors) > 0 && !u.priceCue {
		if len(u.doctors) == 1 {
			return b.doctorSchedule(x, s, u.doctors[0], u.weekdays, u.period), true
		}
		return b.clarifyDoctors(x, s, u.doctors, u), true
	}
	if len(u.surname) > 0 && !u.priceCue {
		ds := filterDoctorsByDept(x, u.surname, u.depts)
		if len(ds) > 1 && len(u.depts) == 0 && s.Dept > 0 {
			// 刘医生哪天在 right after 老年病科: the one of that department.
			if in := filterDoctorsByDept(x, ds, []int{s.Dept - 1}); len(in) == 1 {
				ds = in
			}
		}
		if len(ds) == 1 {
			return b.doctorSchedule(x, s, ds[0], u.weekdays, u.period), true
		}
		if len(ds) > 1 {
			return b.clarifyDoctors(x, s, ds, u), true
		}
	}
	// Which doctor sees it (哪个医生看白内障), by the clinics' notes.
	if text, ok := b.doctorByPurpose(x, s, u); ok {
		return text, true
	}
	// Which department treats it (孩子咳嗽挂什么科): before follow-ups.
	if text, ok := b.deptByTopic(x, s, u, false); ok {
		return text, true
	}
	// 2. Follow-ups that depend on the session.
	if text, ok := b.followUp(x, s, u); ok {
		return text, true
	}
	// 3. Appointment, unless the message is about something else (胃镜要预约吗).
	if u.apptCue && !u.priceCue {
		dept := -1
		if len(u.depts) > 0 {
			dept = u.depts[0]
		}
		rest := cleanSpaces(removeAll(u.tq, apptCuesSorted))
		for _, m := range x.DepartmentMentions(u.norm) {
			rest = strings.ReplaceAll(rest, m, "")
		}
		rest = cleanSpaces(removeAll(rest, apptRestDrop))
		// Registering with a named department (孩子发烧了儿科怎么挂号): the
		// complaint is why, the registration is what is asked.
		if rest == "" || !x.Known(rest) || dept >= 0 && hasAny(u.norm, regAskCues) {
			return b.appointment(x, s, dept)
		}
		if text, ok := b.generic(x, s, u, true); ok {
			return text, true
		}
		return b.appointment(x, s, dept)
	}
	// A bare department name: where it is.
	if len(u.depts) > 0 && !u.priceCue {
		rest := u.tq
		for _, m := range x.DepartmentMentions(u.norm) {
			rest = strings.ReplaceAll(rest, m, "")
		}
		if cleanSpaces(rest) == "" && u.weekdays == nil && u.period == "" {
			return b.deptInfo(x, s, u.depts[0]), true
		}
	}
	// A day for a child with nothing else named (礼拜六娃看病有大夫没):
	// the paediatric department's sessions then.
	if len(u.depts) == 0 && u.weekdays != nil && u.schedCue && !u.priceCue && childOnly(u.norm) {
		if d, ok := childDept(x); ok {
			return b.deptSchedule(x, s, d, u.weekdays, u.period), true
		}
	}
	// Weekdays without a department: an FAQ that answers it, or the
	// departments open then.
	if len(u.depts) == 0 && u.weekdays != nil && u.schedCue && !u.priceCue {
		if hs := x.FAQ(u.fq); len(hs) > 0 && (hs[0].Query+hs[0].Doc)/2 >= 0.75 {
			return b.faq(x, s, hs[0].ID), true
		}
		// 明天出院要怎么结账 asks how a process is done, on a day.
		if !hasTopic(x, u) && !hasAny(u.norm, procAskCues) && !howOnDay(x, u) {
			return b.openDepartments(x, s, u.weekdays, u.period), true
		}
	}
	// 4. Department: where / phone / schedule.
	if len(u.depts) > 0 && !u.priceCue {
		d := u.depts[0]
		if (u.whereCue || u.phoneCue) && u.weekdays == nil && u.period == "" {
			return b.deptInfo(x, s, d), true
		}
		if u.schedCue {
			return b.deptSchedule(x, s, d, u.weekdays, u.period), true
		}
	}
	// 5. Price questions.
	if u.priceCue {
		// 好多钱一次 after an FAQ answer or a process: the price of its topic.
		if priceCueOnly(u.norm) {
			if text, ok := b.priceOfTopic(x, s); ok {
				return text, true
			}
			// 几多钱 after a question about one item's note (OGTT要空腹吗):
			// that item's price.
			if s.Intent == intentPrice && len(s.Items) == 1 && s.Items[0] >= 0 && s.Items[0] < len(x.Data.Prices) {
				return b.showItems(x, s, s.Items, s.Query), true
			}
		}
		// A fee the FAQ answers (停车一小时多少钱) rather than an item:
		// compared on the same content words. An answer that speaks of
		// no money answers no price question.
		cq := contentQuery(u.tq)
		if t := b.bestTopic(x, cq); t != nil && t.Ref.Kind == search.TextFAQ && moneyText(refText(x.Data, t.Ref)) {
			if hs := x.Items(cq); len(hs) == 0 || t.Query >= hs[0].Query+topicOverItem {
				return b.topic(x, s, t.Ref), true
			}
		}
		if s.Intent == intentPrice && s.Query != "" && u.frag {
			if text, ok := b.priceFragment(x, s, u.iq); ok {
				return text, true
			}
		}
		if isRegQuestion(u.norm) {
			if text, ok := b.regFee(x, s, u.norm, false); ok {
				return text, true
			}
		}
		if text, ok := b.bloodTests(x, s, u.norm); ok {
			return text, true
		}
		if text, ok := b.priceMany(x, s, u); ok {
			return text, true
		}
		if u.detailCue && u.iqAlt != "" && u.iqAlt != u.iq && confident(x, u.iqAlt) {
			// The detail's words (要空腹不) name no item: 糖化 要空腹吗 is
			// 糖化血红蛋白, not 空腹血糖.
			if text, ok := b.priceFresh(x, s, u.iqAlt); ok {
				return text + listDetailNotes(x, s, u.norm), true
			}
		}
		if text, ok := b.priceFresh(x, s, u.iq); ok {
			// A detail asked with it (要空腹不): the listed items' notes on it.
			return text + listDetailNotes(x, s, u.norm), true
		}
		if u.iqAlt != "" && u.iqAlt != u.iq && confident(x, u.iqAlt) {
			// When it is done (三伏贴啥时候贴多少钱), asked in an FAQ
			// question: that answer, then the price.
			faqText := ""
			if !u.detailCue {
				if hs := x.FAQ(u.fq); len(hs) > 0 && (hs[0].Query+hs[0].Doc)/2 >= 0.75 {
					faqText = b.faq(x, s, hs[0].ID) + "\n\n"
				}
			}
			if text, ok := b.priceFresh(x, s, u.iqAlt); ok {
				return faqText + text + listDetailNotes(x, s, u.norm), true
			}
		}
		if s.Intent == intentPrice && !confident(x, u.iq) {
			if text, ok := b.familyFragment(x, s, u.norm, 2); ok {
				return text, true
			}
		}
		if text, ok := b.generic(x, s, u, false); ok {
			return text, true
		}
		if text, ok := b.priceRetry(x, s, u); ok {
			return text, true
		}
		if s.Intent == intentPrice && s.Query != "" {
			if text, ok := b.priceFragment(x, s, u.iq); ok {
				return text, true
			}
		}
		// Two names side by side (肝功肾功), tried last: each must match
		// better than the whole did.
		if text, ok := b.priceJuxtaposed(x, s, u); ok {
			return text, true
		}
		return b.nearItem(x, s, u.iq)
	}
	// 6. Everything else by best match. A question about how something is
	// done (住院要办什么手续) asks for a process or FAQ, never an item whose
	// name shares the topic (住院诊查费).
	if hasAny(u.norm, procAskCues) || u.weekdays != nil && howOnDay(x, u) {
		if text, ok := b.generic(x, s, u, false); ok {
			return text, true
		}
		if id, ok := processByHead(x, u.norm); ok {
			return b.process(x, s, id), true
		}
	}
	// Where a service is done (四维在哪栋楼做): an FAQ answer or a step
	// that says where, before the items' prices.
	if u.whereCue && !u.priceCue && len(u.depts) == 0 && hasAny(u.norm, whereDoVerbs) {
		if text, ok := b.generic(x, s, u, false); ok {
			return text, true
		}
	}
	// What is done at a week of pregnancy or an age (孕24周要做什么检查).
	if text, ok := b.byAgeRange(x, s, u); ok {
		return text, true
	}
	// First a question an item's note answers (孕妇能拍胸片吗).
	if text, ok := b.itemAsk(x, s, u, false); ok {
		return text, true
	}
	if text, ok := b.itemTopicFollowUp(x, s, u); ok {
		return text, true
	}
	if text, ok := b.generic(x, s, u, true); ok {
		return text, true
	}
	if len(u.depts) > 0 {
		return b.deptInfo(x, s, u.depts[0]), true
	}
	if u.weekdays != nil && u.schedCue {
		return b.openDepartments(x, s, u.weekdays, u.period), true
	}
	if text, ok := b.topicFollowUp(x, s, u); ok {
		return text, true
	}
	// Where a service is done (羊水穿刺在哪做): the department that names it.
	return b.deptByTopic(x, s, u, true)
}

// topicFollowUp answers a short question after an FAQ answer or a process
// (能寄到家里吗 after 病历复印) with the last topic's words added.
func (b *Bot) topicFollowUp(x *search.Index, s *session, u *understanding) (string, bool) {
	prev := ""
	switch {
	case s.Intent == intentFAQ && s.Topic != "":
		prev = s.Topic
	case s.Intent == intentProcess && s.Process > 0 && s.Process <= len(x.Data.Processes):
		prev = x.Data.Processes[s.Process-1].Title
	}
	cq := contentQuery(u.tq)
	if prev == "" || cq == "" {
		return "", false
	}
	if t := b.bestTopic(x, contentQuery(topicQuery(prev))+cq); t != nil {
		// The follow-up's own words must be found there too.
		if c := x.TopicCoverage(cq, *t); c >= topicThreshold {
			return b.topic(x, s, t.Ref), true
		}
	}
	return "", false
}

// itemTopicFollowUp answers a question about the one item just priced that
// its note does not answer (代煎 -> 可以寄到家里吗) from the FAQ entry or
// process step about that item which also says the question's words.
func (b *Bot) itemTopicFollowUp(x *search.Index, s *session, u *understanding) (string, bool) {
	if s.Intent != intentPrice || len(s.Items) != 1 || s.Items[0] < 0 || s.Items[0] >= len(x.Data.Prices) || u.priceCue || confident(x, u.iq) {
		return "", false
	}
	item := contentQuery(topicQuery(textnorm.Normalize(x.Data.Prices[s.Items[0]].Name)))
	cq := contentQuery(u.tq)
	if item == "" || cq == "" {
		return "", false
	}
	t := b.bestTopic(x, item+" "+cq)
	if t == nil || x.TopicCoverage(cq, *t) < topicThreshold || x.TopicCoverage(item, *t) < 0.5 {
		return "", false
	}
	return b.topic(x, s, t.Ref), true
}

// followUp answers messages that continue the last answer.
func (b *Bot) followUp(x *search.Index, s *session, u *understanding) (string, bool) {
	switch s.Intent {
	case intentSchedule, intentAppointment, intentDepartment:
		// Clarifying a doctor: 骨科那个.
		if len(s.Doctors) > 1 && len(x.DepartmentsLoose(u.norm)) > 0 {
			ds := filterDoctorsByDept(x, s.Doctors, x.DepartmentsLoose(u.norm))
			if len(ds) == 1 {
				return b.doctorSchedule(x, s, ds[0], u.weekdays, u.period), true
			}
		}
		// 他在哪个诊室.
		if s.Doctor != "" && len(u.depts) == 0 && (u.whereCue || hasAny(u.norm, []string{"他", "她", "这个医生", "这位"})) && !u.priceCue {
			if u.weekdays == nil && u.period == "" && (u.whereCue || u.phoneCue) {
				return b.doctorPlace(x, s, s.Doctor), true
			}
			return b.doctorSchedule(x, s, s.Doctor, u.weekdays, u.period), true
		}
		slots := u.weekdays != nil || u.period != ""
		if slots && len(u.depts) == 0 && !u.priceCue && !u.apptCue && !b.slotTopic(x, u) {
			wd, pd := u.weekdays, u.period
			if wd == nil {
				wd = s.Weekdays
			}
			carried := false
			if pd == "" && u.weekdays != nil {
				pd, carried = s.Period, s.Period != ""
			}
			if s.Doctor != "" && s.Intent == intentSchedule {
				return b.doctorSchedule(x, s, s.Doctor, wd, pd), true
			}
			if s.Dept > 0 {
				// 星期天呢 after 晚上有没得: the period carried over has no
				// session that day, the day has others: those, said so.
				if carried && !deptHasSessions(x, s.Dept-1, wd, pd) && deptHasSessions(x, s.Dept-1, wd, "") {
					note := x.Data.Departments[s.Dept-1].Name + daysText(wd) + pd + "无门诊，" + daysText(wd) + "其他时段：\n"
					return note + b.deptSchedule(x, s, s.Dept-1, wd, ""), true
				}
				return b.deptSchedule(x, s, s.Dept-1, wd, pd), true
			}
		}
		if s.Dept > 0 && len(u.depts) == 0 && !u.priceCue && !u.apptCue {
			if u.schedCue && !hasTopic(x, u) {
				return b.deptSchedule(x, s, s.Dept-1, u.weekdays, u.period), true
			}
			if (u.whereCue || u.phoneCue) && !hasTopic(x, u) {
				return b.deptInfo(x, s, s.Dept-1), true
			}
		}
	case intentPrice:
		// Where a department named in the question is (推拿在哪做 after a
		// price of 小儿推拿): the department's place, not the item again.
		if u.whereCue && !u.priceCue && len(u.depts) > 0 && x.Data.Departments[u.depts[0]].Location != "" {
			return b.deptInfo(x, s, u.depts[0]), true
		}
		if text, ok := b.priceSuperlative(x, s, u.norm); ok {
			return text, true
		}
		if text, ok := b.formNarrow(x, s, u.norm); ok {
			return text, true
		}
		if text, ok := b.countedNarrow(x, s, u.norm); ok {
			return text, true
		}
		if text, ok := b.plainVariant(x, s, u.norm); ok {
			return text, true
		}
		// 肝胆的 要空腹不: narrow the last list, then its detail.
		if text, ok := b.fragmentDetail(x, s, u); ok {
			return text, true
		}
		// 24周了能做吗: the items' noted time range.
		if text, ok := b.rangeFollowUp(x, s, u); ok {
			return text, true
		}
		// Where, when, how long, how many about the items just priced.
		if text, ok := b.aspectFollowUp(x, s, u); ok {
			return text, true
		}
		// A question naming another item is about that item.
		if text, ok := b.itemAsk(x, s, u, true); ok {
			return text, true
		}
		if text, ok := b.itemNoteFollowUp(x, s, u); ok && !u.detailCue {
			return text, true
		}
		if text, ok := b.itemProcessStep(x, s, u); ok {
			return text, true
		}
		if len(s.Items) > 0 && u.detailCue && !(u.priceCue && !u.frag && x.Known(u.iq) && confident(x, u.iq)) {
			if text, ok := b.itemDetailQuestion(x, s, u); ok {
				return text, true
			}
		}
		// How to book something (体检怎么预约) asks for a process, not a
		// narrower price.
		howToBook := u.apptCue && hasAny(u.norm, howCuesSorted)
		if s.Query != "" && !u.priceCue && !howToBook && (u.frag || utf8.RuneCountInString(u.iq) <= 6) && len(u.doctors) == 0 {
			// A longer piece of the message found literally in one
			// family member's name (再加一组) is the strongest evidence.
			if s.Query == regQuery {
				if text, ok := b.regFee(x, s, u.norm, true); ok {
					return text, true
				}
			}
			if text, ok := b.familyFragment(x, s, u.norm, 3); ok {
				return text, true
			}
			if text, ok := b.priceFragment(x, s, u.iq); ok {
				return text, true
			}
			if text, ok := b.familyFragment(x, s, u.norm, 2); ok {
				return text, true
			}
		}
	case intentProcess:
		if s.Process > 0 && !u.priceCue {
			if text, ok := b.processStep(x, s, u); ok {
				return text, true
			}
		}
		if text, ok := b.aspectFollowUp(x, s, u); ok {
			return text, true
		}
	case intentFAQ:
		if text, ok := b.aspectFollowUp(x, s, u); ok {
			return text, true
		}
	}
	return "", false
}

// whereDoVerbs are the verbs of a question where a service is done.
var whereDoVerbs = []string{"做", "查", "拍", "抽", "打", "照", "验", "测", "评估", "检查"}

// slotTopic reports whether a message with a day or period in it names a
// topic of its own that an FAQ answer or a step says all of (晚上在哪拿药
// after 急诊在哪: the pharmacy's hours, not the department's night
// sessions).
func (b *Bot) slotTopic(x *search.Index, u *understanding) bool {
	rest := cleanSpaces(removeAll(removeAll(u.tq, slotWords), schedPhoneCuesSorted))
	if utf8.RuneCountInString(strings.ReplaceAll(rest, " ", "")) < 2 || len(x.DepartmentsLoose(rest)) > 0 {
		return false
	}
	t := b.bestTopic(x, contentQuery(u.tq))
	return t != nil && t.Query >= 0.9 && x.TopicCoverage(contentQuery(rest), *t) >= 0.9
}

// Word lists removed from queries, longest first, built once.
var (
	looseDeptDrop        = byLenDesc(append(append(append([]string{}, phoneCues...), scheduleCues...), "抽", "办", "交", "看", "去", "做", "开"))
	regAskCues           = []string{"挂号", "挂个号", "挂一个号", "挂专家号", "挂什么号", "挂哪个号"}
	apptRestDrop         = byLenDesc(append(append([]string{}, scheduleCues...), "方式", "办法", "号"))
	schedPhoneCuesSorted = byLenDesc(append(append([]string{}, scheduleCues...), phoneCues...))
)

// hasTopic reports whether a message names something of its own (a process,
// an FAQ topic or an item) rather than only slots.
func hasTopic(x *search.Index, u *understanding) bool {
	t := removeAll(u.tq, schedPhoneCuesSorted)
	t = removeAll(t, slotWords)
	t = cleanSpaces(t)
	if t == "" {
		return false
	}
	return x.Known(t)
}

// childAskWords are what a schedule question for a child may say besides
// the child, the day and the schedule cue (礼拜六孩子看病有大夫吗).
var (
	childAskWords      = byLenDesc([]string{"看病", "看", "病", "有", "能", "可以", "去", "带", "吗", "没", "不", "的", "了", "医院"})
	scheduleCuesSorted = byLenDesc(scheduleCues)
)

// childOnly reports whether a message names a child and, besides days,
// periods and schedule words, nothing else: a question about the
// paediatric department's sessions.
func childOnly(norm string) bool {
	if !hasAny(norm, childWords) {
		return false
	}
	rest := removeAll(norm, childWords)
	rest = removeAll(rest, slotWords)
	rest = removeAll(rest, scheduleCuesSorted)
	rest = removeAll(rest, fillersSorted)
	rest = removeAll(rest, childAskWords)
	return strings.TrimSpace(rest) == ""
}

// howOnDay reports whether a message with a day in it asks how a process is
// done (我妈明天出院要怎么结账): a how word and a process its words name.
func howOnDay(x *search.Index, u *understanding) bool {
	if !hasAny(u.norm, howCues) {
		return false
	}
	_, ok := processByHead(x, u.norm)
	return ok
}

// priceCueOnly reports whether a message says nothing but that it asks a
// price (多少钱, 好多钱一次, 请问价格呢): no word of its own names a fee.
func priceCueOnly(norm string) bool {
	return cleanSpaces(removeCounting(removeAll(removeAll(norm, priceCuesSorted), fillersSorted))) == ""
}

// confident reports whether an item query alone matches an item with confidence.
func confident(x *search.Index, q string) bool {
	hs := x.Items(q)
	return len(hs) > 0 && hs[0].Query >= itemThreshold
}

// generic compares FAQ, processes and price items and answers with the best.
// withItems false leaves items out (already tried).
func (b *Bot) generic(x *search.Index, s *session, u *understanding, withItems bool) (string, bool) {
	var faqScore, procScore, itemScore float64
	faqID, procID := -1, -1
	var stepRef *search.TextRef
	fq := u.fq
	if u.priceCue && priceCueOnly(fq) {
		// 多少钱 alone names no fee: never the one FAQ entry about a price.
		fq = ""
	}
	for _, h := range x.FAQ(fq) {
		// An FAQ question must be mostly covered by the message too.
		if h.Doc < faqDocThreshold {
			continue
		}
		// One short word (没有, 实名) must be most of a stored question.
		if shortQuery(u.fq) && h.Doc < 0.6 {
			continue
		}
		if sc := (h.Query + h.Doc) / 2; sc > faqScore {
			faqScore, faqID = sc, h.ID
		}
	}
	if u.tq != "" {
		if hs := x.Processes(u.tq); len(hs) > 0 {
			procScore, procID = hs[0].Query, hs[0].ID
		}
		// A question answered by one step names its process too; when the
		// step matches better than any process name, answer the step.
		var steps []search.TextHit
		if !shortQuery(u.tq) {
			// One short word is no question a step's text answers.
			steps = x.Texts(u.tq, false, func(r search.TextRef) bool { return r.Kind == search.TextStep })
		}
		steps = preferAmount(func(r search.TextRef) string { return refText(x.Data, r) }, u.norm, steps)
		for _, h := range steps {
			if sc := h.Query * stepAsProcess; sc > procScore {
				if procScore < procThreshold && sc >= procThreshold {
					stepRef = &h.Ref
				}
				procScore, procID = sc, h.Ref.Index
			}
			break
		}
	}
	iq := u.iq
	if withItems && u.detailCue && u.iqAlt != "" && u.iqAlt != u.iq {
		// The detail asked with it (要空腹吗) names no item: 糖化 要空腹吗 is
		// 糖化血红蛋白, never 空腹血糖.
		if hs := x.Items(u.iqAlt); len(hs) > 0 && hs[0].Query >= itemThreshold {
			iq = u.iqAlt
		}
	}
	if withItems && iq != "" {
		if hs := x.Items(iq); len(hs) > 0 {
			itemScore = hs[0].Query
		}
	}
	var topic *search.TextHit
	if withItems {
		cq := contentQuery(u.tq)
		if topic = b.bestTopic(x, cq); topic != nil && itemScore >= itemThreshold {
			// Compare with the items on the same words: the item query
			// drops what no item name knows (被猫咬 in 被猫咬了去哪打针).
			if hs := x.Items(cq); len(hs) > 0 && topic.Query < hs[0].Query+topicOverItem {
				topic = nil
			}
		}
	}
	if u.priceCue && procScore > 0 {
		// A price question is answered by a process only where it speaks
		// of money (住院押金多少钱), never by a step about something else.
		if (stepRef != nil && !moneyText(x.Data.Processes[stepRef.Index].Steps[stepRef.Step])) ||
			(stepRef == nil && !processHasMoney(x, procID)) {
			procScore, stepRef = 0, nil
		}
	}
	if u.priceCue && topic != nil && topic.Ref.Kind == search.TextStep && !moneyText(x.Data.Processes[topic.Ref.Index].Steps[topic.Ref.Step]) {
		topic = nil
	}
	switch {
	case faqScore >= faqThreshold && faqScore >= procScore-0.05 && faqScore >= itemScore-0.1:
		return b.faq(x, s, faqID), true
	case procScore >= procThreshold && procScore >= itemScore:
		if stepRef != nil {
			return b.step(x, s, refineStep(x, contentQuery(u.tq), *stepRef)), true
		}
		return b.process(x, s, procID), true
	case withItems && itemScore >= itemThreshold && topic == nil:
		return b.priceFresh(x, s, iq)
	}
	if topic != nil {
		return b.topic(x, s, refineStep(x, contentQuery(u.tq), topic.Ref)), true
	}
	return "", false
}

// Topic matching (FAQ answers and process steps searched as a whole).
const (
	topicThreshold = 0.72
	topicMargin    = 0.04 // over the best hit of another FAQ entry or process
	topicOverItem  = 0.15 // a topic beats an item match only by this much
)

// topicStops are question words that carry no topic.
var topicStops = byLenDesc([]string{
	"什么时候", "啥时候", "几点钟", "几点", "是什么", "是多少", "什么", "啥", "哪个", "哪家", "哪", "要不要", "需不需要", "用不用",
	"可不可以", "能不能", "是不是", "可以", "能", "吗", "呢", "吧", "了", "应该", "怎样", "一般", "先", "张", "个", "是什", "什",
})

// contentQuery is a topic query without question words.
func contentQuery(tq string) string {
	return cleanSpaces(removeAll(tq, topicStops))
}

// bestTopic finds the FAQ entry or process step a question is about, by its
// content words over questions, answers, titles, keywords and steps; nil
// when nothing matches well and clearly better than the rest.
func (b *Bot) bestTopic(x *search.Index, q string) *search.TextHit {
	if q == "" {
		return nil
	}
	hs := x.Topics(q)
	if len(hs) == 0 || hs[0].Query < topicThreshold {
		return nil
	}
	// Among equally good documents the one whose questions (or process
	// title and keywords) say most of it answers best, then the most
	// focused one.
	best, bestHead := hs[0], x.TopicHeadCoverage(q, hs[0])
	for _, h := range hs[1:] {
		if h.Query < hs[0].Query-topicMargin {
			break
		}
		head := x.TopicHeadCoverage(q, h)
		if head > bestHead+1e-9 || (head > bestHead-1e-9 && h.Doc > best.Doc) {
			best, bestHead = h, head
		}
	}
	// One short word (确认, 实名, 是) found only in an answer's or a step's
	// text is no question about it: the stored questions or the process's
	// title and keywords must say it.
	if shortQuery(q) && bestHead < topicThreshold {
		return nil
	}
	return &best
}

// topic answers an FAQ entry or a process step.
func (b *Bot) topic(x *search.Index, s *session, r search.TextRef) string {
	if r.Kind == search.TextFAQ {
		return b.faq(x, s, r.Index)
	}
	return b.step(x, s, r)
}

// finish caps a reply and adds the data date.
func (b *Bot) finish(x *search.Index, text string) string {
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > maxReplyRunes {
		rs := []rune(text)
		cut := maxReplyRunes
		for i := maxReplyRunes; i > maxReplyRunes-80; i-- {
			if rs[i] == '\n' {
				cut = i
				break
			}
		}
		text = string(rs[:cut]) + "\n……"
	}
	if t := x.Data.UpdatedAt; !t.IsZero() {
		text += "\n（数据更新：" + t.Format("2006-01-02") + "）"
	}
	return text
}

// moneyText reports whether a text speaks of money (an amount in 元, a fee).
func moneyText(t string) bool {
	return hasAny(t, []string{"元", "钱", "费", "收取", "免费", "价"})
}

// processHasMoney reports whether any step of process p speaks of money.
func processHasMoney(x *search.Index, p int) bool {
	if p < 0 || p >= len(x.Data.Processes) {
		return false
	}
	for _, st := range x.Data.Processes[p].Steps {
		if moneyText(st) {
			return true
		}
	}
	return false
}

// shortQuery reports whether q is a single short word (at most two
// characters, or one Latin word): too little to pick an answer or a step by
// the words of its text.
func shortQuery(q string) bool {
	q = strings.ReplaceAll(q, " ", "")
	return utf8.RuneCountInString(q) <= 2
}

// romanOnly reports whether s has Latin letters and no Chinese character.
func romanOnly(s string) bool {
	letters := false
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			letters = true
		case r >= 0x2E80:
			return false
		}
	}
	return letters
}

// processByHead finds the process a how-is-it-done question names, by the
// question's words that occur in processes' titles and keywords only (我老伴
// 要住院要办什么手续 -> 住院); ok only when one process is clearly best.
func processByHead(x *search.Index, norm string) (int, bool) {
	var heads []string
	for _, p := range x.Data.Processes {
		heads = append(heads, compactNorm(p.Title+"|"+strings.Join(p.Keywords, "|")))
	}
	words := knownRuns(removeAll(strings.ReplaceAll(norm, " ", ""), topicStops), func(w string) bool {
		if hasAny(w, howCues) {
			return false
		}
		for _, h := range heads {
			if strings.Contains(h, w) {
				return true
			}
		}
		return false
	})
	if len(words) == 0 {
		return 0, false
	}
	// The one process whose title says every word (出院 -> 出院结算流程).
	titled := -1
	for i, p := range x.Data.Processes {
		t := compactNorm(p.Title)
		all := true
		for _, w := range words {
			all = all && strings.Contains(t, w)
		}
		if all {
			if titled >= 0 {
				titled = -2
				break
			}
			titled = i
		}
	}
	if titled >= 0 {
		return titled, true
	}
	// The one process whose title or keywords say more of the asked words
	// than any other (住院 + 押金 -> 住院流程, over 出院流程 for 退押金):
	// words said beat characters shared.
	if best, ok := mostNamed(heads, words); ok {
		return best, true
	}
	hs := x.Processes(strings.Join(words, " "))
	if len(hs) == 0 || hs[0].Query < 0.8 || (len(hs) > 1 && hs[1].Query > hs[0].Query-0.1) {
		return 0, false
	}
	return hs[0].ID, true
}

// mostNamed returns the head (a process's title and keywords) containing
// more of words than any other head; ok only when one is strictly best.
func mostNamed(heads, words []string) (int, bool) {
	best, bestN, second := -1, 0, 0
	for i, h := range heads {
		n := 0
		for _, w := range words {
			if strings.Contains(h, w) {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN, second = i, n, bestN
		case n > second:
			second = n
		}
	}
	return best, best >= 0 && bestN > second
}
