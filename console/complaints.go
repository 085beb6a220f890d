package console

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/staff"
)

// complaintActions are the ticket forms, each POST /console/complaints/{number}/<action>.
var complaintActions = []string{"assign", "note", "reply", "close", "reopen"}

// deliveryLabel names an answer's delivery state in Chinese.
func deliveryLabel(s string) string {
	switch s {
	case complaints.DeliveryPending:
		return "待发送"
	case complaints.DeliverySent:
		return "已送达微信"
	case complaints.DeliveryRetrying:
		return "发送失败，重试中"
	case complaints.DeliveryFailed:
		return "发送失败，请另行联系患者"
	}
	return s
}

func channelLabel(s string) string {
	switch s {
	case complaints.ChannelCustom:
		return "客服消息"
	case complaints.ChannelTemplate:
		return "模板消息"
	}
	return s
}

// queueRow is a ticket in the queue: an excerpt, never the whole text; the
// phone masked.
type queueRow struct {
	Number      string
	Status      string
	Overdue     bool
	DueSoon     bool
	Departments string
	Category    string
	Excerpt     string
	Phone       string
	Anonymous   bool
	Assignee    string
	CreatedAt   time.Time
	DueAt       time.Time
	Delivery    string
	Attachments int
}

type statusTab struct {
	Value  string
	Label  string
	Active bool
}

type queueData struct {
	Tabs    []statusTab
	Rows    []queueRow
	Overdue int
	DueSoon int
}

func excerpt(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// rank orders the queue: overdue, due soon, waiting for feedback, answered, closed.
func rank(r queueRow, status complaints.Status) int {
	switch {
	case r.Overdue:
		return 0
	case r.DueSoon:
		return 1
	case status == complaints.StatusOpen || status == complaints.StatusAssigned:
		return 2
	case status == complaints.StatusAnswered:
		return 3
	}
	return 4
}

func (c *Console) complaintQueue(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	filter := r.URL.Query().Get("status")
	var f complaints.Filter
	switch filter {
	case "", "active", "all":
	default:
		f.Status = complaints.Status(filter)
		if !f.Status.Valid() {
			c.fail(w, r, http.StatusBadRequest, "未知的投诉状态。")
			return
		}
	}
	list, err := c.d.Complaints.List(r.Context(), f)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	now := c.d.Complaints.Now()
	d := queueData{}
	type ranked struct {
		row  queueRow
		rank int
	}
	var rows []ranked
	for i := range list {
		t := &list[i]
		if (filter == "" || filter == "active") && t.Status == complaints.StatusClosed {
			continue
		}
		over, soon := c.d.Complaints.Flags(t, now)
		row := queueRow{
			Number: t.Number, Status: t.Status.Label(), Overdue: over, DueSoon: soon,
			Departments: strings.Join(t.Departments, "、"), Category: t.Category,
			Excerpt: excerpt(t.Description, 30), Phone: complaints.MaskPhone(t.Phone), Anonymous: t.Anonymous,
			Assignee: t.Assignee, CreatedAt: t.CreatedAt, DueAt: t.DueAt, Attachments: len(t.Attachments),
		}
		if t.PurgedAt != nil {
			row.Excerpt = "（个人信息已按保存期限删除）"
		}
		if a := t.LatestAnswer(); a != nil {
			row.Delivery = deliveryLabel(a.Delivery.Status)
		}
		if over {
			d.Overdue++
		}
		if soon {
			d.DueSoon++
		}
		rows = append(rows, ranked{row, rank(row, t.Status)})
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if a.rank != b.rank {
			return a.rank < b.rank
		}
		if a.rank <= 2 && !a.row.DueAt.Equal(b.row.DueAt) {
			return a.row.DueAt.Before(b.row.DueAt) // the most urgent first
		}
		return a.row.CreatedAt.After(b.row.CreatedAt)
	})
	for _, x := range rows {
		d.Rows = append(d.Rows, x.row)
	}
	if filter == "" {
		filter = "active"
	}
	for _, t := range []statusTab{
		{Value: "active", Label: "未办结"}, {Value: string(complaints.StatusOpen), Label: complaints.StatusOpen.Label()},
		{Value: string(complaints.StatusAssigned), Label: complaints.StatusAssigned.Label()},
		{Value: string(complaints.StatusAnswered), Label: complaints.StatusAnswered.Label()},
		{Value: string(complaints.StatusClosed), Label: complaints.StatusClosed.Label()}, {Value: "all", Label: "全部"},
	} {
		t.Active = t.Value == filter
		d.Tabs = append(d.Tabs, t)
	}
	c.render(w, r, http.StatusOK, "complaints", "投诉处理", "complaints", d)
}

type attachmentRow struct {
	Index  int
	Kind   string
	Stored bool
	Size   int
	Error  string
	URL    string
}

type answerRow struct {
	complaints.Answer
	Kind     string
	Delivery string
	Channel  string
}

type ticketData struct {
	T           *complaints.Ticket
	Status      string
	Overdue     bool
	DueSoon     bool
	Departments string
	Attachments []attachmentRow
	Answers     []answerRow
	Categories  []string
	Closed      bool
	Purged      bool
}

func (c *Console) complaintView(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	number := r.PathValue("number")
	t, err := c.d.Complaints.Get(r.Context(), number)
	if err != nil {
		c.complaintFail(w, r, "", err)
		return
	}
	c.record(r, "complaint.view", "complaint:"+number, "")
	over, soon := c.d.Complaints.Flags(t, c.d.Complaints.Now())
	d := ticketData{
		T: t, Status: t.Status.Label(), Overdue: over, DueSoon: soon, Departments: strings.Join(t.Departments, "、"),
		Categories: complaints.Categories, Closed: t.Status == complaints.StatusClosed, Purged: t.PurgedAt != nil,
	}
	for i, a := range t.Attachments {
		row := attachmentRow{Index: i, Kind: map[string]string{"image": "图片", "voice": "语音"}[a.Kind], Stored: a.Stored, Size: a.Size, Error: a.Error}
		if row.Kind == "" {
			row.Kind = a.Kind
		}
		if a.Stored {
			row.URL = "/console/complaints/" + t.Number + "/attachments/" + strconv.Itoa(i)
		}
		d.Attachments = append(d.Attachments, row)
	}
	for i := len(t.Answers) - 1; i >= 0; i-- {
		a := t.Answers[i]
		kind := "答复"
		if a.Kind == "close" {
			kind = "办结答复"
		}
		d.Answers = append(d.Answers, answerRow{Answer: a, Kind: kind, Delivery: deliveryLabel(a.Delivery.Status), Channel: channelLabel(a.Delivery.Channel)})
	}
	c.render(w, r, http.StatusOK, "complaint", "投诉 "+t.Number, "complaints", d)
}

func (c *Console) complaintAttachment(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	number := r.PathValue("number")
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 0 {
		c.fail(w, r, http.StatusNotFound, "附件不存在。")
		return
	}
	a, data, err := c.d.Complaints.Media(r.Context(), number, n)
	if err != nil {
		c.complaintFail(w, r, "", err)
		return
	}
	c.record(r, "complaint.attachment", "complaint:"+number, "attachment="+strconv.Itoa(n))
	ct := a.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(data)))
	w.Header().Set("Content-Security-Policy", "sandbox; default-src 'none'; img-src 'self'; media-src 'self'")
	if !strings.HasPrefix(ct, "image/") {
		w.Header().Set("Content-Disposition", `attachment; filename="`+number+"-"+strconv.Itoa(n)+`"`)
	}
	_, _ = w.Write(data)
}

// complaintAction handles one ticket form.
func (c *Console) complaintAction(action string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, m *staff.Member) {
		ctx := r.Context()
		number := r.PathValue("number")
		actor := m.Name
		if actor == "" {
			actor = m.ID
		}
		var (
			t      *complaints.Ticket
			err    error
			detail string
			flash  string
		)
		switch action {
		case "assign":
			req := complaints.AssignRequest{
				Assignee: strings.TrimSpace(r.PostFormValue("assignee")),
				Category: strings.TrimSpace(r.PostFormValue("category")),
			}
			if deps := strings.TrimSpace(r.PostFormValue("departments")); deps != "" {
				for _, d := range strings.FieldsFunc(deps, func(r rune) bool { return r == ',' || r == '，' || r == '、' || r == '|' }) {
					if d = strings.TrimSpace(d); d != "" {
						req.Departments = append(req.Departments, d)
					}
				}
			}
			detail = req.AuditDetail()
			t, err = c.d.Complaints.Assign(ctx, number, actor, req)
			flash = "已保存分派信息。"
		case "note":
			t, err = c.d.Complaints.AddNote(ctx, number, actor, r.PostFormValue("text"))
			flash = "已添加内部备注。"
		case "reply":
			t, err = c.d.Complaints.Reply(ctx, number, actor, r.PostFormValue("text"))
			flash = "答复已保存。"
		case "close":
			t, err = c.d.Complaints.Close(ctx, number, actor, r.PostFormValue("resolution"))
			flash = "投诉已办结。"
		case "reopen":
			t, err = c.d.Complaints.Reopen(ctx, number, actor, r.PostFormValue("reason"))
			flash = "投诉已重新打开，新的办理期限已开始。"
		}
		if err != nil {
			c.complaintFail(w, r, number, err)
			return
		}
		if a := t.LatestAnswer(); a != nil && (action == "reply" || action == "close") {
			detail = a.DeliveryDetail()
			flash += "送达状态：" + deliveryLabel(a.Delivery.Status) + "。"
		}
		c.record(r, "complaint."+action, "complaint:"+number, detail)
		c.redirect(w, r, "/console/complaints/"+number, flash)
	}
}

// complaintFail maps a complaints error: not found as a page; bad input or a
// state conflict back on the ticket with the reason.
func (c *Console) complaintFail(w http.ResponseWriter, r *http.Request, number string, err error) {
	var ue *complaints.UserError
	msg := ""
	if errors.As(err, &ue) {
		msg = ue.Msg
	}
	switch {
	case errors.Is(err, complaints.ErrNotFound):
		c.failDetail(w, r, http.StatusNotFound, "投诉或附件不存在。", msg)
	case errors.Is(err, complaints.ErrInvalid), errors.Is(err, complaints.ErrConflict):
		if number == "" {
			c.failDetail(w, r, http.StatusBadRequest, "无法执行此操作。", msg)
			return
		}
		c.redirectErr(w, r, "/console/complaints/"+number, "无法执行此操作："+msg)
	default:
		c.internal(w, r, err)
	}
}
