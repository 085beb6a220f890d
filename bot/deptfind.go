package bot

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/hospital/wxbot/search"
)

// durationRe matches how long a complaint has lasted (好几天了, 这两天, 最近,
// 三个多月): it says nothing about which department treats it.
var durationRe = regexp.MustCompile(`(好|这|那|前|近|过去)?(几|两|[一二三四五六七八九十半0-9]+)(个)?多?(天|日|周|星期|礼拜|月|年|晚|宿|小时)(多)?(了|啦)?|最近|近来|这阵子|这阵|一阵子|好久了?|很久了?|老长时间|有段时间|一段时间`)

// deptAskCues ask which department treats something (孩子咳嗽挂什么科).
var deptAskCues = byLenDesc([]string{
	"看哪个科室", "挂哪个科室", "看什么科室", "挂什么科室", "去哪个科室", "找哪个科室",
	"看哪个科", "看什么科", "挂哪个科", "挂什么科", "挂哪科", "看哪科", "去哪个科", "找哪个科",
	"哪个科室", "什么科室", "哪个科", "什么科", "哪科", "哪一科", "哪个门诊", "什么门诊",
	"挂什么号", "挂哪个号", "挂谁的号",
})

// deptChoiceRe finds a choice between departments (挂内科还是外科, 看儿科
// 或者皮肤科).
var deptChoiceRe = regexp.MustCompile(`(挂|看|去|找)\p{Han}{0,5}?科(室)?(还是|或者|或是|呢还是)\p{Han}{0,5}?科(室)?`)

// deptChoice rewrites a choice between departments after a complaint
// (拉肚子三天了挂内科还是外科) as the question which department treats it
// (拉肚子三天了挂哪个科): the complaint decides, and the departments named
// are often broader than the one that sees it (内科 for 消化内科). A choice
// without a complaint before it is left alone.
func deptChoice(norm string) string {
	loc := deptChoiceRe.FindStringIndex(norm)
	if loc == nil || utf8.RuneCountInString(norm[:loc[0]]) < 2 {
		return norm
	}
	m := norm[loc[0]:loc[1]]
	verb, _ := utf8.DecodeRuneInString(m)
	return norm[:loc[0]] + string(verb) + "哪个科" + norm[loc[1]:]
}

// placeAskCues ask where something is done (羊水穿刺在哪做).
var placeAskCues = byLenDesc([]string{
	"在哪里做", "在哪儿做", "在哪做", "去哪里做", "去哪儿做", "去哪做", "哪里做", "哪里可以做", "哪里能做", "哪能做", "哪儿做",
	"在哪里看", "在哪看", "去哪里看", "去哪看", "哪里看", "在哪里查", "在哪查", "去哪查", "哪里查",
})

// deptTopicWords are verbs and particles around a department question.
var deptTopicWords = byLenDesc([]string{"应该", "需要", "要", "看", "挂", "做", "去", "找", "号", "病", "检查", "治疗", "的话", "这种", "这个", "一般",
	"有点", "老是", "还", "又", "一直", "总是", "经常", "严重", "厉害", "不舒服", "难受", "偏高", "太高", "很高", "高了", "高"})

// whoWords say who is ill rather than what: they only break ties between
// departments that match the complaint equally (孩子咳嗽: 儿科 over 呼吸科).
var whoWords = byLenDesc([]string{"宝宝", "大宝", "二宝", "三宝", "小宝", "老大", "老二", "老三", "闺女", "孩子", "小孩", "小孩子", "儿童", "小儿", "婴儿", "娃", "老人", "老年人", "男的", "女的", "男人", "女人", "我家", "家里"})

// Department-by-topic thresholds.
const (
	deptTopicThreshold = 0.5  // share of the question's content found in a department's words
	deptTopicMargin    = 0.05 // over the next department
)

// deptByTopic answers which department treats a symptom or does a service
// (宝宝黄疸高看哪个科, 羊水穿刺在哪做) from the departments' names, aliases
// and introductions. place selects the where-is-it-done cues.
func (b *Bot) deptByTopic(x *search.Index, s *session, u *understanding, place bool) (string, bool) {
	cues := deptAskCues
	if place {
		cues = placeAskCues
	}
	if !place && !u.priceCue {
		// 有没有专门看老年人的科室: the department whose name says who or
		// what it is for.
		if d, ok := dedicatedDept(x, u.norm); ok {
			return b.deptInfo(x, s, d), true
		}
	}
	if !hasAny(u.norm, cues) || u.priceCue || len(x.Data.Departments) == 0 {
		return "", false
	}
	if !place && len(u.depts) > 0 {
		return b.deptInfo(x, s, u.depts[0]), true
	}
	q := removeAll(mouthWords.Replace(u.norm), cues)
	q = durationRe.ReplaceAllString(q, " ")
	q = removeAll(q, fillersSorted)
	q = contentQuery(topicQuery(q))
	// The complaint as said, before 高/看/病 go (血糖高 names a complaint
	// that 血糖 alone does not).
	said := strings.ReplaceAll(removeAll(q, slotWords), " ", "")
	q = cleanSpaces(removeAll(removeAll(q, slotWords), deptTopicWords))
	if q == "" {
		return "", false
	}
	// A child with a general complaint (孩子发烧, 宝宝拉肚子) goes to the
	// paediatric department when the hospital has one.
	if !place && hasAny(q, childWords) {
		if d, ok := childDept(x); ok && generalComplaint(said) {
			return b.nightFirst(x, s, u, d, feverClinicNote(x, said, d)), true
		}
	}
	// Patients' words for body parts and complaints, in the words
	// departments' introductions use (拉肚子 -> 腹泻, 头疼 -> 头痛), tried
	// first; then the patient's own words.
	d, ok := 0, false
	if alt := bodyWords.Replace(q); alt != q {
		d, ok = bestDeptByTopic(x, alt)
	}
	if !ok {
		d, ok = bestDeptByTopic(x, q)
	}
	if !ok {
		// Only the question's content words that departments' texts use
		// (面瘫了嘴巴有点歪 -> 面瘫), with the patient's words for common
		// complaints put into the medical words (屁股出血 -> 便血).
		if cq := deptContentWords(x, q, said); cq != "" && cq != q {
			d, ok = bestDeptByTopic(x, cq)
		}
	}
	// The department patients are usually sent to for a complaint the
	// message names (腰痛 -> 骨科, 血压高 -> 心血管内科) when the hospital's
	// words pick none, or pick one no such complaint goes to (超声科 for
	// 血压高 because its introduction says 心脏).
	if t, tok := typicalDept(x, q+" "+said); tok && (!ok || !usualFor(x, d, q+" "+said)) {
		d, ok = t, true
	}
	if !ok {
		// Several complaints pointing to several departments (智齿发炎
		// 牙龈肿了): the first one named decides.
		d, ok = firstComplaintDept(x, bodyWords.Replace(q))
	}
	if !ok && !place && (hasAny(u.norm, childWords) || youngAgeRe.MatchString(u.norm)) {
		// A child with a complaint nobody's words name (孩子8岁门牙里面
		// 又长出一排): the children's department.
		d, ok = anyChildDept(x)
	}
	if !ok {
		return "", false
	}
	return b.nightFirst(x, s, u, d, ""), true
}

// nightFirst answers a complaint's department d followed by extra; asked in
// the small hours (半夜孩子肚子疼去哪看), the emergency department comes
// first, the only one open then, with d named for the daytime.
func (b *Bot) nightFirst(x *search.Index, s *session, u *understanding, d int, extra string) string {
	if hasAny(u.norm, lateNightWords) {
		if e, ok := emergencyDept(x); ok && e != d {
			return "夜间请到急诊就诊：\n" + b.deptInfo(x, s, e) + "\n白天门诊可看" + x.Data.Departments[d].Name + "。" + extra
		}
	}
	return b.deptInfo(x, s, d) + extra
}

// youngAgeRe finds a child's age (7岁, 七岁了, 十二周岁): up to thirteen.
var youngAgeRe = regexp.MustCompile(`(^|[^0-9一二三四五六七八九十几])([1-9]|1[0-3]|[一两二三四五六七八九]|十[一二三]?)(周)?岁`)

// mouthWords put a mouth that will not open (嘴张不大, 张不开) into the
// words departments use, before 张 is dropped as a measure word.
var mouthWords = strings.NewReplacer("张不大", "张口受限", "张不开", "张口受限", "张不了", "张口受限", "张嘴困难", "张口受限", "张口困难", "张口受限")

// firstComplaintDept returns, of the departments that q's words (those
// found in departments' texts) each pick on their own clearly, the one picked
// most often, the first picked among equals: with several complaints the
// first named decides (智齿发炎牙龈肿了), unless more point elsewhere.
func firstComplaintDept(x *search.Index, q string) (int, bool) {
	known := deptTextKnown(x)
	votes := map[int]int{}
	best, found := 0, false
	for _, w := range knownRuns(strings.ReplaceAll(q, " ", ""), known) {
		d, ok := bestDeptByTopic(x, w)
		if !ok {
			continue
		}
		votes[d]++
		if !found || votes[d] > votes[best] {
			best, found = d, true
		}
	}
	return best, found
}

// deptTextKnown reports whether a word occurs in any department's name,
// aliases or introduction.
func deptTextKnown(x *search.Index) func(string) bool {
	var texts []string
	for _, d := range x.Data.Departments {
		texts = append(texts, compactNorm(d.Name+"|"+strings.Join(d.Aliases, "|")+"|"+d.Intro))
	}
	return func(w string) bool {
		for _, t := range texts {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
}

// anyChildDept returns the general paediatric department, else the first
// department whose name is for children (儿童口腔科, 小儿外科), never a
// child-health (保健) clinic.
func anyChildDept(x *search.Index) (int, bool) {
	if d, ok := childDept(x); ok {
		return d, true
	}
	for i, d := range x.Data.Departments {
		n := compactNorm(d.Name)
		if (strings.Contains(n, "儿童") || strings.Contains(n, "小儿") || strings.Contains(n, "儿科")) && !strings.Contains(n, "保健") && !strings.Contains(n, "儿保") {
			return i, true
		}
	}
	return 0, false
}

// typicalDepts name, for a complaint of symptomGroups (by the group's first
// word), the departments that usually see it, most usual first, as parts of
// department names. Hospital-independent medical knowledge: used only when
// the hospital's own words do not pick one department.
var typicalDepts = map[string][]string{
	"便血": {"肛肠", "消化", "普外", "普通外科"}, "痔疮": {"肛肠", "普外", "普通外科"},
	"面瘫": {"神经内科", "针灸", "中医"}, "积食": {"儿科", "小儿", "消化"}, "痤疮": {"皮肤"},
	"咳嗽": {"呼吸", "内科"}, "发热": {"发热门诊", "发热", "内科"}, "腹泻": {"消化", "肠道门诊", "内科"},
	"便秘": {"消化", "肛肠"}, "失眠": {"神经内科", "心理", "精神", "睡眠"}, "头痛": {"神经内科"},
	"眩晕": {"神经内科", "耳鼻"}, "腰痛": {"骨科", "康复", "疼痛", "推拿", "中医"},
	"膝关节痛": {"骨科", "关节", "康复"}, "颈椎病": {"骨科", "康复", "推拿", "中医"},
	"湿疹": {"皮肤"}, "荨麻疹": {"皮肤"}, "月经不调": {"妇科", "妇产"}, "痛经": {"妇科", "妇产"},
	"胃痛": {"消化", "胃肠", "内科"}, "咽痛": {"耳鼻", "喉科"}, "心悸": {"心血管", "心内", "心脏"},
	"高血压": {"心血管", "心内", "高血压"}, "糖尿病": {"内分泌", "糖尿病"},
	"跌打损伤": {"骨科", "骨伤", "创伤"}, "耳鸣": {"耳鼻", "耳科"}, "牙痛": {"口腔", "牙科"},
	"鼻炎": {"耳鼻", "鼻科"}, "脱发": {"皮肤"}, "中风": {"神经内科", "卒中"},
	"坐骨神经痛": {"骨科", "脊柱", "骨伤"},
	"乳腺炎":   {"乳腺", "甲乳", "普外", "普通外科", "外科"}, "腿痛": {"骨科", "骨伤", "康复", "推拿", "疼痛"},
}

// strictComplaints are symptomGroups (by first word) whose typical
// departments are the only usual ones even when text also names a broader
// complaint: 腰疼腿发麻 goes to 骨科 although 康复 is usual for 腰痛 alone.
var strictComplaints = map[string]bool{"坐骨神经痛": true}

// usualFor reports whether department d is one typicalDepts names for a
// complaint text mentions, or text mentions no such complaint. A mentioned
// strictComplaints group decides alone.
func usualFor(x *search.Index, d int, text string) bool {
	text = strings.ReplaceAll(text, " ", "")
	names := []string{compactNorm(x.Data.Departments[d].Name)}
	for _, a := range x.Data.Departments[d].Aliases {
		names = append(names, compactNorm(a))
	}
	mentioned := false
	for _, g := range symptomGroups {
		parts := typicalDepts[g[0]]
		if len(parts) == 0 || !hasAny(text, g) {
			continue
		}
		mentioned = true
		if strictComplaints[g[0]] {
			return namesHaveAny(names, parts)
		}
		for _, p := range parts {
			for _, n := range names {
				if strings.Contains(n, p) {
					return true
				}
			}
		}
	}
	return !mentioned
}

// typicalDept returns the department usually seen for the first complaint of
// text that symptomGroups know, by typicalDepts in order against department
// names and aliases; ok is false when no name matches.
func typicalDept(x *search.Index, text string) (int, bool) {
	text = strings.ReplaceAll(text, " ", "")
	for _, g := range symptomGroups {
		parts := typicalDepts[g[0]]
		if len(parts) == 0 || !hasAny(text, g) {
			continue
		}
		for _, p := range parts {
			for i, d := range x.Data.Departments {
				for _, n := range append([]string{d.Name}, d.Aliases...) {
					if strings.Contains(compactNorm(n), p) {
						return i, true
					}
				}
			}
		}
	}
	return 0, false
}

// dedicatedRe finds a question for a department dedicated to someone or
// something: 专门看老年人的科室, 有专门治失眠的门诊吗.
var dedicatedRe = regexp.MustCompile(`专门(看|治|管|治疗|负责|给)(.+?)(的)?(科室|科|门诊)`)

// dedicatedDept returns the one department whose name or alias contains a
// word (two characters or more) of what a 专门看X的科室 question names.
func dedicatedDept(x *search.Index, norm string) (int, bool) {
	m := dedicatedRe.FindStringSubmatch(norm)
	if m == nil {
		return 0, false
	}
	what := strings.TrimSuffix(m[2], "的")
	names := make([]string, len(x.Data.Departments))
	for i, d := range x.Data.Departments {
		names[i] = compactNorm(d.Name + "|" + strings.Join(d.Aliases, "|"))
	}
	words := knownRuns(what, func(w string) bool {
		for _, n := range names {
			if strings.Contains(n, w) {
				return true
			}
		}
		return false
	})
	found := -1
	for _, w := range words {
		for i, n := range names {
			if strings.Contains(n, w) {
				if found >= 0 && found != i {
					return 0, false
				}
				found = i
			}
		}
	}
	return found, found >= 0
}

// deptContentWords keeps of q the words of two or more characters that
// occur in a department's name, aliases or introduction (longest first), and
// for each complaint in symptomGroups that q mentions, the group's words the
// departments use; groups are also looked for in said, the complaint before
// its qualifiers were dropped (血糖高). One-character parts (腰, 腹) count only
// inside longer words.
func deptContentWords(x *search.Index, q, said string) string {
	var texts []string
	for _, d := range x.Data.Departments {
		t := d.Name + "|" + strings.Join(d.Aliases, "|") + "|" + d.Intro
		texts = append(texts, compactNorm(t))
	}
	inTexts := func(w string) bool {
		for _, t := range texts {
			if strings.Contains(t, w) {
				return true
			}
		}
		return false
	}
	var words []string
	rest := strings.ReplaceAll(q, " ", "")
	for _, g := range symptomGroups {
		hit, saidHit := "", false
		for _, w := range g {
			if len([]rune(w)) >= len([]rune(hit)) && strings.Contains(rest, w) {
				hit = w
			}
			if strings.Contains(said, w) {
				saidHit = true
			}
		}
		if hit == "" && !saidHit {
			continue
		}
		for _, w := range g {
			if inTexts(w) {
				words = append(words, w)
			}
		}
		if hit != "" {
			rest = strings.ReplaceAll(rest, hit, " ")
		}
	}
	words = append(words, knownRuns(rest, inTexts)...)
	return strings.Join(words, " ")
}

// knownRuns returns the runs of two to eight characters of q, longest first
// from the left, for which known is true.
func knownRuns(q string, known func(string) bool) []string {
	var words []string
	rs := []rune(q)
	for i := 0; i < len(rs); {
		n := 0
		for l := min(8, len(rs)-i); l >= 2; l-- {
			if w := string(rs[i : i+l]); !strings.ContainsRune(w, ' ') && known(w) {
				n = l
				break
			}
		}
		if n == 0 {
			i++
			continue
		}
		words = append(words, string(rs[i:i+n]))
		i += n
	}
	return words
}

// symptomGroups are hospital-independent patient words for common complaints,
// each group with the medical words department introductions use.
var symptomGroups = [][]string{
	// Specific complaints first: a fever with a blocked breast is mastitis.
	// Back pain running into a numb leg is a spinal nerve complaint (腰椎间盘突出).
	{"坐骨神经痛", "坐骨神经", "腰椎间盘突出", "腰间盘突出", "腰突", "腰腿麻", "腰疼腿麻", "腰痛腿麻", "腰疼腿发麻", "腰痛腿发麻",
		"腰酸腿麻", "腰酸腿发麻", "腰疼腿也麻", "腰痛腿也麻", "腰腿发麻", "腰疼连着腿", "腰痛连着腿", "腰疼到腿", "腰痛到腿"},
	{"乳腺炎", "奶堵", "堵奶", "奶结", "涨奶", "胀奶", "乳房胀痛", "乳房痛", "乳房疼", "乳房红肿", "乳头痛", "乳腺增生", "乳腺结节", "乳房肿块"},
	{"腿痛", "腿疼", "腿脚痛", "腿脚疼", "腿麻", "腿酸", "腿脚不好", "走路腿疼", "走路腿痛"},
	{"便血", "屁股出血", "屁股流血", "大便出血", "大便带血", "便后出血", "拉血", "肛门出血", "屙血"},
	{"痔疮", "痔", "肛门痛", "肛门疼", "屁股痛", "屁股疼", "大便痛", "大便疼", "大便时候痛", "大便时痛", "拉屎痛", "屙屎痛", "肛裂"},
	{"面瘫", "面神经炎", "面神经麻痹", "口眼歪斜", "口眼㖞斜", "嘴歪", "嘴巴歪", "嘴巴有点歪", "脸歪", "眼睛闭不上"},
	{"积食", "积滞", "消化不良", "厌食", "不肯吃饭", "不爱吃饭", "不吃饭", "吃不下饭", "没胃口", "胃口不好", "唔肯食饭"},
	{"痤疮", "暗疮", "痘痘", "青春痘", "长痘", "粉刺", "爆痘"},
	{"咳嗽", "咳", "干咳", "咳痰", "有痰", "感冒", "流感"},
	{"发热", "发烧", "高烧", "低烧", "高热", "发高烧"},
	{"腹泻", "拉肚子", "闹肚子", "拉稀", "肚泻", "屙烂屎", "泻肚"},
	{"便秘", "拉不出", "大便干", "解不出大便", "屙唔出"},
	{"失眠", "睡不着", "睡不好", "睡唔着"},
	{"头痛", "头疼", "偏头痛", "头好痛", "脑壳痛", "脑壳疼", "脑袋痛", "脑袋疼", "头壳痛"},
	{"眩晕", "头晕", "头昏", "天旋地转"},
	{"腰痛", "腰疼", "腰腿痛", "腰酸", "腰骨痛", "腰杆痛", "腰杆疼", "腰杆酸", "腰骨疼"},
	{"膝关节痛", "膝盖痛", "膝盖疼", "磕膝头痛", "磕膝头疼", "膝头痛", "波棱盖疼", "波棱盖痛"},
	{"颈椎病", "落枕", "脖子痛", "脖子疼", "颈椎痛", "颈痛"},
	{"湿疹", "皮疹", "起疹子", "长疹子", "皮肤痒", "痕痒", "起风团"},
	{"荨麻疹", "风团", "风疹块"},
	{"月经不调", "月经不准", "大姨妈不准", "例假不准", "月经推迟", "月经提前"},
	{"痛经", "来月经肚子痛", "大姨妈痛", "例假痛"},
	{"胃痛", "胃疼", "胃胀", "胃不舒服", "肚子痛", "肚子疼", "腹痛", "胃炎", "胃病"},
	{"咽痛", "咽炎", "喉咙痛", "喉咙疼", "嗓子疼", "嗓子痛", "喉咙发炎"},
	{"心悸", "心慌", "心跳快", "心跳很快"},
	{"高血压", "血压高", "血压偏高", "血压有点高", "血压有些高", "血压比较高", "血压很高", "血压特别高", "血压太高"},
	{"糖尿病", "高血糖", "血糖高", "血糖偏高", "血糖有点高", "血糖有些高", "血糖比较高", "血糖很高", "血糖特别高", "血糖太高"},
	{"跌打损伤", "扭伤", "崴脚", "脚崴", "崴了脚", "脚崴了", "扭了脚", "扭到脚", "脚扭", "扭脚", "崴到", "跌伤", "撞伤", "骨折", "关节"},
	{"耳鸣", "耳朵响", "耳朵嗡嗡"},
	{"牙痛", "牙疼", "牙齿痛", "牙齿疼", "牙龈痛", "牙龈疼", "蛀牙", "虫牙", "牙齿松动", "智齿痛", "智齿疼", "牙科", "口腔"},
	{"鼻炎", "鼻塞", "流鼻涕", "打喷嚏", "鼻子不通"},
	{"脱发", "掉头发", "甩头发", "掉发"},
	{"中风", "脑梗", "脑梗死", "卒中", "半身不遂"},
}

// bestDeptByTopic returns the department whose words cover q clearly best:
// the complaint decides, who is ill breaks ties.
func bestDeptByTopic(x *search.Index, q string) (int, bool) {
	what := cleanSpaces(removeAll(q, whoWords))
	if what == "" {
		what = q
	}
	hs := x.DepartmentsByTopic(what)
	if len(hs) == 0 || hs[0].Query < deptTopicThreshold {
		return 0, false
	}
	if len(hs) == 1 || hs[1].Query <= hs[0].Query-deptTopicMargin {
		return hs[0].ID, true
	}
	if what == q {
		return 0, false
	}
	tied := map[int]bool{}
	for _, h := range hs {
		if h.Query > hs[0].Query-deptTopicMargin {
			tied[h.ID] = true
		}
	}
	var best, second float64
	id := -1
	for _, h := range x.DepartmentsByTopic(q) {
		if !tied[h.ID] {
			continue
		}
		if id < 0 {
			best, id = h.Query, h.ID
		} else if h.Query > second {
			second = h.Query
		}
	}
	if id < 0 || best-second < deptTopicMargin {
		return 0, false
	}
	return id, true
}

// bodyWords map hospital-independent patient words for complaints to the
// medical words department introductions are written in.
var bodyWords = strings.NewReplacer(
	"拉肚子", "腹泻", "闹肚子", "腹泻", "拉稀", "腹泻", "嗓子疼", "咽痛", "喉咙疼", "咽痛", "喉咙痛", "咽痛",
	"发烧", "发热", "起疹子", "皮疹", "长疹子", "皮疹", "腰间盘", "腰椎间盘", "拉不出", "便秘", "睡不着", "失眠",
	"喘不上气", "气喘", "眼睛疼", "眼痛", "牙齿痛", "牙痛", "牙齿疼", "牙痛", "牙疼", "牙痛", "头疼", "头痛", "腰疼", "腰痛", "胸口疼", "胸痛",
	// Regional words for body parts (西南 脑壳, 腰杆, 磕膝头; 粤 腰骨; 东北 波棱盖).
	"脑壳痛", "头痛", "脑壳疼", "头痛", "腰杆痛", "腰痛", "腰杆疼", "腰痛", "腰骨痛", "腰痛", "腰骨疼", "腰痛",
	"磕膝头", "膝关节", "波棱盖", "膝关节", "膝盖", "膝关节",
	// A joint that clicks and a mouth that will not open (下巴咔咔响, 嘴张不大),
	// a child wetting the bed.
	"咔咔响", "弹响", "嘎嘎响", "弹响", "咔哒响", "弹响", "咯噔响", "弹响",
	"尿床", "遗尿", "尿裤子", "遗尿",
)

// childWords say the patient is a child.
var childWords = byLenDesc([]string{"孙子", "孙女", "外孙", "外孙女", "小孙子", "小孙女", "宝宝", "孩子", "小孩", "小孩子", "儿童", "小儿", "婴儿", "娃", "儿子", "女儿", "小朋友", "BB", "bb", "大宝", "二宝", "三宝", "老大", "老二", "老三", "闺女", "小宝"})

// generalGroups are the symptomGroups (by their first word) a paediatric
// department treats for children rather than a specialty.
var generalGroups = map[string]bool{"咳嗽": true, "发热": true, "腹泻": true, "便秘": true, "积食": true, "胃痛": true, "咽痛": true}

// generalComplaint reports whether said mentions a general complaint
// (发烧, 咳嗽, 拉肚子) that a child sees the paediatrician for.
func generalComplaint(said string) bool {
	for _, g := range symptomGroups {
		if !generalGroups[g[0]] {
			continue
		}
		for _, w := range g {
			if strings.Contains(said, w) {
				return true
			}
		}
	}
	return hasAny(said, []string{"呕吐", "吐了", "发烧", "流鼻涕", "不舒服", "生病"})
}

// paediatricNames name a general paediatric department.
var paediatricNames = []string{"儿科", "小儿科", "儿内科", "儿童内科", "小儿内科", "儿童科"}

// childDept returns the hospital's general paediatric department, by its
// name or an alias.
func childDept(x *search.Index) (int, bool) {
	for i, d := range x.Data.Departments {
		for _, n := range append([]string{d.Name}, d.Aliases...) {
			if isOneOf(compactNorm(n), paediatricNames) {
				return i, true
			}
		}
	}
	return 0, false
}

// feverClinicNote points a feverish child's family also at the fever clinic
// when a department other than dept is (or runs) one.
func feverClinicNote(x *search.Index, said string, dept int) string {
	if !hasAny(said, []string{"发烧", "发热", "高烧", "低烧", "高热", "烧"}) {
		return ""
	}
	for i, d := range x.Data.Departments {
		if i == dept {
			continue
		}
		for _, n := range append([]string{d.Name}, d.Aliases...) {
			if strings.Contains(compactNorm(n), "发热门诊") {
				note := "\n另：发烧也可以去发热门诊（" + d.Name + "）"
				if d.Location != "" {
					note += "，位置：" + d.Location
				}
				return note + "。"
			}
		}
	}
	return ""
}

// namesHaveAny reports whether one of names contains one of parts.
func namesHaveAny(names, parts []string) bool {
	for _, p := range parts {
		for _, n := range names {
			if strings.Contains(n, p) {
				return true
			}
		}
	}
	return false
}
