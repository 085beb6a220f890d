package console

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/wxapi"
)

// stateLabel names a notice state in Chinese.
func stateLabel(s notices.State) string {
	switch s {
	case notices.StateDraft:
		return "草稿"
	case notices.StateSubmitted:
		return "待审核"
	case notices.StateReviewed:
		return "待院领导审批"
	case notices.StateApproved:
		return "已批准待发布"
	case notices.StatePublished:
		return "已发布·推送中"
	case notices.StatePushed:
		return "已发布·已推送"
	case notices.StateWithdrawn:
		return "已撤销"
	case notices.StateRetracted:
		return "已撤回"
	}
	return string(s)
}

// jobStateLabel names a push job state in Chinese.
func jobStateLabel(s notices.JobState) string {
	switch s {
	case notices.JobRunning:
		return "推送中"
	case notices.JobPaused:
		return "已暂停"
	case notices.JobDone:
		return "已完成"
	case notices.JobStopped:
		return "已停止"
	}
	return string(s)
}

// actionLabel names a history action in Chinese.
func actionLabel(a string) string {
	return map[string]string{
		"create": "创建", "edit": "修改", "submit": "提交审核", "approve": "审核通过", "reject": "退回",
		"withdraw": "撤销", "publish": "发布", "pushed": "推送完成", "retract": "撤回",
	}[a]
}

// ---- list ----

type stateTab struct {
	State  notices.State
	Label  string
	Count  int
	Active bool
}

type noticeListData struct {
	Tabs    []stateTab
	All     int
	State   notices.State
	Notices []*notices.Notice
	CanNew  bool
}

func (c *Console) noticeList(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	state := notices.State(r.URL.Query().Get("state"))
	if state != "" && !state.Valid() {
		c.fail(w, r, http.StatusBadRequest, "未知的公示状态。")
		return
	}
	all, err := c.d.Notices.List(r.Context(), "")
	if err != nil {
		c.internal(w, r, err)
		return
	}
	counts := map[notices.State]int{}
	var shown []*notices.Notice
	for _, n := range all {
		counts[n.State]++
		if state == "" || n.State == state {
			shown = append(shown, n)
		}
	}
	d := noticeListData{All: len(all), State: state, Notices: shown, CanNew: m.Has(staff.RoleEditor)}
	for _, s := range notices.States {
		d.Tabs = append(d.Tabs, stateTab{State: s, Label: stateLabel(s), Count: counts[s], Active: s == state})
	}
	c.render(w, r, http.StatusOK, "notices", "院务公示", "notices", d)
}

// ---- editor ----

// noticeForm is the editor's form values, as typed.
type noticeForm struct {
	Title     string
	Category  string
	Summary   string
	Body      string
	Link      string
	Major     bool
	PublishAt string // datetime-local, Beijing time
}

type noticeEditData struct {
	ID         string // "" for a new notice
	Form       noticeForm
	Categories []string
	Preview    *preview
	Error      string
	Action     string
}

func formFrom(n *notices.Notice) noticeForm {
	f := noticeForm{Title: n.Title, Category: n.Category, Summary: n.Summary, Body: n.Body, Link: n.Link, Major: n.Major}
	if n.PublishAt != nil {
		f.PublishAt = n.PublishAt.In(notices.Shanghai).Format("2006-01-02T15:04")
	}
	return f
}

func readNoticeForm(r *http.Request) noticeForm {
	return noticeForm{
		Title:     strings.TrimSpace(r.PostFormValue("title")),
		Category:  strings.TrimSpace(r.PostFormValue("category")),
		Summary:   strings.TrimSpace(r.PostFormValue("summary")),
		Body:      strings.ReplaceAll(r.PostFormValue("body"), "\r\n", "\n"),
		Link:      strings.TrimSpace(r.PostFormValue("link")),
		Major:     r.PostFormValue("major") != "",
		PublishAt: strings.TrimSpace(r.PostFormValue("publish_at")),
	}
}

// publishAtLayouts are the accepted publication times (Beijing time).
var publishAtLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02 15:04:05"}

// input turns the form into a notices.Input setting every field.
func (f noticeForm) input() (notices.Input, error) {
	in := notices.Input{Title: &f.Title, Category: &f.Category, Summary: &f.Summary, Body: &f.Body, Link: &f.Link, Major: &f.Major}
	if f.PublishAt == "" {
		in.ClearPublishAt = true
		return in, nil
	}
	for _, l := range publishAtLayouts {
		if t, err := time.ParseInLocation(l, f.PublishAt, notices.Shanghai); err == nil {
			in.PublishAt = &t
			return in, nil
		}
	}
	return in, errors.New("发布时间格式不正确，请使用 2025-01-31 09:00 的格式（北京时间）。")
}

// notice builds an unsaved notice from the form, for the preview.
func (f noticeForm) notice(now time.Time) *notices.Notice {
	n := &notices.Notice{Title: f.Title, Category: f.Category, Summary: f.Summary, Body: f.Body, Link: f.Link, Major: f.Major, CreatedAt: now}
	if in, err := f.input(); err == nil && in.PublishAt != nil {
		t := *in.PublishAt
		n.PublishAt = &t
	}
	return n
}

func (c *Console) noticeNew(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	cats := c.d.Notices.Categories()
	f := noticeForm{}
	if len(cats) > 0 {
		f.Category = cats[0]
	}
	c.render(w, r, http.StatusOK, "notice_edit", "新建公示", "notices",
		noticeEditData{Form: f, Categories: cats, Action: "/console/notices"})
}

func (c *Console) noticeCreate(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	f := readNoticeForm(r)
	d := noticeEditData{Form: f, Categories: c.d.Notices.Categories(), Action: "/console/notices"}
	if r.PostFormValue("op") == "preview" {
		d.Preview = c.preview(f.notice(c.d.Clock.Now()))
		c.render(w, r, http.StatusOK, "notice_edit", "新建公示", "notices", d)
		return
	}
	in, err := f.input()
	if err != nil {
		d.Error = err.Error()
		c.render(w, r, http.StatusBadRequest, "notice_edit", "新建公示", "notices", d)
		return
	}
	n, err := c.d.Notices.Create(r.Context(), m, in)
	if err != nil {
		if notices.Code(err) == notices.EInvalid {
			d.Error = "无法保存：" + notices.Message(err)
			c.render(w, r, http.StatusBadRequest, "notice_edit", "新建公示", "notices", d)
			return
		}
		c.noticeFail(w, r, "", err)
		return
	}
	c.record(r, "notice.create", "notice:"+n.ID, n.Title)
	c.redirect(w, r, "/console/notices/"+n.ID, "草稿已保存。")
}

func (c *Console) noticeEditForm(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	n, err := c.d.Notices.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		c.noticeFail(w, r, "", err)
		return
	}
	if n.State != notices.StateDraft {
		c.fail(w, r, http.StatusConflict, "只有草稿可以修改；此公示当前状态为「"+stateLabel(n.State)+"」。")
		return
	}
	if n.AuthorID != m.ID {
		c.fail(w, r, http.StatusForbidden, "只有作者（"+n.AuthorName+"）可以修改此草稿。")
		return
	}
	c.render(w, r, http.StatusOK, "notice_edit", "修改公示", "notices", noticeEditData{
		ID: n.ID, Form: formFrom(n), Categories: c.d.Notices.Categories(),
		Action: "/console/notices/" + n.ID + "/edit", Preview: c.preview(n),
	})
}

func (c *Console) noticeEdit(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	id := r.PathValue("id")
	f := readNoticeForm(r)
	d := noticeEditData{ID: id, Form: f, Categories: c.d.Notices.Categories(), Action: "/console/notices/" + id + "/edit"}
	if r.PostFormValue("op") == "preview" {
		d.Preview = c.preview(f.notice(c.d.Clock.Now()))
		c.render(w, r, http.StatusOK, "notice_edit", "修改公示", "notices", d)
		return
	}
	in, err := f.input()
	if err != nil {
		d.Error = err.Error()
		c.render(w, r, http.StatusBadRequest, "notice_edit", "修改公示", "notices", d)
		return
	}
	n, err := c.d.Notices.Update(r.Context(), m, id, in)
	if err != nil {
		if notices.Code(err) == notices.EInvalid {
			d.Error = "无法保存：" + notices.Message(err)
			c.render(w, r, http.StatusBadRequest, "notice_edit", "修改公示", "notices", d)
			return
		}
		c.noticeFail(w, r, id, err)
		return
	}
	c.record(r, "notice.edit", "notice:"+n.ID, n.Title)
	c.redirect(w, r, "/console/notices/"+n.ID, "修改已保存。")
}

// ---- one notice ----

// noticeActions says which buttons the member sees on a notice: only the
// actions their roles (and the maker-checker rules) allow in its state.
type noticeActions struct {
	Edit, Submit, Withdraw, Retract, Resume bool
	// Approve is the approve button's label ("" = none): 审核通过 or 院领导批准.
	Approve string
	Reject  bool
}

func (a noticeActions) Any() bool {
	return a.Edit || a.Submit || a.Withdraw || a.Retract || a.Resume || a.Approve != "" || a.Reject
}

func actionsFor(m *staff.Member, n *notices.Notice, job *notices.Job) noticeActions {
	var a noticeActions
	author := m.ID == n.AuthorID
	switch n.State {
	case notices.StateDraft:
		a.Edit = m.Has(staff.RoleEditor) && author
		a.Submit = a.Edit
	case notices.StateSubmitted:
		if m.Has(staff.RoleReviewer) && !author {
			a.Approve, a.Reject = "审核通过", true
		}
	case notices.StateReviewed:
		if m.Has(staff.RolePrincipal) && !author && m.ID != n.ReviewerID {
			a.Approve, a.Reject = "院领导批准", true
		}
	case notices.StatePublished, notices.StatePushed:
		a.Retract = m.HasAny(staff.RoleReviewer, staff.RolePrincipal, staff.RoleAdmin)
	}
	switch n.State {
	case notices.StateDraft, notices.StateSubmitted, notices.StateReviewed, notices.StateApproved:
		a.Withdraw = m.Has(staff.RoleReviewer) || (m.Has(staff.RoleEditor) && author)
	}
	a.Resume = job != nil && job.State == notices.JobPaused && m.Has(staff.RoleAdmin)
	return a
}

type historyRow struct {
	At     time.Time
	Action string
	Actor  string
	To     string
	Reason string
}

type noticeViewData struct {
	Notice  *notices.Notice
	State   string
	Actions noticeActions
	Preview *preview
	Job     *notices.Job
	History []historyRow
}

func (c *Console) noticeView(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	n, job, ok := c.noticeWithJob(w, r)
	if !ok {
		return
	}
	d := noticeViewData{Notice: n, State: stateLabel(n.State), Actions: actionsFor(m, n, job), Preview: c.preview(n), Job: job}
	for i := len(n.History) - 1; i >= 0; i-- {
		e := n.History[i]
		d.History = append(d.History, historyRow{At: e.At, Action: actionLabel(e.Action), Actor: e.ActorName, To: stateLabel(e.To), Reason: e.Reason})
	}
	c.render(w, r, http.StatusOK, "notice", n.Title, "notices", d)
}

// noticeWithJob loads the notice the path names and its push job (nil when
// it has none yet). On failure it has answered the request and returns false.
func (c *Console) noticeWithJob(w http.ResponseWriter, r *http.Request) (*notices.Notice, *notices.Job, bool) {
	n, err := c.d.Notices.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		c.noticeFail(w, r, "", err)
		return nil, nil, false
	}
	job, err := c.job(r.Context(), n.ID)
	if err != nil {
		c.internal(w, r, err)
		return nil, nil, false
	}
	return n, job, true
}

// job returns the push job of notice id, nil when it has none yet.
func (c *Console) job(ctx context.Context, id string) (*notices.Job, error) {
	j, err := c.d.Notices.Job(ctx, id)
	if notices.Code(err) == notices.ENotFound {
		return nil, nil
	}
	return j, err
}

// transition runs one workflow step from a form and audits it.
func (c *Console) transition(w http.ResponseWriter, r *http.Request, m *staff.Member, action string,
	do func(ctx context.Context, id, reason string) (*notices.Notice, error)) {
	id := r.PathValue("id")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	n, err := do(r.Context(), id, reason)
	if err != nil {
		c.noticeFail(w, r, id, err)
		return
	}
	detail := "state " + string(n.State)
	if reason != "" {
		detail += "; reason: " + reason
	}
	c.record(r, "notice."+action, "notice:"+n.ID, detail)
	msg := "操作成功，公示当前状态：" + stateLabel(n.State) + "。"
	if n.State == notices.StatePublished {
		c.redirect(w, r, "/console/notices/"+n.ID+"/push", "已发布，正在推送给订阅者。")
		return
	}
	c.redirect(w, r, "/console/notices/"+n.ID, msg)
}

func (c *Console) noticeSubmit(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	c.transition(w, r, m, "submit", func(ctx context.Context, id, _ string) (*notices.Notice, error) {
		return c.d.Notices.Submit(ctx, m, id)
	})
}

func (c *Console) noticeApprove(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	c.transition(w, r, m, "approve", func(ctx context.Context, id, _ string) (*notices.Notice, error) {
		return c.d.Notices.Approve(ctx, m, id)
	})
}

func (c *Console) noticeReject(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	c.transition(w, r, m, "reject", func(ctx context.Context, id, reason string) (*notices.Notice, error) {
		return c.d.Notices.Reject(ctx, m, id, reason)
	})
}

func (c *Console) noticeWithdraw(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	c.transition(w, r, m, "withdraw", func(ctx context.Context, id, _ string) (*notices.Notice, error) {
		return c.d.Notices.Withdraw(ctx, m, id)
	})
}

func (c *Console) noticeRetract(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	c.transition(w, r, m, "retract", func(ctx context.Context, id, reason string) (*notices.Notice, error) {
		return c.d.Notices.Retract(ctx, m, id, reason)
	})
}

// noticeFail maps a notices error to a page: 403 and 404 as error pages;
// a state conflict or bad input back on the notice with the reason.
func (c *Console) noticeFail(w http.ResponseWriter, r *http.Request, id string, err error) {
	switch notices.Code(err) {
	case notices.EForbidden:
		c.failDetail(w, r, http.StatusForbidden, "您不能执行此操作。", notices.Message(err))
	case notices.ENotFound:
		c.failDetail(w, r, http.StatusNotFound, "公示不存在。", notices.Message(err))
	case notices.EConflict, notices.EInvalid:
		if id == "" || r.Method != http.MethodPost {
			status := http.StatusConflict
			if notices.Code(err) == notices.EInvalid {
				status = http.StatusBadRequest
			}
			c.failDetail(w, r, status, "无法执行此操作。", notices.Message(err))
			return
		}
		c.redirectErr(w, r, "/console/notices/"+id, "无法执行此操作："+notices.Message(err))
	default:
		c.internal(w, r, err)
	}
}

// ---- push progress ----

type codeCount struct {
	Code  string
	Label string
	Count int64
}

type pushData struct {
	Notice   *notices.Notice
	Job      *notices.Job
	JobState string
	D        *notices.Deliveries
	Failures []codeCount
	Skipped  []codeCount
	Running  bool
	Resume   bool
	Progress int // percent handled
}

// codeLabel explains a WeChat errcode of a failed or skipped delivery.
func codeLabel(code string) string {
	return map[string]string{
		"-1": "微信系统繁忙", "timeout": "网络超时", "40001": "凭证无效", "42001": "凭证过期",
		"43004": "用户已取消关注", "43101": "用户拒收", "45009": "当日接口额度用尽",
		"48001": "接口未授权", "40037": "模板ID无效", "unsubscribed": "发送前已退订",
	}[code]
}

func byCode(m map[string]int64) []codeCount {
	out := make([]codeCount, 0, len(m))
	for k, v := range m {
		out = append(out, codeCount{Code: k, Label: codeLabel(k), Count: v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Count != out[j].Count {
			return out[i].Count > out[j].Count
		}
		return out[i].Code < out[j].Code
	})
	return out
}

func (c *Console) noticePush(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	ctx := r.Context()
	n, job, ok := c.noticeWithJob(w, r)
	if !ok {
		return
	}
	d := pushData{Notice: n, Job: job}
	v := view{Title: "推送进度 · " + n.Title, Nav: "notices", Data: &d}
	if job != nil {
		dl, err := c.d.Notices.Deliveries(ctx, n.ID)
		if err != nil {
			c.internal(w, r, err)
			return
		}
		d.D = dl
		d.JobState = jobStateLabel(job.State)
		d.Failures = byCode(dl.FailuresByCode)
		d.Skipped = byCode(dl.SkippedByCode)
		d.Running = job.State == notices.JobRunning
		d.Resume = job.State == notices.JobPaused && m.Has(staff.RoleAdmin)
		if dl.Total > 0 {
			d.Progress = int((dl.Total - dl.Pending) * 100 / dl.Total)
		}
		if d.Running {
			v.Refresh = 3
		}
	}
	c.renderView(w, r, http.StatusOK, "push", v)
}

func (c *Console) noticeResume(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	id := r.PathValue("id")
	if _, err := c.d.Notices.Resume(r.Context(), m, id); err != nil {
		if notices.Code(err) == notices.EConflict {
			c.redirectErr(w, r, "/console/notices/"+id+"/push", "无法恢复推送："+notices.Message(err))
			return
		}
		c.noticeFail(w, r, id, err)
		return
	}
	c.record(r, "notice.push_resume", "notice:"+id, "push resumed by an admin")
	c.redirect(w, r, "/console/notices/"+id+"/push", "推送已恢复。")
}

// ---- the patient's preview ----

// preview is what a patient sees of a notice in WeChat: the push message
// (rendered by the push's own sender) and the line of 最新公示 in chat.
type preview struct {
	Mode     string // "模板消息" or "订阅消息"
	Fields   []previewField
	URL      string
	ChatLine string
	Body     template.HTML
	Err      string
}

type previewField struct {
	Name  string
	Value string
}

// captureAPI is a wxapi.API that keeps the message it is asked to send
// instead of sending it: the preview runs the push's real sender on it.
type captureAPI struct {
	tpl *wxapi.TemplateMessage
	sub *wxapi.SubscribeMessage
}

var errPreviewOnly = errors.New("console: preview only")

func (a *captureAPI) SendText(context.Context, string, string) error { return errPreviewOnly }
func (a *captureAPI) SendTemplate(_ context.Context, m wxapi.TemplateMessage) (int64, error) {
	a.tpl = &m
	return 0, nil
}
func (a *captureAPI) SendSubscribe(_ context.Context, m wxapi.SubscribeMessage) error {
	a.sub = &m
	return nil
}
func (a *captureAPI) UserInfo(context.Context, string) (wxapi.UserInfo, error) {
	return wxapi.UserInfo{}, errPreviewOnly
}
func (a *captureAPI) CreateMenu(context.Context, []byte) error { return errPreviewOnly }
func (a *captureAPI) GetMedia(context.Context, string) (wxapi.Media, error) {
	return wxapi.Media{}, errPreviewOnly
}

// fieldOrder sorts message fields as WeChat shows them: first, the keywords
// and things in number order, remark last.
func fieldOrder(name string) string {
	switch {
	case name == "first":
		return "0"
	case name == "remark":
		return "9"
	}
	// keyword2 < keyword10: pad the trailing number.
	i := len(name)
	for i > 0 && name[i-1] >= '0' && name[i-1] <= '9' {
		i--
	}
	return fmt.Sprintf("5%s%06s", name[:i], name[i:])
}

// preview renders n as the patient will see it. A notice not yet published
// shows the date it will carry (its publish_at, or today).
func (c *Console) preview(n *notices.Notice) *preview {
	cp := *n
	if cp.PublishedAt == nil {
		t := c.d.Clock.Now()
		if cp.PublishAt != nil {
			t = *cp.PublishAt
		}
		cp.PublishedAt = &t
	}
	p := &preview{Body: renderMarkdown(cp.Body)}
	api := &captureAPI{}
	sender, err := notices.NewSender(api, c.d.Push)
	if err == nil {
		err = sender.Send(context.Background(), &cp, "preview")
	}
	if err != nil {
		p.Err = "无法生成推送预览：" + err.Error()
	}
	var data map[string]string
	switch {
	case api.tpl != nil:
		p.Mode, p.URL, data = "模板消息", api.tpl.URL, api.tpl.Data
	case api.sub != nil:
		p.Mode, p.URL, data = "订阅消息", api.sub.Page, api.sub.Data
	}
	for k, v := range data {
		p.Fields = append(p.Fields, previewField{Name: k, Value: v})
	}
	sort.Slice(p.Fields, func(i, j int) bool { return fieldOrder(p.Fields[i].Name) < fieldOrder(p.Fields[j].Name) })
	// The 最新公示 line, as the chat skill writes it.
	p.ChatLine = fmt.Sprintf("【%s】%s（%s）", cp.Category, cp.Title, cp.Date())
	if cp.Link != "" {
		p.ChatLine += "\n   " + cp.Link
	}
	return p
}
