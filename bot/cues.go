package bot

import (
	"regexp"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// Words that show what a patient asks for. They are removed from the text
// before it is matched against names.
var (
	priceCues = []string{
		"多少钱", "多少元", "多少块", "几块钱", "几块", "几元", "几毛", "多钱", "啥价", "什么价",
		"价格", "价钱", "价位", "收费标准", "收费", "费用是", "费用", "花费", "要花", "要多少", "需要多少",
		"贵不贵", "贵吗", "便宜吗", "报价", "收钱", "要钱", "收不收费", "另收费", "收多少", "怎么收费", "如何收费", "怎么收钱", "怎么收", "怎么算钱", "咋收",
	}
	// weakPriceCues are removed like price cues but do not make a price question.
	weakPriceCues = []string{"多少", "价"}

	scheduleCues = []string{
		"哪天", "哪几天", "星期几", "周几", "礼拜几", "什么时候", "啥时候", "几时", "几点", "时间",
		"出诊", "坐诊", "上班", "门诊时间", "排班", "值班", "有门诊", "门诊吗", "有号", "看诊", "接诊",
		"开诊", "在班", "停诊", "有人吗", "有医生", "有没有医生", "哪些医生", "哪个医生", "什么医生",
		"医生", "大夫", "专家", "门诊", "安排",
	}
	apptCues = []string{"挂号", "挂个号", "挂一个号", "预约", "约号", "放号", "挂专家号", "挂号方式", "怎么挂"}
	// itemContext are words around item names in price questions (抽血检查血常规).
	itemContext = []string{"抽血", "检查一下", "检查", "化验", "项目", "收费项目", "一项", "做"}
	howCues     = []string{
		"怎么办理", "怎么办", "怎么弄", "怎么做", "怎么搞", "怎么走", "怎么样", "怎么", "咋办", "咋弄",
		"如何", "流程", "手续", "步骤", "要带什么", "带什么", "需要什么", "准备什么", "办理",
	}
	// procAskCues ask how something is done, step by step.
	procAskCues = []string{"手续", "流程", "步骤", "怎么办理", "如何办理", "办什么", "要办", "怎么办", "办哪些", "想办", "办个", "怎么弄", "怎么搞", "怎么申请", "如何申请"}
	whereCues   = []string{"在哪里", "在哪儿", "在哪", "哪里", "哪儿", "位置", "地址", "几楼", "几层", "哪栋楼", "哪栋", "哪幢楼", "哪幢", "哪个楼", "哪层楼", "哪一层", "怎么走", "在什么地方", "去哪里", "去哪儿", "去哪", "到哪", "哪看", "找谁"}
	phoneCues   = []string{"电话号码", "电话", "联系方式", "号码"}
	detailCues  = []string{
		"空腹", "多久", "多长时间", "几天", "出结果", "结果", "报告", "医保", "报销", "能报", "可以报",
		"甲类", "乙类", "丙类", "自费", "注意", "准备", "憋尿", "含不含", "包括", "包含", "包不包括",
		"疼不疼", "痛不痛", "要预约", "需要预约", "提前", "说明", "备注",
	}
	// makerCues ask who makes a drug or product; the item's note names the
	// maker when the price list records it.
	makerCues = []string{"厂家", "厂商", "生产厂", "哪个厂", "什么厂", "药厂", "哪家生产", "谁生产", "牌子", "品牌", "产地", "进口", "国产"}
	// fillers carry no content for matching names.
	fillers = []string{
		"我想问一下", "想问一下", "我想问下", "想问下", "请问一下", "请问", "问一下", "问下", "应该", "应当", "咨询一下", "咨询下", "咨询", "我想问", "想问", "我想要", "我想",
		"我要", "我需要", "你们医院", "你们那里", "你们那边", "你们那儿", "你那里", "你那边", "你们", "贵院", "这边", "这里", "医院里", "在医院",
		"你好", "您好", "麻烦你", "麻烦您", "帮我查一下", "帮我查下", "帮我查查", "帮我查", "帮忙查一下", "帮忙查", "帮我看看", "查一下", "查询一下",
		"这个药", "这种药", "这款药", "这药", "这个", "这种", "那种",
		"我妈妈", "我妈", "我爸爸", "我爸", "我老婆", "我老公", "我媳妇", "我爱人", "我家里人", "家里人", "家里老人", "想了解一下", "想了解", "了解一下", "打听一下",
		"一下", "大概", "大约", "一般", "需要", "我是", "我们", "帮我", "麻烦", "看看", "就是",
		"有没有", "有吗", "有什么", "是不是", "能不能", "可不可以", "要不要", "需不需要", "需要不需要", "用不用", "医院", "本院", "要交", "得交", "需交",
		"一共", "总共", "合计", "加起来", "一起", "另外", "额外", "单独", "分别是", "分别", "各自", "各要", "各是",
		// Reported speech (医生让我做个胃镜, 大夫喊照个片子): who sent the
		// patient says nothing about what is asked.
		"医生让我", "医生叫我", "医生喊我", "医生要我", "医生说要", "医生建议", "医生说", "医生让", "医生叫", "医生喊",
		"大夫让我", "大夫叫我", "大夫说要", "大夫建议", "大夫说", "大夫让", "大夫叫",
		// Chat words (不摆龙门阵了 = enough chatting, 西南官话).
		"摆龙门阵", "龙门阵", "闲话少说", "废话不多说", "不说废话了", "不聊了", "不扯了",
	}
	leadFillers  = []string{"那么", "那个", "那", "还有", "换成", "换", "要是", "如果是", "如果", "就", "再", "加上", "加", "还", "是"}
	trailFillers = []string{"吗", "呢", "吧", "啊", "呀", "了", "的", "嘛", "么", "哦", "呗", "哈", "啦", "没有", "没"}
)

// unitWords are counting words that follow 一 / 每 in price questions (一次, 每天).
var unitWords = []string{"次", "天", "日", "晚", "盒", "瓶", "支", "袋", "片", "粒", "个", "包", "组", "小时", "部位", "项", "牙", "眼", "套", "根", "张", "疗程", "周", "月", "颗", "只", "针", "副", "条", "页", "贴", "剂", "枚",
	// Weighed and counted the way herbs and sessions are sold (多少钱一克,
	// 一回多钱, 跑一趟).
	"克", "回", "趟"}

func byLenDesc(ws []string) []string {
	out := append([]string(nil), ws...)
	sort.SliceStable(out, func(i, j int) bool { return utf8.RuneCountInString(out[i]) > utf8.RuneCountInString(out[j]) })
	return out
}

var (
	priceCuesSorted   = byLenDesc(append(append([]string{}, priceCues...), weakPriceCues...))
	fillersSorted     = byLenDesc(fillers)
	howCuesSorted     = byLenDesc(howCues)
	whereCuesSorted   = byLenDesc(whereCues)
	detailCuesSorted  = byLenDesc(detailCues)
	itemContextSorted = byLenDesc(itemContext)
	apptCuesSorted    = byLenDesc(apptCues)
)

// hasAny reports whether s contains one of words.
func hasAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// removeAll removes every word (longest first) from s.
func removeAll(s string, sorted []string) string {
	for _, w := range sorted {
		if strings.Contains(s, w) {
			s = strings.ReplaceAll(s, w, " ")
		}
	}
	return s
}

// questionMo are words ending in 么 that trimFillers keeps whole.
var questionMo = []string{"什么", "怎么", "多么", "这么", "那么", "要么"}

// endsWithAny reports whether s ends with one of words.
func endsWithAny(s string, words []string) bool {
	for _, w := range words {
		if strings.HasSuffix(s, w) {
			return true
		}
	}
	return false
}

// trimFillers removes leading and trailing particles repeatedly.
func trimFillers(s string) string {
	s = strings.TrimSpace(s)
	for changed := true; changed && s != ""; {
		changed = false
		for _, w := range leadFillers {
			if strings.HasPrefix(s, w) && len(s) > len(w) {
				s = strings.TrimSpace(s[len(w):])
				changed = true
			}
		}
		for _, w := range trailFillers {
			if w == "么" && endsWithAny(s, questionMo) {
				// 什么, 怎么, 多么: a word, not a particle.
				continue
			}
			if strings.HasSuffix(s, w) && len(s) > len(w) {
				s = strings.TrimSpace(s[:len(s)-len(w)])
				changed = true
			}
		}
	}
	return s
}

// cleanSpaces joins the pieces left by removals.
func cleanSpaces(s string) string {
	parts := strings.Fields(s)
	var b strings.Builder
	for i, p := range parts {
		p = trimFillers(p)
		if p == "" {
			continue
		}
		if i > 0 && b.Len() > 0 {
			last, _ := utf8.DecodeLastRuneInString(b.String())
			first, _ := utf8.DecodeRuneInString(p)
			if last < utf8.RuneSelf && first < utf8.RuneSelf {
				b.WriteByte(' ')
			}
		}
		b.WriteString(p)
	}
	return b.String()
}

// removeCounting removes "一次", "每天", "一瓶" ... and standalone 的.
func removeCounting(s string) string {
	if !strings.ContainsAny(s, "一每1") {
		return s
	}
	for _, w := range countingWords {
		if strings.Contains(s, w) {
			s = strings.ReplaceAll(s, w, " ")
		}
	}
	return s
}

// countingWords are 一 / 每 / 1 followed by each unit word, in the order
// removeCounting removes them.
var countingWords = func() []string {
	var out []string
	for _, lead := range []string{"一", "每", "1"} {
		for _, u := range unitWords {
			out = append(out, lead+u)
		}
	}
	return out
}()

// measureVerbs are verbs patients put a measure word after (拍个片, 做个
// 胃镜, 打个吊针, 洗个牙, 抽个血): the measure word is dropped so the verb
// and its object read as the word lists write them (拍片, 洗牙).
var measureVerbs = "拍做查抽打照验测洗拔补开挂输扎看种换剪配量割镶装戴"

// measureWords are the infixes dropped after a measure verb, longest first.
var measureWords = []string{"一个", "一次", "一下", "个"}

// collapseMeasure removes measure-word infixes after a verb: 拍个片子 ->
// 拍片子, 洗一次牙 -> 洗牙, 打个吊针 -> 打吊针, 做个ct -> 做ct.
func collapseMeasure(s string) string {
	if !strings.ContainsAny(s, "个一") {
		return s
	}
	var b strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		b.WriteRune(rs[i])
		if !strings.ContainsRune(measureVerbs, rs[i]) {
			continue
		}
		for _, m := range measureWords {
			mr := []rune(m)
			end := i + 1 + len(mr)
			if end < len(rs) && string(rs[i+1:end]) == m && (isHanRune(rs[end]) || rs[end] >= 'a' && rs[end] <= 'z') && !strings.ContainsRune("吗呢吧啊呀", rs[end]) {
				i = end - 1
				break
			}
		}
	}
	return b.String()
}

func isHanRune(r rune) bool { return r >= 0x3400 && r <= 0x9fff }

// itemQuery strips a message down to the words that can name a price item.
func itemQuery(norm string) string {
	s := removePriceCues(norm)
	s = removeAll(s, howCuesSorted)
	s = removeAll(s, whereCuesSorted)
	s = removeAll(s, fillersSorted)
	s = removeCounting(s)
	if t := cleanSpaces(removeAll(s, itemContextSorted)); t != "" {
		s = t
	}
	s = strings.ReplaceAll(s, "的", " ")
	s = strings.ReplaceAll(s, "要", " ")
	return cleanSpaces(s)
}

// valencyRe matches a count before 价 (九价, 4价, 十三价: a vaccine's
// valency), which is part of a name, not a price cue.
var valencyRe = regexp.MustCompile(`([一二两三四五六七八九十0-9]+)价`)

// removePriceCues removes price cues, keeping a valency (九价hpv疫苗多少钱
// -> 九价hpv疫苗).
func removePriceCues(s string) string {
	if !strings.Contains(s, "价") || !valencyRe.MatchString(s) {
		return removeAll(s, priceCuesSorted)
	}
	s = valencyRe.ReplaceAllString(s, "${1}\uE000")
	s = removeAll(s, priceCuesSorted)
	return strings.ReplaceAll(s, "\uE000", "价")
}

// topicQuery strips a message down to the words that can name a process or
// the subject of a question (how/where words removed too).
func topicQuery(norm string) string {
	s := removeAll(norm, howCuesSorted)
	s = removeAll(s, whereCuesSorted)
	s = removePriceCues(s)
	s = removeAll(s, fillersSorted)
	s = removeAll(s, []string{"看一下", "咨询", "了", "我"})
	return cleanSpaces(s)
}

// questionQuery is a message with only particles removed (for FAQ questions).
func questionQuery(norm string) string {
	s := removeAll(norm, []string{"请问一下", "请问", "问一下", "问下", "咨询一下", "你好", "您好", "我想问", "想问"})
	return cleanSpaces(s)
}

// Weekdays and periods.
var weekdayNames = []string{"", "周一", "周二", "周三", "周四", "周五", "周六", "周日"}

var dayDigits = map[string]int{"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "七": 7,
	"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "6": 6, "7": 7}

// parseWeekdays finds the weekdays a message asks about (1 = Monday), using
// now for 今天 / 明天 / 后天. It returns nil when none is named.
func parseWeekdays(s string, now time.Time) []int {
	set := map[int]bool{}
	for _, p := range []string{"星期", "礼拜", "周"} {
		for off := 0; ; {
			k := strings.Index(s[off:], p)
			if k < 0 {
				break
			}
			rest := s[off+k+len(p):]
			r, _ := utf8.DecodeRuneInString(rest)
			if d, ok := dayDigits[string(r)]; ok {
				set[d] = true
			}
			off += k + len(p)
		}
	}
	if hasAny(s, []string{"周末", "双休", "礼拜天礼拜六"}) {
		set[6], set[7] = true, true
	}
	if hasAny(s, []string{"工作日", "平时", "平日", "周一到周五", "周一至周五"}) {
		for d := 1; d <= 5; d++ {
			set[d] = true
		}
	}
	wd := func(t time.Time) int {
		d := int(t.Weekday())
		if d == 0 {
			d = 7
		}
		return d
	}
	if strings.Contains(s, "今天") || strings.Contains(s, "今日") {
		set[wd(now)] = true
	}
	if strings.Contains(s, "明天") || strings.Contains(s, "明日") {
		set[wd(now.AddDate(0, 0, 1))] = true
	}
	if strings.Contains(s, "后天") {
		set[wd(now.AddDate(0, 0, 2))] = true
	}
	if len(set) == 0 {
		return nil
	}
	var out []int
	for d := 1; d <= 7; d++ {
		if set[d] {
			out = append(out, d)
		}
	}
	return out
}

// parsePeriod finds the part of the day a message asks about.
func parsePeriod(s string) string {
	switch {
	case hasAny(s, []string{"上午", "早上", "早晨", "上半天", "早上", "白天上午"}):
		return "上午"
	case hasAny(s, []string{"下午", "午后", "下半天"}):
		return "下午"
	case hasAny(s, []string{"晚上", "夜间", "夜里", "晚间", "夜诊", "傍晚", "半夜"}):
		return "夜间"
	}
	return ""
}

// samePeriod reports whether a schedule's period matches the asked one.
func samePeriod(have, want string) bool {
	if want == "" {
		return true
	}
	if want == "夜间" {
		return strings.Contains(have, "夜") || strings.Contains(have, "晚")
	}
	return strings.Contains(have, want)
}

// Command words.
var (
	helpWords  = []string{"帮助", "菜单", "你好", "您好", "hi", "hello", "help", "在吗", "在不在", "功能", "怎么用", "使用说明", "能问什么", "可以问什么", "你能做什么", "开始", "嗨", "哈喽", "你好呀", "有人吗", "h"}
	humanWords = []string{"人工", "转人工", "人工客服", "找人工", "人工服务", "客服", "真人", "转客服", "联系客服", "找客服", "工作人员", "联系工作人员", "人工咨询", "接人工", "要人工", "我要人工", "转接人工"}
	moreWords  = []string{"更多", "下一页", "还有吗", "还有呢", "继续", "再来", "还有", "后面的", "下页", "more"}
)

func isOneOf(s string, words []string) bool {
	for _, w := range words {
		if s == w {
			return true
		}
	}
	return false
}

// isHelp reports whether a message asks what the bot can do.
func isHelp(norm string) bool {
	s := trimFillers(norm)
	return isOneOf(s, helpWords) || isOneOf(norm, helpWords)
}

// humanAskWords are removed from a message asking for a person, longest first.
var humanAskWords = byLenDesc([]string{"人工客服", "人工服务", "人工", "客服", "转接", "转", "找", "联系", "我要", "我想", "要", "请", "帮我", "接", "给我", "你好", "您好", "麻烦"})

// isHuman reports whether a message asks for a person (not 人工流产 ...).
func isHuman(norm string) bool {
	if isOneOf(norm, humanWords) {
		return true
	}
	if !strings.Contains(norm, "人工") && !strings.Contains(norm, "客服") {
		return false
	}
	rest := removeAll(norm, humanAskWords)
	return trimFillers(strings.TrimSpace(rest)) == "" || strings.TrimSpace(rest) == ""
}

// pickNumber parses a bare number choice: "2", "第2个", "2号", "选2".
func pickNumber(norm string) (int, bool) {
	s := norm
	for _, w := range []string{"第", "个", "号", "选", "项", "条", "要"} {
		s = strings.ReplaceAll(s, w, "")
	}
	s = strings.TrimSpace(s)
	if s == "" || len(s) > 3 {
		return 0, false
	}
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' {
			if d, ok := chineseDigits[r]; ok && len([]rune(s)) == 1 {
				return d, true
			}
			return 0, false
		}
		n = n*10 + int(r-'0')
	}
	return n, n > 0
}

var chineseDigits = map[rune]int{'一': 1, '二': 2, '三': 3, '四': 4, '五': 5, '六': 6, '七': 7, '八': 8, '九': 9, '十': 10}

// isFragment reports whether a message reads as a continuation of the last
// question (那增强呢, 胸部的呢, 0.5g的, 单人间呢).
func isFragment(norm string) bool {
	for _, w := range []string{"那", "还有", "换成", "要是", "如果是"} {
		if strings.HasPrefix(norm, w) {
			return true
		}
	}
	for _, w := range []string{"呢", "的", "的吧", "的呢", "那个", "的话"} {
		if strings.HasSuffix(norm, w) {
			return true
		}
	}
	return strings.HasPrefix(norm, "加") || strings.HasPrefix(norm, "要") || strings.Contains(norm, "的要")
}

// slotWords are weekday and period expressions.
var slotWords = byLenDesc([]string{
	"周一", "周二", "周三", "周四", "周五", "周六", "周日", "周天", "周末",
	"星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日", "星期天",
	"礼拜一", "礼拜二", "礼拜三", "礼拜四", "礼拜五", "礼拜六", "礼拜日", "礼拜天",
	"工作日", "平时", "平日", "今天", "明天", "后天", "今日", "明日",
	"上午", "下午", "晚上", "夜间", "夜里", "早上", "中午",
})

// questionTypos are homophone typos of question and service words that no
// data file spells wrong (时侯 for 时候, 报消 for 报销); fixed before
// understanding.
var questionTypos = strings.NewReplacer(
	"时侯", "时候", "几点中", "几点钟", "多少前", "多少钱", "多少线", "多少钱",
	"在那里", "在哪里", "在那儿", "在哪儿", "去那里", "去哪里", "去那儿", "去哪儿",
	"报消", "报销", "医报", "医保", "挂好", "挂号", "怎么半", "怎么办", "咋半", "咋办",
	"预约挂好", "预约挂号", "出院手序", "出院手续", "住院手序", "住院手续",
	// 科 heard as 可 (看什么可): only where a department is asked, never
	// 看什么可以.
	"看什么可以", "看什么可以", "挂什么可以", "挂什么可以", "哪个可以", "哪个可以",
	"看什么可", "看什么科", "挂什么可", "挂什么科", "看哪个可", "看哪个科", "挂哪个可", "挂哪个科",
	// 哪 typed as 那 before 科 (看那个科): which department to see.
	"看那个科", "看哪个科", "挂那个科", "挂哪个科", "看那一科", "看哪一科", "挂那一科", "挂哪一科",
	// 检察 (prosecution) for 检查 (examination).
	"检察", "检查",
)

// fixTypos corrects questionTypos in normalised text.
func fixTypos(norm string) string { return questionTypos.Replace(norm) }

// countedHowMuch reports whether 多少 is asked per unit (一天多少, 多少一次,
// 每盒多少): a price question without 钱.
func countedHowMuch(norm string) bool {
	for off := 0; ; {
		k := strings.Index(norm[off:], "多少")
		if k < 0 {
			return false
		}
		pos := off + k
		before, after := norm[:pos], norm[pos+len("多少"):]
		for _, lead := range []string{"一", "每", "1"} {
			for _, u := range unitWords {
				if strings.HasSuffix(before, lead+u) || strings.HasPrefix(after, lead+u) {
					return true
				}
			}
		}
		off = pos + len("多少")
	}
}

// feeHowMuchRe finds 多少 asked of a fee (床位费多少, 挂号费是多少, 诊查费要
// 多少): a price question without 钱.
var feeHowMuchRe = regexp.MustCompile(`费(是|要|得|需要|大概|一般)?多少`)

// kinWords name the patient's family (我妈住院了, 老公发烧).
var kinWords = byLenDesc([]string{"我老公", "我老婆", "老公", "老婆", "媳妇", "我妈妈", "我爸爸", "我妈", "我爸", "妈妈", "爸爸",
	"爷爷", "奶奶", "外公", "外婆", "姥姥", "姥爷", "我爱人", "爱人", "我家人", "家里人", "我儿子", "我女儿", "儿子", "女儿"})

// isBareNumber reports whether a message is only a one- or two-digit number
// (a pick from a list).
func isBareNumber(norm string) bool {
	t := strings.TrimSpace(norm)
	if t == "" || len(t) > 2 {
		return false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
