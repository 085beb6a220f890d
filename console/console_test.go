package console_test

import (
	"context"
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/complaints"
	"github.com/hospital/wxbot/console"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/knowledge/demo"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/wxapi"
)

// fillPath replaces the path parameters of a form's pattern with real ids.
func fillPath(pattern, noticeID, ticket string) string {
	p := strings.ReplaceAll(pattern, "{id}", noticeID)
	return strings.ReplaceAll(p, "{number}", ticket)
}

func TestEveryFormRefusesAMissingOrWrongCSRFToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	all := e.addStaff("全能", staff.AllRoles...)
	n := e.draft(all, "门诊收费标准调整", false)
	number := e.ticket("patient-csrf", "候诊时间太长，没有人解释原因", "13812345678")
	before := len(e.auditEntries())

	b := e.browser()
	b.signIn("全能")
	forms := e.console.Forms()
	if len(forms) < 15 {
		t.Fatalf("only %d forms registered", len(forms))
	}
	for _, f := range forms {
		path := fillPath(f.Pattern, n.ID, number)
		for _, token := range []string{"-", "forged-token"} {
			form := url.Values{console.CSRFField: {token}, "name": {"全能"}, "password": {testPassword},
				"title": {"改过的标题"}, "category": {"价格调整"}, "op": {"save"}, "text": {"答复内容"},
				"resolution": {"已处理"}, "reason": {"原因"}, "question": {"问题"}, "answer": {"答案"}}
			r := b.post(path, form)
			if r.Status != http.StatusForbidden {
				t.Errorf("POST %s with CSRF token %q: %d, want 403", path, token, r.Status)
			}
			if !strings.Contains(r.Body, "CSRF") {
				t.Errorf("POST %s: the 403 page does not say why:\n%.500s", path, r.Body)
			}
		}
		if strings.HasSuffix(f.Pattern, "/upload") {
			r := b.upload(path, map[string]string{console.CSRFField: "-", "kind": "prices"}, "file", "prices.csv", []byte("code\n"))
			if r.Status != http.StatusForbidden {
				t.Errorf("multipart POST %s without a token: %d, want 403", path, r.Status)
			}
		}
	}
	// Nothing happened: the notice is the same draft, the ticket unanswered,
	// the audit log holds only the sign-in.
	got, _ := e.notices.Get(context.Background(), n.ID)
	if got.State != notices.StateDraft || got.Title != n.Title {
		t.Errorf("the notice changed without a token: %s %q", got.State, got.Title)
	}
	tk, _ := e.complaints.Get(context.Background(), number)
	if len(tk.Answers) != 0 || tk.Status != complaints.StatusOpen {
		t.Errorf("the ticket changed without a token: %s, %d answers", tk.Status, len(tk.Answers))
	}
	if after := e.auditEntries(); len(after) != before+1 || after[0].Action != "console.login" {
		t.Errorf("audit entries after forged posts: %+v", after[:len(after)-before])
	}
	// And a signed-in member is still signed in (a forged logout did nothing).
	if r := b.get("/console/notices"); r.Status != http.StatusOK {
		t.Errorf("signed out by a forged logout: %d", r.Status)
	}
}

func TestEveryFormRefusesARoleThatMayNotAct(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	author := e.addMember("作者", staff.RoleEditor)
	n := e.draft(author, "设备采购结果", false)
	number := e.ticket("patient-roles", "收费处多收了我二十元钱", "")

	browsers := map[string]*browser{}
	for _, f := range e.console.Forms() {
		if len(f.Roles) == 0 {
			continue
		}
		var others []staff.Role
		for _, r := range staff.AllRoles {
			held := false
			for _, need := range f.Roles {
				held = held || r == need
			}
			if !held {
				others = append(others, r)
			}
		}
		// One member (and one sign-in) per set of roles.
		key := fmt.Sprint(others)
		b, ok := browsers[key]
		if !ok {
			name := "无权" + itoa(len(browsers))
			e.addStaff(name, others...)
			b = e.browser()
			b.signIn(name)
			browsers[key] = b
		}
		path := fillPath(f.Pattern, n.ID, number)
		var r response
		if strings.HasSuffix(f.Pattern, "/upload") {
			r = b.upload(path, map[string]string{"kind": "prices"}, "file", "prices.csv", []byte("code,name\n"))
		} else {
			r = b.post(path, url.Values{"title": {"x"}, "category": {"价格调整"}, "op": {"save"}, "text": {"答复"},
				"resolution": {"已处理"}, "reason": {"原因"}, "question": {"问"}, "answer": {"答"}, "upload": {"x"}})
		}
		if r.Status != http.StatusForbidden {
			t.Errorf("POST %s by roles %v (needs %v): %d, want 403", path, others, f.Roles, r.Status)
		}
		if !strings.Contains(r.Body, "权限") {
			t.Errorf("POST %s: the 403 page does not name the missing right:\n%.400s", path, r.Body)
		}
	}
	got, _ := e.notices.Get(context.Background(), n.ID)
	if got.State != notices.StateDraft {
		t.Errorf("the notice moved to %s through members without the role", got.State)
	}
	if tk, _ := e.complaints.Get(context.Background(), number); len(tk.Answers) != 0 || len(tk.Notes) != 0 || tk.Assignee != "" {
		t.Errorf("the ticket changed through members without the role: %+v", tk)
	}
}

func TestTheServerRefusesWhatTheWorkflowForbidsEvenWithTheRole(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	self := e.addStaff("自审", staff.RoleEditor, staff.RoleReviewer)
	e.addStaff("另一编辑", staff.RoleEditor)
	n := e.draft(self, "人事任免公示", false)
	b := e.browser()
	b.signIn("自审")
	if r := b.post("/console/notices/"+n.ID+"/submit", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %.500s", r.Status, r.Body)
	}
	// The page offers no approval of one's own notice ...
	page := b.get("/console/notices/" + n.ID)
	if strings.Contains(page.Body, "/approve") || strings.Contains(page.Body, "/reject") {
		t.Error("the author is offered to approve or reject their own notice")
	}
	// ... and the server refuses it when posted anyway.
	r := b.post("/console/notices/"+n.ID+"/approve", nil)
	if r.Status != http.StatusForbidden {
		t.Errorf("approving one's own notice: %d, want 403", r.Status)
	}
	// Another editor may not edit someone else's draft.
	n2 := e.draft(self, "第二份草稿", false)
	o := e.browser()
	o.signIn("另一编辑")
	if r := o.post("/console/notices/"+n2.ID+"/edit", url.Values{"title": {"篡改"}, "category": {"价格调整"}, "op": {"save"}}); r.Status != http.StatusForbidden {
		t.Errorf("editing another author's draft: %d, want 403", r.Status)
	}
	if got, _ := e.notices.Get(context.Background(), n2.ID); got.Title != "第二份草稿" {
		t.Errorf("draft changed to %q", got.Title)
	}
}

func TestButtonsMatchTheMembersRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	editor := e.addStaff("编辑甲", staff.RoleEditor)
	e.addStaff("审核乙", staff.RoleReviewer)
	e.addStaff("领导丙", staff.RolePrincipal)
	e.addStaff("管理丁", staff.RoleAdmin)
	n := e.draft(editor, "三重一大事项公示", true)

	ed := e.browser()
	ed.signIn("编辑甲")
	page := ed.get("/console/notices/" + n.ID).Body
	for _, want := range []string{"/submit", "/edit", "/withdraw"} {
		if !strings.Contains(page, want) {
			t.Errorf("the author's draft page lacks %s", want)
		}
	}
	if strings.Contains(page, "/approve") {
		t.Error("an editor is offered approval")
	}
	if r := ed.post("/console/notices/"+n.ID+"/submit", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}

	rev := e.browser()
	rev.signIn("审核乙")
	page = rev.get("/console/notices/" + n.ID).Body
	if !strings.Contains(page, "审核通过") || !strings.Contains(page, "/reject") || strings.Contains(page, "/submit") {
		t.Errorf("reviewer's page of a submitted notice: approve/reject expected, submit not:\n%.3000s", page)
	}
	pr := e.browser()
	pr.signIn("领导丙")
	if page := pr.get("/console/notices/" + n.ID).Body; strings.Contains(page, "/approve") {
		t.Error("a principal is offered the first approval of a major notice")
	}
	// Reviewer approves: a major notice now waits for the principal.
	if r := rev.post("/console/notices/"+n.ID+"/approve", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	if page := rev.get("/console/notices/" + n.ID).Body; strings.Contains(page, "/approve") {
		t.Error("the reviewer is offered the principal's approval too")
	}
	page = pr.get("/console/notices/" + n.ID).Body
	if !strings.Contains(page, "院领导批准") {
		t.Errorf("the principal is not offered the second approval:\n%.3000s", page)
	}
	// Reject with a reason returns it to draft.
	if r := pr.post("/console/notices/"+n.ID+"/reject", url.Values{"reason": {"请补充金额"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reject: %d %.500s", r.Status, r.Body)
	}
	got, _ := e.notices.Get(context.Background(), n.ID)
	if got.State != notices.StateDraft || got.RejectReason != "请补充金额" {
		t.Errorf("after reject: %s %q", got.State, got.RejectReason)
	}
	// A reject without a reason is refused with the reason shown.
	ed.post("/console/notices/"+n.ID+"/submit", nil)
	r := pr.post("/console/notices/"+n.ID+"/reject", url.Values{"reason": {" "}})
	if r.Status == http.StatusSeeOther {
		r = pr.follow(r)
	}
	if !strings.Contains(r.Body, "无法执行此操作") {
		t.Errorf("a reject without reason was not refused visibly: %d %.800s", r.Status, r.Body)
	}
	// The admin sees no workflow buttons but the notice list.
	ad := e.browser()
	ad.signIn("管理丁")
	if page := ad.get("/console/notices/" + n.ID).Body; strings.Contains(page, "/approve") || strings.Contains(page, "/submit") {
		t.Error("an admin is offered workflow steps")
	}
}

func TestEditorPreviewShowsWhatThePatientGets(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	b := e.signedIn("编辑", staff.RoleEditor)
	if r := b.get("/console/notices/new"); r.Status != http.StatusOK || !strings.Contains(r.Body, `name="category"`) {
		t.Fatalf("new notice form: %d", r.Status)
	}
	form := url.Values{"title": {"CT检查价格下调"}, "category": {"价格调整"}, "summary": {"自3月1日起CT平扫降价"},
		"body": {"## 调整内容\n- CT平扫 **降价10元**\n<script>alert(1)</script>"}, "link": {"https://example.org/n/1"},
		"publish_at": {"2030-03-01T09:00"}, "op": {"preview"}}
	r := b.post("/console/notices", form)
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %.500s", r.Status, r.Body)
	}
	for _, want := range []string{"患者在微信中看到的内容", "CT检查价格下调", "自3月1日起CT平扫降价", "【价格调整】CT检查价格下调（2030-03-01）",
		"回复「退订 价格调整」不再接收此类公示", "https://example.org/n/1", "<strong>降价10元</strong>"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("preview lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "<script>alert(1)</script>") {
		t.Error("the body's markup is not escaped in the preview")
	}
	if list, _ := e.notices.List(context.Background(), ""); len(list) != 0 {
		t.Fatalf("preview saved a notice: %d", len(list))
	}
	form.Set("op", "save")
	r = b.post("/console/notices", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %.1000s", r.Status, r.Body)
	}
	list, _ := e.notices.List(context.Background(), "")
	if len(list) != 1 || list[0].PublishAt == nil || list[0].PublishAt.In(notices.Shanghai).Format("2006-01-02 15:04") != "2030-03-01 09:00" {
		t.Fatalf("saved notices: %+v", list)
	}
	// A bad link is refused with the reason and the form keeps what was typed.
	form.Set("link", "javascript:alert(1)")
	r = b.post("/console/notices", form)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "无法保存") || !strings.Contains(r.Body, "CT检查价格下调") {
		t.Errorf("bad link: %d %.800s", r.Status, r.Body)
	}
	entries := e.auditEntries()
	if entries[0].Action != "notice.create" || entries[0].ActorName != "编辑" || entries[0].RemoteAddr != "127.0.0.1" || entries[0].Target != "notice:"+list[0].ID {
		t.Errorf("audit of the creation: %+v", entries[0])
	}
}

func TestSessionCookieAndSignOut(t *testing.T) {
	t.Parallel()
	e := newEnv(t, true)
	e.addStaff("护士长", staff.RoleComplaints)
	b := e.browser()
	r := b.get("/console/complaints")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/console/login?next=") {
		t.Fatalf("unsigned visit: %d %q", r.Status, r.Location)
	}
	b.get("/console/login")
	if r := b.post("/console/login", url.Values{"name": {"护士长"}, "password": {"wrong password!"}}); r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "不正确") {
		t.Errorf("wrong password: %d", r.Status)
	}
	r = b.post("/console/login", url.Values{"name": {"护士长"}, "password": {testPassword}, "next": {"/console/complaints"}})
	if r.Status != http.StatusSeeOther || r.Location != "/console/complaints" {
		t.Fatalf("sign-in: %d %q", r.Status, r.Location)
	}
	cookie := r.Header.Get("Set-Cookie")
	for _, want := range []string{"HttpOnly", "SameSite=Lax", "Secure", "Path=/console/"} {
		if !strings.Contains(cookie, want) {
			t.Errorf("session cookie %q lacks %s", cookie, want)
		}
	}
	// An open redirect is not followed.
	b2 := e.browser()
	b2.get("/console/login")
	if r := b2.post("/console/login", url.Values{"name": {"护士长"}, "password": {testPassword}, "next": {"//evil.example/"}}); r.Location != "/console/" {
		t.Errorf("next=//evil.example/ redirected to %q", r.Location)
	}
	if r := b2.get("/console/logout"); r.Status == http.StatusSeeOther {
		t.Error("GET signs out")
	}
}

func TestSignOutIsAPostAndEndsTheSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	b := e.signedIn("护士长", staff.RoleComplaints)
	if r := b.get("/console/complaints"); r.Status != http.StatusOK {
		t.Fatalf("queue: %d", r.Status)
	}
	r := b.post("/console/logout", nil)
	if r.Status != http.StatusSeeOther || r.Location != "/console/login" {
		t.Fatalf("logout: %d %q", r.Status, r.Location)
	}
	if r := b.get("/console/complaints"); r.Status != http.StatusSeeOther {
		t.Errorf("still signed in after logout: %d", r.Status)
	}
}

func TestDisabledMemberIsSignedOutOnTheNextRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	b := e.signedIn("离职员工", staff.RoleAdmin)
	if r := b.get("/console/audit"); r.Status != http.StatusOK {
		t.Fatalf("audit page: %d", r.Status)
	}
	if _, err := e.staff.Disable(context.Background(), "离职员工"); err != nil {
		t.Fatal(err)
	}
	r := b.get("/console/audit")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/console/login") {
		t.Fatalf("disabled member: %d %q", r.Status, r.Location)
	}
	if page := b.follow(r); !strings.Contains(page.Body, "已停用") {
		t.Errorf("the sign-in page does not say why:\n%.1000s", page.Body)
	}
	b.get("/console/login")
	if r := b.post("/console/login", url.Values{"name": {"离职员工"}, "password": {testPassword}}); r.Status != http.StatusUnauthorized {
		t.Errorf("a disabled member signed in again: %d", r.Status)
	}
}

func TestIdleSessionsEnd(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	b := e.signedIn("值班", staff.RoleEditor)
	for i := 0; i < 3; i++ {
		e.clk.Advance(25 * time.Minute)
		if r := b.get("/console/notices"); r.Status != http.StatusOK {
			t.Fatalf("signed out after %d active periods of 25 minutes: %d", i+1, r.Status)
		}
	}
	e.clk.Advance(31 * time.Minute)
	if r := b.get("/console/notices"); r.Status != http.StatusSeeOther {
		t.Errorf("still signed in after 31 idle minutes: %d", r.Status)
	}
}

func TestComplaintQueueOverdueFirstPhonesMaskedAndAnswerAudited(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	e.addStaff("投诉专员", staff.RoleComplaints)
	now := e.clk.Now()
	e.clk.Set(now.AddDate(0, 0, -20))
	old := e.ticket("patient-old", "三周前挂号被插队，没有人处理", "13900001111")
	e.clk.Set(now)
	fresh := e.ticket("patient-new", "今天药房窗口排队太久了", "13812345678")

	b := e.browser()
	b.signIn("投诉专员")
	q := b.get("/console/complaints")
	if q.Status != http.StatusOK {
		t.Fatalf("queue: %d", q.Status)
	}
	io, in := strings.Index(q.Body, old), strings.Index(q.Body, fresh)
	if io < 0 || in < 0 || io > in {
		t.Errorf("the overdue ticket %s is not listed before %s (%d, %d)", old, fresh, io, in)
	}
	if !strings.Contains(q.Body, "超期") {
		t.Error("the overdue flag is not shown")
	}
	if strings.Contains(q.Body, "13812345678") || !strings.Contains(q.Body, "138****5678") {
		t.Error("the queue shows the phone unmasked")
	}
	page := b.get("/console/complaints/" + fresh)
	if !strings.Contains(page.Body, "今天药房窗口排队太久了") || !strings.Contains(page.Body, "13812345678") {
		t.Error("the ticket page lacks the complaint or the phone")
	}
	r := b.post("/console/complaints/"+fresh+"/reply", url.Values{"text": {"您好，已协调增开窗口。"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("reply: %d %.500s", r.Status, r.Body)
	}
	page = b.follow(r)
	if !strings.Contains(page.Body, "已送达微信") {
		t.Errorf("delivery state not shown:\n%.3000s", page.Body)
	}
	msgs, err := e.outbox.Messages(context.Background(), "patient-new", 0)
	if err != nil || len(msgs) == 0 {
		t.Fatalf("no message to the patient: %v %v", msgs, err)
	}
	if r := b.post("/console/complaints/"+fresh+"/close", url.Values{"resolution": {"已增开窗口"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("close: %d", r.Status)
	}
	if r := b.post("/console/complaints/"+fresh+"/reopen", url.Values{"reason": {"患者不满意"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("reopen: %d", r.Status)
	}
	tk, _ := e.complaints.Get(context.Background(), fresh)
	if tk.Status == complaints.StatusClosed {
		t.Error("reopen did not reopen")
	}
	var actions []string
	viewed := false
	for _, en := range e.auditEntries() {
		if en.Target == "complaint:"+fresh {
			if en.Action == "complaint.view" {
				viewed = true
			} else {
				actions = append(actions, en.Action)
			}
			if en.ActorName != "投诉专员" || en.RemoteAddr == "" {
				t.Errorf("audit entry without actor or address: %+v", en)
			}
			if strings.Contains(en.Detail, "窗口") {
				t.Errorf("audit detail holds the answer's text: %q", en.Detail)
			}
		}
	}
	if got := strings.Join(actions, ","); got != "complaint.reopen,complaint.close,complaint.reply" || !viewed {
		t.Errorf("audited complaint actions: %s (viewed: %v)", got, viewed)
	}
	// An empty answer is refused with the reason, nothing sent.
	r = b.post("/console/complaints/"+fresh+"/reply", url.Values{"text": {"  "}})
	if page := b.follow(r); !strings.Contains(page.Body, "无法执行此操作") {
		t.Errorf("empty answer accepted silently")
	}
}

func TestKnowledgeUploadShowsLineErrorsThenDiffThenApplies(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	b := e.signedIn("信息科", staff.RoleAdmin)
	if r := b.get("/console/knowledge"); r.Status != http.StatusOK {
		t.Fatalf("knowledge page: %d", r.Status)
	}
	v0 := e.repo.Current().Version
	// The header and three rows of the demo's prices, unchanged, and a new
	// row whose price is not a number: line 5.
	demoPrices, err := fs.ReadFile(demo.FS(), "prices.csv")
	if err != nil {
		t.Fatal(err)
	}
	head := strings.Join(strings.SplitN(string(demoPrices), "\n", 5)[:4], "\n") + "\n"
	bad := head + "ZZ9999,夜间急诊加收,挂号,次,abc,自费,\n"
	r := b.upload("/console/knowledge/upload", map[string]string{"kind": "prices"}, "file", "prices.csv", []byte(bad))
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "第5行") || !strings.Contains(r.Body, "abc") {
		t.Fatalf("bad file: %d\n%.2000s", r.Status, r.Body)
	}
	if strings.Contains(r.Body, "/console/knowledge/apply") {
		t.Error("a bad file can be applied")
	}
	good := strings.Replace(bad, "abc", "20.00", 1)
	r = b.upload("/console/knowledge/upload", map[string]string{"kind": "prices"}, "file", "prices.csv", []byte(good))
	if r.Status != http.StatusOK {
		t.Fatalf("good file: %d\n%.2000s", r.Status, r.Body)
	}
	cur := len(e.repo.Current().Prices)
	for _, want := range []string{`id="added" class="ok">1<`, `id="removed" class="bad">` + itoa(cur-3) + `<`, "应用这些变更"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("diff page lacks %s\n%.3000s", want, r.Body)
		}
	}
	if e.repo.Current().Version != v0 {
		t.Fatal("the preview applied the file")
	}
	id := regexpFind(`name="upload" value="([0-9a-f]+)"`, r.Body)
	r = b.post("/console/knowledge/apply", url.Values{"upload": {id}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("apply: %d %.500s", r.Status, r.Body)
	}
	if d := e.repo.Current(); d.Version == v0 || len(d.Prices) != 4 {
		t.Errorf("after apply: version %d, %d prices", d.Version, len(d.Prices))
	}
	if page := b.follow(r); !strings.Contains(page.Body, "已导入") {
		t.Error("no confirmation after apply")
	}
	if r := b.post("/console/knowledge/apply", url.Values{"upload": {id}}); !strings.Contains(b.follow(r).Body, "重新上传") {
		t.Error("an upload applied twice")
	}
	if e.auditEntries()[0].Action != "knowledge.import" {
		t.Errorf("import not audited: %+v", e.auditEntries()[0])
	}
}

func TestUnansweredQuestionBecomesAnFAQEntry(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	e.addStaff("信息科", staff.RoleAdmin)
	ctx := context.Background()
	bt := bot.New(bot.Options{Store: e.st, Knowledge: e.repo.Current, Clock: e.clk})
	const q = "医院可以带宠物狗进去吗"
	for i := 0; i < 3; i++ {
		if _, err := bt.Respond(ctx, bot.Message{UserID: "p" + itoa(i), Kind: bot.KindText, Text: q, MsgID: int64(i + 1), CreateTime: e.clk.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := bot.ListUnanswered(ctx, e.st)
	if len(list) == 0 {
		t.Fatal("the bot recorded no unanswered question")
	}
	asked := list[0].Question

	b := e.browser()
	b.signIn("信息科")
	page := b.get("/console/knowledge").Body
	if !strings.Contains(page, asked) || !strings.Contains(page, "/console/knowledge/faq?q=") {
		t.Fatalf("the unanswered question is not listed with its button:\n%.3000s", page)
	}
	form := b.get("/console/knowledge/faq?q=" + url.QueryEscape(asked))
	if !strings.Contains(form.Body, `value="`+asked+`"`) {
		t.Errorf("the FAQ form is not prefilled with %q", asked)
	}
	faqBefore := len(e.repo.Current().FAQ)
	r := b.post("/console/knowledge/faq", url.Values{"question": {asked}, "more": {"能带狗吗\n可以带宠物吗"}, "answer": {"除导盲犬外，宠物不能进入医院。"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add FAQ: %d %.1000s", r.Status, r.Body)
	}
	faq := e.repo.Current().FAQ
	if len(faq) != faqBefore+1 || faq[len(faq)-1].Questions[0] != asked || len(faq[len(faq)-1].Questions) != 3 {
		t.Fatalf("FAQ after adding: %d entries, last %+v", len(faq), faq[len(faq)-1])
	}
	if page := b.follow(r).Body; strings.Contains(page, "<td data-label=\"问题\">"+asked) {
		t.Error("the answered question is still listed")
	}
	reply, err := bt.Respond(ctx, bot.Message{UserID: "p9", Kind: bot.KindText, Text: "能带狗吗", MsgID: 99, CreateTime: e.clk.Now()})
	if err != nil || !strings.Contains(reply.Text, "导盲犬") {
		t.Errorf("the bot does not use the new entry: %q %v", reply.Text, err)
	}
	// The same question twice is refused.
	if r := b.post("/console/knowledge/faq", url.Values{"question": {asked}, "answer": {"重复"}}); r.Status != http.StatusBadRequest {
		t.Errorf("duplicate question: %d", r.Status)
	}
}

func TestEncodeFAQRoundTrips(t *testing.T) {
	t.Parallel()
	entries := []knowledge.FAQEntry{
		{Questions: []string{"门诊几点上班", "周末有门诊吗"}, Answer: "周一至周五 8:00-17:30；\n周末\"急诊\"开放 <24h> & 更多"},
		{Questions: []string{"停车: 收费?"}, Answer: "- 首小时3元"},
	}
	raw, err := console.EncodeFAQ(entries)
	if err != nil {
		t.Fatal(err)
	}
	d, err := knowledge.Parse(knowledge.KindFAQ, "faq.yaml", raw)
	if err != nil {
		t.Fatalf("%v\n%s", err, raw)
	}
	if len(d.FAQ) != 2 || d.FAQ[0].Answer != entries[0].Answer || d.FAQ[1].Questions[0] != "停车: 收费?" || d.FAQ[1].Answer != "- 首小时3元" {
		t.Errorf("round trip: %+v\n%s", d.FAQ, raw)
	}
	if !strings.HasPrefix(string(raw), `- questions: ["门诊几点上班", "周末有门诊吗"]`+"\n  answer: ") {
		t.Errorf("not the contract's format:\n%s", raw)
	}
}

func TestPushPageCountsAndResumeForAdmins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ed := e.addMember("编辑", staff.RoleEditor)
	rv := e.addMember("审核", staff.RoleReviewer)
	e.addStaff("管理员", staff.RoleAdmin)
	ctx := context.Background()
	for _, p := range []string{"a", "b", "c"} {
		if _, err := e.notices.Subscriptions().Subscribe(ctx, "patient-"+p, "价格调整"); err != nil {
			t.Fatal(err)
		}
	}
	n := e.draft(ed, "床位费调整", false)
	if _, err := e.notices.Submit(ctx, ed, n.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.notices.Approve(ctx, rv, n.ID); err != nil {
		t.Fatal(err)
	}
	b := e.browser()
	b.signIn("管理员")
	page := b.get("/console/notices/" + n.ID + "/push")
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `http-equiv="refresh"`) || !strings.Contains(page.Body, "推送中") {
		t.Fatalf("push page of a running job: %d\n%.2000s", page.Status, page.Body)
	}
	// No workers run here: every subscriber is still pending once fed; the
	// admin cannot resume a running push.
	if strings.Contains(page.Body, "立即恢复推送") {
		t.Error("resume offered for a running push")
	}
	r := b.post("/console/notices/"+n.ID+"/resume", nil)
	if r.Status != http.StatusSeeOther || !strings.Contains(b.follow(r).Body, "无法恢复推送") {
		t.Errorf("resume of a running push: %d", r.Status)
	}
	subs := b.get("/console/subscribers")
	if !strings.Contains(subs.Body, "<td data-label=\"人数\">3</td>") {
		t.Errorf("subscriber counts:\n%.2000s", subs.Body)
	}
}

func TestSessionStoreExpiresOnItsClock(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	s := console.NewSessionStore(e.st, e.clk)
	if err := s.Commit("tok", []byte("data"), time.Now().Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	b, found, err := s.Find("tok")
	if err != nil || !found || string(b) != "data" {
		t.Fatalf("find: %q %v %v", b, found, err)
	}
	e.clk.Advance(11 * time.Minute)
	if _, found, _ := s.Find("tok"); found {
		t.Error("found after its expiry")
	}
	_ = s.Commit("tok2", []byte("x"), time.Now().Add(time.Hour))
	if err := s.Delete("tok2"); err != nil {
		t.Fatal(err)
	}
	if _, found, _ := s.Find("tok2"); found {
		t.Error("found after delete")
	}
	if _, found, err := s.Find("never"); found || err != nil {
		t.Errorf("unknown token: %v %v", found, err)
	}
}

func TestPushPausedByTheDailyQuotaOffersResumeToAdmins(t *testing.T) {
	t.Parallel()
	e := newEnv(t, false)
	ed := e.addMember("编辑", staff.RoleEditor)
	rv := e.addMember("审核", staff.RoleReviewer)
	e.addStaff("管理员", staff.RoleAdmin)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := e.notices.Subscriptions().Subscribe(ctx, "patient-q", "价格调整"); err != nil {
		t.Fatal(err)
	}
	// WeChat answers 45009 (daily quota): the push pauses.
	quota := notices.SenderFunc(func(context.Context, *notices.Notice, string) error {
		return &wxapi.Error{API: "template.send", Code: wxapi.CodeDailyQuota, Message: "reach max api daily quota limit"}
	})
	pool := notices.NewPool(e.notices, quota, notices.PoolOptions{Workers: 1, PollInterval: 20 * time.Millisecond}, nil, nil)
	done := make(chan struct{})
	go func() { _ = pool.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

	n := e.draft(ed, "住院床位费调整", false)
	if _, err := e.notices.Submit(ctx, ed, n.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.notices.Approve(ctx, rv, n.ID); err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		j, err := e.notices.Job(ctx, n.ID)
		if err == nil && j.State == notices.JobPaused {
			break
		}
		if i > 500 {
			t.Fatalf("the push never paused: %+v %v", j, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	b := e.browser()
	b.signIn("管理员")
	page := b.get("/console/notices/" + n.ID + "/push")
	if !strings.Contains(page.Body, "已暂停") || !strings.Contains(page.Body, "立即恢复推送") || strings.Contains(page.Body, `http-equiv="refresh"`) {
		t.Fatalf("paused push page:\n%.3000s", page.Body)
	}
	if r := b.post("/console/notices/"+n.ID+"/resume", nil); r.Status != http.StatusSeeOther || !strings.Contains(b.follow(r).Body, "推送已恢复") {
		t.Fatalf("resume: %d", r.Status)
	}
	if e.auditEntries()[0].Action != "notice.push_resume" {
		t.Errorf("resume not audited: %+v", e.auditEntries()[0])
	}
}
