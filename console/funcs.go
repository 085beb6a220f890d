package console

import (
	"html/template"
	"strconv"
	"time"

	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
)

// funcs are the helpers every template may use.
var funcs = template.FuncMap{
	"when":       when,
	"stateLabel": stateLabel,
	"ticketAction": func(a string) string {
		if l, ok := ticketActions[a]; ok {
			return l
		}
		return a
	},
	"has": func(m *staff.Member, role string) bool {
		return m.Has(staff.Role(role))
	},
	"hasAny": func(m *staff.Member, roles ...string) bool {
		for _, r := range roles {
			if m.Has(staff.Role(r)) {
				return true
			}
		}
		return false
	},
	"roles": func(m *staff.Member) string {
		if m == nil {
			return ""
		}
		out := ""
		for i, r := range m.Roles {
			if i > 0 {
				out += "、"
			}
			out += roleLabel(r)
		}
		return out
	},
	"kb": func(n int) string {
		if n < 1024 {
			return strconv.Itoa(n) + " B"
		}
		return strconv.Itoa((n+1023)/1024) + " KB"
	},
	"line": func(n int) string {
		if n <= 0 {
			return "整个文件"
		}
		return "第" + strconv.Itoa(n) + "行"
	},
}

// ticketActions names a ticket's history actions in Chinese.
var ticketActions = map[string]string{
	"submit": "提交投诉", "assign": "分派", "note": "备注", "reply": "答复", "close": "办结",
	"reopen": "重新打开", "rate": "评价", "purge": "删除个人信息", "delivery": "送达",
}

// when formats a time (or *time.Time) in Beijing time; "" for none.
func when(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return ""
	}
	if t.IsZero() {
		return ""
	}
	return t.In(notices.Shanghai).Format("2006-01-02 15:04")
}
