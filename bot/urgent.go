package bot

import (
	"regexp"
	"strings"

	"github.com/hospital/wxbot/search"
)

// urgentWords are hospital-independent patient words for signs that need
// the emergency department or 120 at once: a stroke (嘴歪, 说话不利索), chest
// pain, breathlessness, loss of consciousness, heavy bleeding, fits,
// poisoning.
var urgentWords = byLenDesc([]string{
	"嘴歪", "嘴巴歪", "口角歪", "口眼歪", "说话不利索", "说话不清", "说话含糊", "口齿不清", "说不出话", "半身不遂", "半边身子", "偏瘫",
	"胸口痛", "胸口疼", "胸痛", "胸口闷痛", "胸口压着痛",
	"喘不上气", "喘不过气", "上不来气", "透不过气", "呼吸困难", "憋得慌", "憋气",
	"昏迷", "昏倒", "晕倒", "晕过去", "昏过去", "叫不醒", "不省人事", "人事不省", "没意识", "没有意识",
	"大出血", "出血不止", "血止不住", "流血不止", "血流不止", "止不住血",
	"抽搐", "抽风", "抽筋翻白眼",
	"中毒", "喝了农药", "喝农药", "吃错药", "误服",
})

// knockedOutRe finds a tooth knocked out by a fall or a blow (门牙磕掉了,
// 牙被撞掉): replanted only within about an hour.
var knockedOutRe = regexp.MustCompile(`牙.{0,3}(磕|撞|摔|碰|打)(掉|脱|出来)|(磕|撞|摔|碰|打)(掉|脱)了?.{0,3}牙`)

// lateNightWords name the hours when only the emergency department sees
// patients (现在半夜了能看吗).
var lateNightWords = []string{"半夜", "深夜", "凌晨", "三更"}

// urgent reports whether a message names a sign that needs emergency care.
func urgent(norm string) bool {
	return hasAny(norm, urgentWords) || knockedOutRe.MatchString(norm)
}

// emergencyDept returns the hospital's emergency department: the first whose
// name says 急诊 or 急救, else the first with such an alias (never a fever
// clinic).
func emergencyDept(x *search.Index) (int, bool) {
	for _, names := range []func(i int) []string{
		func(i int) []string { return []string{x.Data.Departments[i].Name} },
		func(i int) []string { return x.Data.Departments[i].Aliases },
	} {
		for i := range x.Data.Departments {
			for _, n := range names(i) {
				n = compactNorm(n)
				if (strings.Contains(n, "急诊") || strings.Contains(n, "急救")) && !strings.Contains(n, "发热") {
					return i, true
				}
			}
		}
	}
	return 0, false
}

// urgentNote is the line that goes before any other answer to a message
// naming an urgent sign: call 120 or come to the emergency department now,
// with its place and phone when the data has them.
func urgentNote(x *search.Index, norm string) string {
	if !urgent(norm) {
		return ""
	}
	note := "情况紧急请立即拨打120"
	if d, ok := emergencyDept(x); ok {
		dep := x.Data.Departments[d]
		note += "，或马上到" + dep.Name
		var at []string
		if dep.Location != "" {
			at = append(at, dep.Location)
		}
		if dep.Phone != "" {
			at = append(at, "电话"+dep.Phone)
		}
		if len(at) > 0 {
			note += "（" + strings.Join(at, "，") + "）"
		}
		if strings.Contains(dep.Intro, "绿色通道") {
			note += "，危重病人走绿色通道"
		}
	}
	note += "。"
	if knockedOutRe.MatchString(norm) {
		note += "\n牙齿被撞掉：捏住牙冠捡起，不要刷洗牙根，放在牛奶或生理盐水里带来（没有就含在舌下），最好1小时内到急诊，越早再植越容易成功。"
	}
	return note + "\n\n"
}

// lateNight answers a question asked in the small hours that named no
// department or doctor (牙疼得睡不着现在半夜了能看吗): the emergency
// department, the only one open then.
func (b *Bot) lateNight(x *search.Index, s *session, u *understanding) (string, bool) {
	if !hasAny(u.norm, lateNightWords) || len(u.depts) > 0 || len(u.doctors) > 0 || len(u.surname) > 0 || u.priceCue {
		return "", false
	}
	d, ok := emergencyDept(x)
	if !ok {
		return "", false
	}
	return "夜间请到急诊就诊：\n" + b.deptInfo(x, s, d), true
}
