package bot

import (
	"regexp"
	"strings"

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
var whoWords = byLenDesc([]string{"宝宝", "孩子", "小孩", "小孩子", "儿童", "小儿", "婴儿", "娃", "老人", "老年人", "男的", "女的", "男人", "女人", "我家", "家里"})

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
	if !hasAny(u.norm, cues) || u.priceCue || len(x.Data.Departments) == 0 {
		return "", false
	}
	if !place && len(u.depts) > 0 {
		return b.deptInfo(x, s, u.depts[0]), true
	}
	q := removeAll(u.norm, cues)
	q = durationRe.ReplaceAllString(q, " ")
	q = removeAll(q, fillersSorted)
	q = contentQuery(topicQuery(q))
	q = cleanSpaces(removeAll(removeAll(q, slotWords), deptTopicWords))
	if q == "" {
		return "", false
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
		return "", false
	}
	return b.deptInfo(x, s, d), true
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
	"喘不上气", "气喘", "眼睛疼", "眼痛", "牙疼", "牙痛", "头疼", "头痛", "腰疼", "腰痛", "胸口疼", "胸痛",
)
