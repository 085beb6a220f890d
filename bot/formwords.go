package bot

import (
	"strings"
	"unicode/utf8"
)

// formWords are replies to a form's question (confirm, skip, choose): a
// skill asking Turn.Answer about them never gets a confident answer.
var formWords = []string{
	"确认", "确定", "提交", "确认提交", "修改", "改", "改一下", "重新填", "重填", "重新", "重来", "取消", "算了", "不用了", "退出", "结束",
	"跳过", "不填", "不留", "不想留", "匿名", "实名", "是", "否", "是的", "不是", "对", "对的", "不对", "好", "好的", "行", "可以",
	"没有", "没", "无", "不用", "不要", "要", "嗯", "嗯嗯", "ok", "谢谢", "返回", "继续", "下一步", "上一步", "知道了", "收到",
}

// questionMarks are words that make a short message a question.
var questionMarks = []string{"吗", "呢", "什么", "怎么", "哪", "几", "多少", "多久", "如何", "能不能", "可不可以", "有没有", "?"}

// formReply reports whether normalised text reads as an answer to a form's
// question rather than a question of its own: a form word, or a short
// message (three characters or fewer) that asks nothing.
func formReply(n string) bool {
	t := strings.TrimSpace(n)
	if isOneOf(t, formWords) || isOneOf(trimFillers(t), formWords) {
		return true
	}
	return utf8.RuneCountInString(strings.ReplaceAll(t, " ", "")) <= 3 && !hasAny(t, questionMarks)
}
