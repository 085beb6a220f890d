package complaints

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"go.uber.org/zap"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/textnorm"
)

// Form timing.
const (
	// IdleTimeout ends a form's active state: after it, messages go to the bot
	// again and 继续投诉 resumes the kept draft.
	IdleTimeout = 30 * time.Minute
	// DraftTTL is how long an unfinished draft is kept after its last change.
	DraftTTL = 7 * 24 * time.Hour
	// MinDescriptionRunes is the shortest accepted description.
	MinDescriptionRunes = 10
	// MaxAttachments bounds the images and voice messages of one complaint.
	MaxAttachments = 9
	maxDescRunes   = 1500
	maxFieldRunes  = 50
	maxListed      = 5
)

// Form steps.
const (
	stepDesc    = "description"
	stepDept    = "department"
	stepWhen    = "time"
	stepAnon    = "anonymous"
	stepPhone   = "phone"
	stepConfirm = "confirm"
	stepEdit    = "edit"
)

// Replies with fixed wording.
const (
	msgCancelled     = "已取消本次投诉，未提交任何内容。"
	msgSubmitFailed  = "提交失败，请稍后再试，您的投诉尚未提交。"
	msgNoComplaints  = "您目前没有投诉记录。"
	msgNoDraft       = "您目前没有未完成的投诉。发送“投诉”可以开始新的投诉。"
	msgBusy          = "系统暂时繁忙，请稍后再试。"
	msgThanksRating  = "感谢您的评价！我们会继续改进服务。"
	promptDesc       = "请描述您遇到的问题：发生了什么、在哪里（至少10个字）。也可以发送图片或语音作为补充。回复“取消”可随时放弃。"
	promptDescShort  = "内容有点少，请再具体描述一下经过（至少10个字）。回复“取消”可放弃。"
	promptDept       = "请问涉及哪个科室或部门？请回复科室名称，不清楚可回复“跳过”。"
	promptWhen       = "请问事情发生在什么时间？（例如：11月20日上午）不记得可回复“跳过”。"
	promptAnon       = "您希望匿名还是实名投诉？请回复“匿名”或“实名”。实名可留下联系电话，方便工作人员回访。"
	promptPhone      = "请留下联系电话（手机或座机，例如 13812345678 或 010-12345678），方便工作人员联系您；不想留可回复“跳过”。"
	promptPhoneAgain = "电话格式不正确。请输入手机号（如 13812345678）或座机号（如 010-12345678），不想留可回复“跳过”。"
	promptConfirm    = "请回复“确认”提交投诉，“修改”更改内容，或“取消”放弃。"
	promptEdit       = "请回复要修改的项目：描述、科室、时间、匿名、电话。"
)

// Draft is a complaint being filled in through chat, kept per patient under
// complaint:draft:<openid>.
type Draft struct {
	ID             string       `json:"id"`
	OpenID         string       `json:"open_id"`
	Step           string       `json:"step"`
	Description    string       `json:"description,omitempty"`
	Departments    []string     `json:"departments,omitempty"`
	DepartmentNote string       `json:"department_note,omitempty"`
	When           string       `json:"when,omitempty"`
	Phone          string       `json:"phone,omitempty"`
	Anonymous      bool         `json:"anonymous"`
	DeptDone       bool         `json:"dept_done"`
	WhenDone       bool         `json:"when_done"`
	AnonDone       bool         `json:"anon_done"`
	PhoneDone      bool         `json:"phone_done"`
	Attachments    []Attachment `json:"attachments,omitempty"`
	// Number is reserved at the first 确认 so a retry files the same ticket.
	Number    string    `json:"number,omitempty"`
	StartedAt time.Time `json:"started_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// nextStep is the first unanswered question.
func nextStep(d *Draft) string {
	switch {
	case d.Description == "":
		return stepDesc
	case !d.DeptDone:
		return stepDept
	case !d.WhenDone:
		return stepWhen
	case !d.AnonDone:
		return stepAnon
	case !d.Anonymous && !d.PhoneDone:
		return stepPhone
	}
	return stepConfirm
}

func newID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// The draft mark (keyDraftMark) says whether a patient has a draft: "1" or
// "0", absent when unknown. Every message asks whether there is a form to
// continue and almost never is there one; the mark lives with the
// conversation sessions (in memory on one machine, in Redis with several), so
// the answer costs no read of the durable store. It is only a hint: "1" is set
// after a draft is written, "0" after one is deleted, and a reader that had
// to look at the draft itself records what it saw only if no writer has set
// the mark meanwhile (SetNX), so a stale "0" never hides a draft.
const (
	markDraft   = "1"
	markNoDraft = "0"
	markTTL     = 24 * time.Hour
)

// loadDraft returns the patient's draft, or nil when there is none.
func (s *Service) loadDraft(ctx context.Context, openID string) (*Draft, error) {
	mark, err := s.st.Get(ctx, keyDraftMark(openID))
	known := err == nil
	if known && string(mark) == markNoDraft {
		return nil, nil
	}
	raw, err := s.st.Get(ctx, keyDraft(openID))
	if errors.Is(err, store.ErrNotFound) {
		if !known {
			s.setMark(ctx, openID, markNoDraft, true)
		}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("get complaint draft: %w", err)
	}
	var d Draft
	if err := json.Unmarshal(raw, &d); err != nil {
		return nil, fmt.Errorf("decode complaint draft: %w", err)
	}
	if !known {
		s.setMark(ctx, openID, markDraft, true)
	}
	return &d, nil
}

func (s *Service) saveDraft(ctx context.Context, d *Draft) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return fmt.Errorf("encode complaint draft: %w", err)
	}
	if err := s.st.Set(ctx, keyDraft(d.OpenID), raw, DraftTTL); err != nil {
		return fmt.Errorf("save complaint draft: %w", err)
	}
	s.setMark(ctx, d.OpenID, markDraft, false)
	return nil
}

// deleteDraft removes the patient's draft.
func (s *Service) deleteDraft(ctx context.Context, openID string) error {
	if err := s.st.Delete(ctx, keyDraft(openID)); err != nil {
		return fmt.Errorf("delete complaint draft: %w", err)
	}
	s.setMark(ctx, openID, markNoDraft, false)
	return nil
}

// setMark records whether openID has a draft; onlyIfUnknown leaves a mark a
// writer set meanwhile. A failure leaves the mark unknown (or removes it), so
// readers look at the draft itself.
func (s *Service) setMark(ctx context.Context, openID, v string, onlyIfUnknown bool) {
	key := keyDraftMark(openID)
	var err error
	if onlyIfUnknown {
		_, err = s.st.SetNX(ctx, key, []byte(v), markTTL)
	} else {
		err = s.st.Set(ctx, key, []byte(v), markTTL)
	}
	if err != nil {
		s.log.Debug("complaint draft mark", zap.Error(err))
		if !onlyIfUnknown {
			_ = s.st.Delete(context.WithoutCancel(ctx), key)
		}
	}
}

// Skill is the chat side of complaints: the guided form, 我的投诉, 继续投诉 and
// ratings. Plug it into the bot before the knowledge answers.
type Skill struct {
	svc   *Service
	data  func() *knowledge.Data
	depts deptMatcher
	log   *zap.Logger
}

var _ bot.Skill = (*Skill)(nil)

// NewSkill returns the complaints skill. data returns the current knowledge
// (for department names and aliases); it may return nil.
func NewSkill(svc *Service, data func() *knowledge.Data) *Skill {
	if data == nil {
		data = func() *knowledge.Data { return nil }
	}
	return &Skill{svc: svc, data: data, log: svc.log.With(zap.String("skill", "complaints"))}
}

// Words the skill reacts to (normalised).
var (
	startWords = map[string]bool{
		"投诉": true, "我要投诉": true, "我想投诉": true, "投诉一下": true, "我要投诉一下": true,
		"我想投诉一下": true, "要投诉": true, "想投诉": true, "我需要投诉": true, "我有投诉": true,
		"在线投诉": true, "投诉建议": true, "我要反映问题": true, "我要举报": true,
	}
	howWords = map[string]bool{
		"怎么投诉": true, "如何投诉": true, "怎样投诉": true, "在哪投诉": true, "在哪里投诉": true,
		"哪里投诉": true, "哪里可以投诉": true, "怎么投诉啊": true, "怎么投诉呢": true, "我要怎么投诉": true,
	}
	strongStart   = []string{"我要投诉", "我想投诉", "要投诉", "想投诉", "投诉一下"}
	notStartWords = []string{"电话", "号码", "热线", "取消", "撤销", "撤回", "进度", "结果", "查询", "查看", "记录", "我的投诉", "继续投诉", "投诉处", "投诉办", "投诉科", "投诉中心", "有用", "多久", "流程"}
	progressWords = []string{"投诉进度", "投诉结果", "查询投诉", "查看投诉", "投诉记录"}
	cancelWords   = map[string]bool{"取消": true, "取消投诉": true, "不投诉了": true, "退出": true, "放弃": true, "算了": true, "不要了": true}
	skipWords     = map[string]bool{"跳过": true, "不知道": true, "不清楚": true, "不记得": true, "忘了": true, "没有": true, "无": true, "不用": true, "不留": true, "不需要": true, "略": true, "skip": true}
	confirmWords  = map[string]bool{"确认": true, "确定": true, "提交": true, "确认提交": true, "是": true, "是的": true, "好": true, "好的": true, "对": true, "ok": true, "没问题": true}
	editWords     = map[string]bool{"修改": true, "更改": true, "改": true, "重新填写": true, "我要修改": true}
	// 是/是的 do not answer "匿名还是实名": they are command words there.
	anonYes     = map[string]bool{"匿名": true, "要匿名": true, "匿名投诉": true, "需要匿名": true}
	anonNo      = map[string]bool{"实名": true, "否": true, "不": true, "不匿名": true, "不用匿名": true, "实名投诉": true, "不需要": true, "不用": true}
	ratingWords = map[string]string{
		"满意": RatingSatisfied, "很满意": RatingSatisfied, "非常满意": RatingSatisfied, "比较满意": RatingSatisfied,
		"一般": RatingNeutral, "还行": RatingNeutral, "还可以": RatingNeutral,
		"不满意": RatingUnsatisfied, "很不满意": RatingUnsatisfied, "非常不满意": RatingUnsatisfied, "不太满意": RatingUnsatisfied,
	}
	editFields = map[string]string{
		"描述": stepDesc, "内容": stepDesc, "经过": stepDesc, "1": stepDesc,
		"科室": stepDept, "部门": stepDept, "2": stepDept,
		"时间": stepWhen, "3": stepWhen,
		"匿名": stepAnon, "实名": stepAnon, "4": stepAnon,
		"电话": stepPhone, "手机": stepPhone, "联系方式": stepPhone, "联系电话": stepPhone, "5": stepPhone,
	}
	// phoneRunRE finds digits written the way phone numbers are: with spaces,
	// hyphens and an optional +86.
	phoneRunRE = regexp.MustCompile(`\+?\d[\d -]*\d`)
	// timeHints mark an answer at the time prompt as a time even when
	// findWhen does not parse it (前几天, 月初, 上次复查那天).
	timeHints = []string{"天", "日", "号", "月", "年", "周", "星期", "礼拜", "点", "时", "午", "早", "晚", "夜", "前", "后", "刚", "上次", "上回", "最近", "中旬", "初", "底", "0", "1", "2", "3", "4", "5", "6", "7", "8", "9"}
)

// isCommand reports whether norm is a form command word (确认, 好的, 是, 修改
// ...): it answers the summary, never another prompt, and is never a
// knowledge question.
func isCommand(norm string) bool {
	return confirmWords[norm] || editWords[norm]
}

// phonesIn returns the valid phone numbers written in norm (normalised text),
// in order of appearance.
func phonesIn(norm string) []string {
	var out []string
	for _, run := range phoneRunRE.FindAllString(norm, -1) {
		if p, ok := NormalizePhone(run); ok {
			out = append(out, p)
			continue
		}
		for _, part := range strings.Fields(run) {
			if p, ok := NormalizePhone(part); ok {
				out = append(out, p)
			}
		}
	}
	return out
}

// patientPhone returns the first phone number in norm that is not one of the
// hospital's own (a department's phone the patient says they called), or "".
func (k *Skill) patientPhone(norm string) string {
	own := map[string]bool{}
	if d := k.knowledge(); d != nil {
		for _, dep := range d.Departments {
			if p, ok := NormalizePhone(dep.Phone); ok {
				own[p] = true
			}
		}
	}
	for _, p := range phonesIn(norm) {
		if !own[p] {
			return p
		}
	}
	return ""
}

// startKind classifies a message when no form is active: 0 not a start, 1 a
// plain start, 2 "how do I complain" (answered and started), 3 a start with
// the complaint already in the message.
func startKind(norm string) int {
	switch {
	case startWords[norm] || onlyStartWords(norm):
		return 1
	case howWords[norm]:
		return 2
	case !strings.Contains(norm, "投诉"):
		return 0
	}
	for _, w := range notStartWords {
		if strings.Contains(norm, w) {
			return 0
		}
	}
	if looksLikeQuestion("", norm) {
		return 0
	}
	if strings.HasPrefix(norm, "投诉") {
		return 3
	}
	for _, w := range strongStart {
		if strings.Contains(norm, w) {
			return 3
		}
	}
	return 0
}

// startParts are the pieces a message made only of start phrases is written
// with (我要反映问题 投诉, 你好 我想反映个问题, 投诉 举报), longest first;
// startHeads are those of them that ask for the form on their own.
var (
	startParts = []string{
		"你好", "您好", "请问", "医生", "在线", "我需要", "我要", "我想", "需要", "要", "想", "我", "有",
		"投诉", "举报", "反映", "反馈", "问题", "情况", "意见", "一下", "一个", "个", "啊", "呀", "嘛", "哈", "了",
	}
	startHeads = []string{"投诉", "举报", "反映"}
)

// onlyStartWords reports whether norm says nothing but that the patient wants
// to complain: it names 投诉, 举报 or 反映 and every other piece is a start
// phrase's word or a greeting. A message with anything else in it (a
// question, the complaint itself) is left to startKind's other rules.
func onlyStartWords(norm string) bool {
	if !containsAny(norm, startHeads) {
		return false
	}
	rest := strings.ReplaceAll(norm, " ", "")
	for rest != "" {
		found := false
		for _, w := range startParts {
			if strings.HasPrefix(rest, w) {
				rest, found = rest[len(w):], true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}

func (k *Skill) knowledge() *knowledge.Data { return k.data() }

// Handle implements bot.Skill.
func (k *Skill) Handle(ctx context.Context, t *bot.Turn) (bot.Reply, bool, error) {
	msg := t.Msg
	if msg.UserID == "" || msg.Kind == bot.KindEvent && msg.Event == bot.EventUnsubscribe {
		return bot.Reply{}, false, nil
	}
	if err := k.svc.TouchUser(ctx, msg.UserID); err != nil {
		k.log.Debug("record last message time", zap.Error(err))
	}
	norm := t.Norm
	if norm == "" && msg.Text != "" {
		norm = textnorm.Normalize(msg.Text)
	}
	click := ""
	if msg.Kind == bot.KindEvent && msg.Event == bot.EventClick {
		click = msg.EventKey
	}
	d, err := k.svc.loadDraft(ctx, msg.UserID)
	if err != nil {
		k.log.Error("load complaint draft", zap.Error(err))
		if click == bot.KeyComplaint || click == bot.KeyMyComplaints || startKind(norm) != 0 || norm == "继续投诉" || norm == "我的投诉" {
			return bot.Reply{Text: msgBusy}, true, nil
		}
		return bot.Reply{}, false, nil
	}
	now := k.svc.clk.Now()
	if d != nil && now.Sub(d.UpdatedAt) <= IdleTimeout {
		return k.step(ctx, t, d, norm, click)
	}
	// No active form.
	switch {
	case click == bot.KeyComplaint:
		return k.start(ctx, t, d, 1, norm)
	case click == bot.KeyMyComplaints || norm == "我的投诉" || containsAny(norm, progressWords):
		return k.listReply(ctx, msg.UserID, d, "")
	case norm == "继续投诉":
		if d == nil {
			return bot.Reply{Text: msgNoDraft}, true, nil
		}
		return k.resume(ctx, d)
	case msg.Kind == bot.KindText || msg.Kind == bot.KindVoice:
		if kind := startKind(norm); kind != 0 {
			return k.start(ctx, t, d, kind, norm)
		}
		if r, ok := ratingWords[norm]; ok {
			return k.rate(ctx, msg.UserID, r)
		}
	}
	return bot.Reply{}, false, nil
}

func containsAny(s string, words []string) bool {
	for _, w := range words {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// start begins a form (or resumes a kept draft).
func (k *Skill) start(ctx context.Context, t *bot.Turn, old *Draft, kind int, norm string) (bot.Reply, bool, error) {
	if old != nil {
		return k.resume(ctx, old)
	}
	now := k.svc.clk.Now()
	d := &Draft{ID: newID(), OpenID: t.Msg.UserID, Step: stepDesc, StartedAt: now, UpdatedAt: now}
	intro := "您好，您可以在这里直接填写投诉，我们会给出投诉编号并按时答复。\n"
	if kind == 2 {
		intro = "您可以在这里直接在线投诉，提交后会得到投诉编号。\n"
		if t.Answer != nil {
			if r, ok := t.Answer(ctx, t.Msg.Text); ok && r.Text != "" {
				intro = r.Text + "\n\n现在就可以开始填写。\n"
			}
		}
	}
	if kind == 3 {
		// The message carries the complaint: take it as the description when
		// it says enough, else only the departments it names.
		desc := strings.TrimSpace(t.Msg.Text)
		rest := norm
		for _, w := range append([]string{"我要投诉", "我想投诉", "要投诉", "想投诉", "投诉一下"}, "投诉") {
			rest = strings.Replace(rest, w, "", 1)
		}
		if utf8.RuneCountInString(rest) >= MinDescriptionRunes {
			k.takeDescription(d, desc, norm)
		} else if deps := k.depts.find(k.knowledge(), norm); len(deps) > 0 {
			d.Departments, d.DeptDone = deps, true
		}
		d.Step = nextStep(d)
		intro = ""
		if d.Step != stepDesc {
			intro = "已记录您反映的情况。\n"
		}
	}
	if err := k.svc.saveDraft(ctx, d); err != nil {
		k.log.Error("start complaint form", zap.Error(err))
		return bot.Reply{Text: msgBusy}, true, nil
	}
	return bot.Reply{Text: intro + k.prompt(d)}, true, nil
}

// resume reactivates a kept draft.
func (k *Skill) resume(ctx context.Context, d *Draft) (bot.Reply, bool, error) {
	d.UpdatedAt = k.svc.clk.Now()
	if err := k.svc.saveDraft(ctx, d); err != nil {
		k.log.Error("resume complaint form", zap.Error(err))
		return bot.Reply{Text: msgBusy}, true, nil
	}
	return bot.Reply{Text: "您有一份未提交的投诉，已为您恢复，可以接着填写（回复“取消”放弃）。\n\n" + k.prompt(d)}, true, nil
}

// prompt is the question of the draft's current step.
func (k *Skill) prompt(d *Draft) string {
	switch d.Step {
	case stepDesc:
		return promptDesc
	case stepDept:
		return promptDept
	case stepWhen:
		return promptWhen
	case stepAnon:
		return promptAnon
	case stepPhone:
		return promptPhone
	case stepEdit:
		return promptEdit
	}
	return k.summary(d)
}

// pendingPrompt is the short reminder repeated after an interruption.
func (k *Skill) pendingPrompt(d *Draft) string {
	if d.Step == stepConfirm {
		return "您的投诉尚未提交。" + promptConfirm
	}
	return k.prompt(d)
}

// summary shows the draft for confirmation.
func (k *Skill) summary(d *Draft) string {
	var b strings.Builder
	b.WriteString("请确认您的投诉内容：\n")
	fmt.Fprintf(&b, "描述：%s\n", shorten(d.Description, 200))
	dept := "未填写"
	if len(d.Departments) > 0 {
		dept = strings.Join(d.Departments, "、")
	} else if d.DepartmentNote != "" {
		dept = d.DepartmentNote
	}
	fmt.Fprintf(&b, "科室：%s\n", dept)
	when := d.When
	if when == "" {
		when = "未填写"
	}
	fmt.Fprintf(&b, "时间：%s\n", when)
	if d.Anonymous {
		b.WriteString("方式：匿名\n")
	} else {
		b.WriteString("方式：实名\n")
		phone := d.Phone
		if phone == "" {
			phone = "未填写"
		}
		fmt.Fprintf(&b, "电话：%s\n", phone)
	}
	if n := len(d.Attachments); n > 0 {
		fmt.Fprintf(&b, "附件：%d个\n", n)
	}
	b.WriteString(promptConfirm)
	return b.String()
}

// takeDescription sets the description and what it already tells.
func (k *Skill) takeDescription(d *Draft, raw, norm string) {
	if utf8.RuneCountInString(raw) > maxDescRunes {
		raw = string([]rune(raw)[:maxDescRunes])
	}
	first := d.Description == ""
	d.Description = raw
	if !first {
		return // editing: the other answers stay as given
	}
	if deps := k.depts.find(k.knowledge(), norm); len(deps) > 0 && !d.DeptDone {
		d.Departments, d.DeptDone = deps, true
	}
	if w := findWhen(norm); w != "" && !d.WhenDone {
		d.When, d.WhenDone = w, true
	}
}

// interrupt answers a question asked in the middle of the form and repeats
// the pending prompt; ok is false when the bot had no confident answer.
func (k *Skill) interrupt(ctx context.Context, t *bot.Turn, d *Draft) (bot.Reply, bool) {
	if t.Answer == nil || t.Msg.Text == "" {
		return bot.Reply{}, false
	}
	norm := t.Norm
	if norm == "" {
		norm = textnorm.Normalize(t.Msg.Text)
	}
	if isCommand(norm) {
		return bot.Reply{}, false // 确认, 好的 ...: form words, not questions
	}
	r, ok := t.Answer(ctx, t.Msg.Text)
	if !ok || r.Text == "" {
		return bot.Reply{}, false
	}
	k.touch(ctx, d)
	return bot.Reply{Text: r.Text + "\n\n" + k.pendingPrompt(d)}, true
}

// touch refreshes the draft's idle timer without changing its state.
func (k *Skill) touch(ctx context.Context, d *Draft) {
	d.UpdatedAt = k.svc.clk.Now()
	if err := k.svc.saveDraft(ctx, d); err != nil {
		k.log.Warn("refresh complaint draft", zap.Error(err))
	}
}

// advance moves to the next question, saves and asks it.
func (k *Skill) advance(ctx context.Context, d *Draft, ack string) (bot.Reply, bool, error) {
	d.Step = nextStep(d)
	d.UpdatedAt = k.svc.clk.Now()
	if err := k.svc.saveDraft(ctx, d); err != nil {
		k.log.Error("save complaint draft", zap.Error(err))
		return bot.Reply{Text: msgBusy + "\n\n" + k.pendingPrompt(d)}, true, nil
	}
	return bot.Reply{Text: ack + k.prompt(d)}, true, nil
}

// reask answers a command word (确认, 好的, 是 ...) sent at a prompt other
// than the summary: the current question is still open, so ask it again.
func (k *Skill) reask(ctx context.Context, d *Draft) (bot.Reply, bool, error) {
	return k.again(ctx, d, "还需要先回答这一项，填完后才能确认提交。\n"+k.prompt(d))
}

// again repeats the current question with a hint.
func (k *Skill) again(ctx context.Context, d *Draft, text string) (bot.Reply, bool, error) {
	k.touch(ctx, d)
	return bot.Reply{Text: text}, true, nil
}

// step handles a message while the form is active.
func (k *Skill) step(ctx context.Context, t *bot.Turn, d *Draft, norm, click string) (bot.Reply, bool, error) {
	msg := t.Msg
	raw := strings.TrimSpace(msg.Text)
	if cancelWords[norm] {
		if err := k.svc.deleteDraft(ctx, d.OpenID); err != nil {
			k.log.Error("delete cancelled complaint draft", zap.Error(err))
		}
		return bot.Reply{Text: msgCancelled}, true, nil
	}
	switch {
	case msg.Kind == bot.KindImage || msg.Kind == bot.KindVoice && (d.Step != stepDesc || utf8.RuneCountInString(norm) < MinDescriptionRunes):
		return k.attach(ctx, d, msg)
	case msg.Kind == bot.KindVoice:
		// A voice description: keep the recording and its recognised text.
		if len(d.Attachments) < MaxAttachments && msg.MediaID != "" {
			d.Attachments = append(d.Attachments, Attachment{Kind: "voice", MediaID: msg.MediaID, ReceivedAt: k.svc.clk.Now()})
		}
	case msg.Kind == bot.KindEvent:
		switch click {
		case bot.KeyComplaint:
			return k.again(ctx, d, "您正在填写投诉。\n\n"+k.pendingPrompt(d))
		case bot.KeyMyComplaints:
			return k.listReply(ctx, msg.UserID, nil, k.pendingPrompt(d))
		}
		return bot.Reply{}, false, nil // other menu items: the bot answers
	case msg.Kind != bot.KindText:
		return k.again(ctx, d, "暂时只能接收文字、图片和语音。\n\n"+k.pendingPrompt(d))
	}
	if norm == "我的投诉" {
		return k.listReply(ctx, msg.UserID, nil, k.pendingPrompt(d))
	}
	if norm == "继续投诉" || startWords[norm] {
		return k.again(ctx, d, "您正在填写投诉。\n\n"+k.pendingPrompt(d))
	}
	question := looksLikeQuestion(raw, norm)
	if d.Step != stepConfirm && d.Step != stepEdit && isCommand(norm) {
		return k.reask(ctx, d)
	}

	switch d.Step {
	case stepDesc:
		n := utf8.RuneCountInString(norm)
		short := n < MinDescriptionRunes
		// A long message is the description even when it asks something.
		if short || question && n < 25 {
			if r, ok := k.interrupt(ctx, t, d); ok {
				return r, true, nil
			}
		}
		if short {
			return k.again(ctx, d, promptDescShort)
		}
		k.takeDescription(d, raw, norm)
		return k.advance(ctx, d, "已记录。")

	case stepDept:
		question := question || looksLikeQuestion("", textnorm.Colloquial(norm))
		if skipWords[norm] {
			d.Departments, d.DepartmentNote, d.DeptDone = nil, "", true
			return k.advance(ctx, d, "")
		}
		if name, ok := k.depts.exact(k.knowledge(), norm); ok {
			d.Departments, d.DepartmentNote, d.DeptDone = []string{name}, "", true
			return k.advance(ctx, d, "")
		}
		if !question {
			if deps := k.depts.find(k.knowledge(), norm); len(deps) > 0 {
				d.Departments, d.DepartmentNote, d.DeptDone = deps, "", true
				return k.advance(ctx, d, "")
			}
		}
		if r, ok := k.interrupt(ctx, t, d); ok {
			return r, true, nil
		}
		if question || utf8.RuneCountInString(norm) > maxFieldRunes {
			return k.again(ctx, d, promptDept)
		}
		// Not a department of the list: keep the patient's words for staff.
		d.Departments, d.DepartmentNote, d.DeptDone = nil, raw, true
		return k.advance(ctx, d, "")

	case stepWhen:
		if skipWords[norm] {
			d.When, d.WhenDone = "", true
			return k.advance(ctx, d, "")
		}
		question := question || looksLikeQuestion("", textnorm.Colloquial(norm))
		if findWhen(norm) == "" {
			// Not a time we recognise: a question (出院手续咋办) goes to the
			// bot first, and is never kept as the time.
			if question || !containsAny(norm, timeHints) {
				if r, ok := k.interrupt(ctx, t, d); ok {
					return r, true, nil
				}
			}
			if question {
				return k.again(ctx, d, promptWhen)
			}
		}
		if utf8.RuneCountInString(norm) > maxFieldRunes {
			return k.again(ctx, d, "时间请简短填写，例如：11月20日上午。不记得可回复“跳过”。")
		}
		d.When, d.WhenDone = raw, true
		return k.advance(ctx, d, "")

	case stepAnon:
		switch {
		case anonYes[norm]:
			d.Anonymous, d.AnonDone = true, true
			d.Phone, d.PhoneDone = "", true
			return k.advance(ctx, d, "")
		case anonNo[norm]:
			d.Anonymous, d.AnonDone = false, true
			if d.Phone == "" && !d.PhoneDone {
				// A phone left in the description answers the next question.
				if p := k.patientPhone(textnorm.Normalize(d.Description)); p != "" {
					d.Phone, d.PhoneDone = p, true
					return k.advance(ctx, d, "已使用您在描述中留下的联系电话，如需更改请回复“修改”。\n")
				}
			}
			return k.advance(ctx, d, "")
		}
		// A phone number here means 实名 with that number.
		if p := k.patientPhone(norm); p != "" && len(norm) < 60 && !strings.Contains(norm, "匿名") {
			d.Anonymous, d.AnonDone = false, true
			d.Phone, d.PhoneDone = p, true
			return k.advance(ctx, d, "")
		}
		if r, ok := k.interrupt(ctx, t, d); ok {
			return r, true, nil
		}
		return k.again(ctx, d, "请回复“匿名”或“实名”。")

	case stepPhone:
		if skipWords[norm] {
			d.Phone, d.PhoneDone = "", true
			return k.advance(ctx, d, "")
		}
		if p, ok := NormalizePhone(norm); ok {
			d.Phone, d.PhoneDone = p, true
			return k.advance(ctx, d, "")
		}
		if p := k.patientPhone(norm); p != "" && len(norm) < 60 {
			d.Phone, d.PhoneDone = p, true
			return k.advance(ctx, d, "")
		}
		if r, ok := k.interrupt(ctx, t, d); ok {
			return r, true, nil
		}
		return k.again(ctx, d, promptPhoneAgain)

	case stepConfirm:
		switch {
		case confirmWords[norm]:
			return k.submit(ctx, d)
		case editWords[norm]:
			d.Step = stepEdit
			d.UpdatedAt = k.svc.clk.Now()
			if err := k.svc.saveDraft(ctx, d); err != nil {
				k.log.Error("save complaint draft", zap.Error(err))
				return bot.Reply{Text: msgBusy}, true, nil
			}
			return bot.Reply{Text: promptEdit}, true, nil
		}
		// A new phone number at the summary replaces the one given.
		if p := k.patientPhone(norm); p != "" && !d.Anonymous && len(norm) < 60 {
			d.Phone, d.PhoneDone = p, true
			return k.advance(ctx, d, "已更新联系电话。\n")
		}
		if r, ok := k.interrupt(ctx, t, d); ok {
			return r, true, nil
		}
		return k.again(ctx, d, promptConfirm)

	case stepEdit:
		if confirmWords[norm] || norm == "不改了" || norm == "返回" {
			return k.advance(ctx, d, "")
		}
		field, ok := editFields[strings.TrimPrefix(strings.TrimPrefix(norm, "修改"), "改")]
		if !ok {
			if r, ok := k.interrupt(ctx, t, d); ok {
				return r, true, nil
			}
			return k.again(ctx, d, promptEdit)
		}
		switch field {
		case stepDept:
			d.DeptDone = false
		case stepWhen:
			d.WhenDone = false
		case stepAnon:
			d.AnonDone, d.PhoneDone = false, false
		case stepPhone:
			d.Anonymous, d.AnonDone, d.PhoneDone = false, true, false
		}
		d.Step = field
		d.UpdatedAt = k.svc.clk.Now()
		if err := k.svc.saveDraft(ctx, d); err != nil {
			k.log.Error("save complaint draft", zap.Error(err))
			return bot.Reply{Text: msgBusy}, true, nil
		}
		p := k.prompt(d)
		if field == stepDesc {
			p = "请重新描述您遇到的问题（至少10个字）。"
		}
		return bot.Reply{Text: p}, true, nil
	}
	// Unknown step (older version): restart at the first open question.
	return k.advance(ctx, d, "")
}

// attach keeps an image or voice message with the draft.
func (k *Skill) attach(ctx context.Context, d *Draft, msg bot.Message) (bot.Reply, bool, error) {
	if msg.MediaID == "" {
		return k.again(ctx, d, k.pendingPrompt(d))
	}
	if len(d.Attachments) >= MaxAttachments {
		return k.again(ctx, d, fmt.Sprintf("每次投诉最多可附%d个图片或语音。\n\n%s", MaxAttachments, k.pendingPrompt(d)))
	}
	kind := "image"
	what := "图片"
	if msg.Kind == bot.KindVoice {
		kind, what = "voice", "语音"
	}
	d.Attachments = append(d.Attachments, Attachment{Kind: kind, MediaID: msg.MediaID, ReceivedAt: k.svc.clk.Now()})
	d.UpdatedAt = k.svc.clk.Now()
	if err := k.svc.saveDraft(ctx, d); err != nil {
		k.log.Error("save complaint attachment", zap.Error(err))
		return bot.Reply{Text: msgBusy + "\n\n" + k.pendingPrompt(d)}, true, nil
	}
	return bot.Reply{Text: fmt.Sprintf("已收到%s（共%d个附件）。\n\n%s", what, len(d.Attachments), k.pendingPrompt(d))}, true, nil
}

// submit files the draft. The ticket number is replied only once the ticket
// is stored; on failure the draft stays for another 确认.
func (k *Skill) submit(ctx context.Context, d *Draft) (bot.Reply, bool, error) {
	d.UpdatedAt = k.svc.clk.Now()
	number, err := k.svc.Submit(ctx, d)
	if err != nil {
		k.log.Error("submit complaint", zap.Error(err))
		return bot.Reply{Text: msgSubmitFailed}, true, nil
	}
	t, err := k.svc.Get(ctx, number)
	days := k.svc.opts.DeadlineDays
	due := ""
	if err == nil {
		if len(t.Departments) > 1 {
			days = k.svc.opts.MultiDeptDeadlineDays
		}
		due = fmt.Sprintf("（%d月%d日前）", t.DueAt.Month(), t.DueAt.Day())
	}
	return bot.Reply{Text: fmt.Sprintf("您的投诉已提交，投诉编号：%s。\n我们将在%d个工作日内%s给您答复，答复会通过公众号发送给您。回复“我的投诉”可查看处理进度。", number, days, due)}, true, nil
}

// listReply answers 我的投诉; suffix (a pending prompt) is appended.
func (k *Skill) listReply(ctx context.Context, openID string, idle *Draft, suffix string) (bot.Reply, bool, error) {
	ts, err := k.svc.ForPatient(ctx, openID)
	if err != nil {
		k.log.Error("list patient's complaints", zap.Error(err))
		return bot.Reply{Text: msgBusy}, true, nil
	}
	var b strings.Builder
	if len(ts) == 0 {
		b.WriteString(msgNoComplaints)
	} else {
		fmt.Fprintf(&b, "您的投诉记录（共%d条）：", len(ts))
		for i, t := range ts {
			if i == maxListed {
				fmt.Fprintf(&b, "\n（仅显示最近%d条）", maxListed)
				break
			}
			fmt.Fprintf(&b, "\n%d. 编号%s｜%s｜%d月%d日提交", i+1, t.Number, t.Status.Label(), t.CreatedAt.Month(), t.CreatedAt.Day())
			if a := t.LatestAnswer(); a != nil {
				fmt.Fprintf(&b, "\n最新答复：%s", shorten(a.Text, 80))
			}
			if t.Rating != "" {
				fmt.Fprintf(&b, "\n您的评价：%s", t.Rating)
			}
		}
		if n, err := k.svc.pendingRating(ctx, openID); err == nil && n != "" {
			fmt.Fprintf(&b, "\n\n投诉%s已办结，欢迎回复“满意”、“一般”或“不满意”评价。", n)
		}
	}
	if idle != nil {
		b.WriteString("\n\n您还有一份未提交的投诉，回复“继续投诉”可接着填写。")
	}
	if suffix != "" {
		b.WriteString("\n\n" + suffix)
	}
	return bot.Reply{Text: b.String()}, true, nil
}

// rate takes a rating word; without a pending rating request it passes.
func (k *Skill) rate(ctx context.Context, openID, rating string) (bot.Reply, bool, error) {
	number, err := k.svc.pendingRating(ctx, openID)
	if err != nil {
		k.log.Warn("rating request", zap.Error(err))
		return bot.Reply{}, false, nil
	}
	if number == "" {
		return bot.Reply{}, false, nil
	}
	if _, err := k.svc.Rate(ctx, openID, number, rating); err != nil {
		if errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound) {
			_, _ = k.svc.st.DeleteIfEquals(ctx, keyRate(openID), []byte(number))
			return bot.Reply{}, false, nil
		}
		k.log.Error("store rating", zap.String("number", number), zap.Error(err))
		return bot.Reply{Text: msgBusy}, true, nil
	}
	return bot.Reply{Text: msgThanksRating}, true, nil
}
