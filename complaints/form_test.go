package complaints

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/faultstore"
	"github.com/hospital/wxbot/store/memstore"
)

const desc = "收费窗口只开了一个，排队排了四十分钟没人管"

func TestFormCompleteFilesTicket(t *testing.T) {
	h := newHarness(t)
	h.expect("我要投诉", "描述")
	h.expect(desc, "科室")
	h.expect("小儿科", "时间")
	h.expect("11月20日上午", "匿名")
	h.expect("实名", "电话")
	sum := h.expect("13812345678", "确认", "儿科", "11月20日上午", "13812345678", "实名")
	if !strings.Contains(sum, "修改") || !strings.Contains(sum, "取消") {
		t.Errorf("summary %q does not offer 修改 and 取消", sum)
	}
	r := h.expect("确认", "TS20261127-0001", "5个工作日")

	ts := h.tickets()
	if len(ts) != 1 {
		t.Fatalf("%d tickets stored, want 1", len(ts))
	}
	tk := ts[0]
	if tk.Number != numberIn(r) || tk.Description != desc || tk.Phone != "13812345678" || tk.When != "11月20日上午" ||
		len(tk.Departments) != 1 || tk.Departments[0] != "儿科" || tk.Anonymous || tk.Status != StatusOpen || tk.OpenID != "user-1" {
		t.Errorf("stored ticket %+v does not match the form", tk)
	}
	if tk.Category != CategoryProcess {
		t.Errorf("category = %q, want %q", tk.Category, CategoryProcess)
	}
	// Friday 2026-11-27 + 5 working days = Friday 2026-12-04, end of day.
	if got := tk.DueAt.Format("2006-01-02 15:04"); got != "2026-12-04 23:59" {
		t.Errorf("due %s, want 2026-12-04 23:59", got)
	}
	// The form is over: a price question passes to the bot.
	if _, handled := h.say("血常规多少钱"); handled {
		t.Errorf("after submitting, a price question was taken by the form")
	}
	list := h.expect("我的投诉", tk.Number, "待处理")
	if strings.Contains(list, "没有") {
		t.Errorf("list %q says 没有 with a ticket", list)
	}
}

func TestFormSkipsQuestionsTheDescriptionAnswered(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	r := h.expect("昨天下午在小儿科候诊两个多小时，叫号屏一直不动", "匿名")
	if strings.Contains(r, "科室") || strings.Contains(r, "时间") {
		t.Errorf("asked again for what the description said: %q", r)
	}
	// Anonymous: no phone question, straight to the summary.
	h.expect("匿名", "确认", "方式：匿名", "昨天下午", "儿科")
	h.expect("确认", "TS")
	tk := h.tickets()[0]
	if !tk.Anonymous || tk.Phone != "" || tk.When != "昨天下午" || tk.Departments[0] != "儿科" {
		t.Errorf("ticket %+v", tk)
	}
}

func TestFormSkipOptionalFields(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.expect("跳过", "时间")
	h.expect("跳过", "匿名")
	h.expect("实名", "电话")
	sum := h.expect("跳过", "确认")
	if strings.Count(sum, "未填写") != 3 {
		t.Errorf("summary %q: want 科室, 时间 and 电话 shown as 未填写", sum)
	}
	h.expect("确认", "TS")
	tk := h.tickets()[0]
	if len(tk.Departments) != 0 || tk.When != "" || tk.Phone != "" || tk.Anonymous {
		t.Errorf("skipped fields were filled: %+v", tk)
	}
}

func TestFormUnknownDepartmentKeptAsWords(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.expect("门诊收费处", "时间")
	h.expect("跳过", "匿名")
	h.expect("匿名", "门诊收费处")
	h.expect("确认", "TS")
	if tk := h.tickets()[0]; len(tk.Departments) != 0 || tk.DepartmentNote != "门诊收费处" {
		t.Errorf("ticket departments %v note %q", tk.Departments, tk.DepartmentNote)
	}
}

func TestFormShortDescriptionAskedAgain(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	r := h.expect("太慢了", "描述", "10")
	if strings.Contains(r, "科室") {
		t.Errorf("a 3-character description was accepted: %q", r)
	}
	h.expect("医生看病太慢了，等了一上午也没有看上", "科室")
}

func TestFormInvalidPhoneAskedAgain(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.expect("跳过", "时间")
	h.expect("跳过", "匿名")
	h.expect("实名", "电话")
	for _, bad := range []string{"12345", "23812345678", "1381234567", "abc", "028-123"} {
		r := h.expect(bad, "电话", "13812345678")
		if strings.Contains(r, "确认") {
			t.Errorf("bad phone %q accepted: %q", bad, r)
		}
	}
	h.expect("我的电话是 139 1234 5678", "确认", "13912345678")
	h.expect("确认", "TS")
	if p := h.tickets()[0].Phone; p != "13912345678" {
		t.Errorf("phone = %q", p)
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := map[string]string{
		"13812345678":       "13812345678",
		"+86 138 1234 5678": "13812345678",
		"１３８１２３４５６７８":       "13812345678",
		"0736-88661315":     "0736-88661315",
		"073688661315":      "0736-88661315",
		"010 12345678":      "010-12345678",
		"021-1234567":       "021-1234567",
		"12812345678":       "",
		"88661315":          "",
		"0736-886":          "",
	}
	for in, want := range cases {
		got, ok := NormalizePhone(in)
		if ok != (want != "") || got != want {
			t.Errorf("NormalizePhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
	if m := MaskPhone("13812341234"); m != "138****1234" {
		t.Errorf("MaskPhone = %q", m)
	}
	if m := MaskPhone("0736-88661315"); m != "0736-****1315" {
		t.Errorf("MaskPhone landline = %q", m)
	}
}

// driveTo fills the form up to the named step (the reply to the last message
// asks it).
func driveTo(h *harness, step string) {
	h.t.Helper()
	h.expect("投诉", "描述")
	if step == stepDesc {
		return
	}
	h.expect(desc, "科室")
	if step == stepDept {
		return
	}
	h.expect("儿科", "时间")
	if step == stepWhen {
		return
	}
	h.expect("昨天", "匿名")
	if step == stepAnon {
		return
	}
	h.expect("实名", "电话")
	if step == stepPhone {
		return
	}
	h.expect("13812345678", "确认")
	if step == stepConfirm {
		return
	}
	h.expect("修改", "描述", "电话")
}

func TestCancelAtEachStep(t *testing.T) {
	for _, step := range []string{stepDesc, stepDept, stepWhen, stepAnon, stepPhone, stepConfirm, stepEdit} {
		t.Run(step, func(t *testing.T) {
			h := newHarness(t)
			driveTo(h, step)
			if r := h.expect("取消"); r != msgCancelled {
				t.Errorf("取消 at %s: %q, want %q", step, r, msgCancelled)
			}
			if n := len(h.tickets()); n != 0 {
				t.Errorf("取消 at %s filed %d tickets", step, n)
			}
			if _, err := h.st.Get(h.ctx, keyDraft("user-1")); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("draft kept after 取消: %v", err)
			}
			// Nothing active any more: a price question goes to the bot and
			// 我的投诉 says there is none.
			if _, handled := h.say("血常规多少钱"); handled {
				t.Errorf("after 取消 the form still takes messages")
			}
			r := h.expect("我的投诉", "没有")
			for _, bad := range []string{"编号", "单号", "没有找到"} {
				if strings.Contains(r, bad) {
					t.Errorf("我的投诉 with none says %q: %q", bad, r)
				}
			}
		})
	}
}

func TestQuestionInTheMiddleIsAnsweredAndPromptRepeated(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	// At the description step a short question is answered.
	h.expect("血常规多少钱", "血常规", "22", "描述")
	h.expect(desc, "科室")
	r := h.expect("胸部CT平扫多少钱", "胸部CT平扫", "170", "科室")
	if !strings.Contains(r, "170.00元/次（乙类）\n\n") {
		t.Errorf("reply %q: want the answer, a blank line, then the prompt", r)
	}
	// The form state is unchanged: the department is still asked.
	h.expect("儿科在哪", "门诊楼1楼B区", "科室")
	h.expect("儿科", "时间")
	h.expect("血常规多少钱", "22", "时间")
	h.expect("跳过", "匿名")
	h.expect("胸部CT平扫多少钱", "170", "匿名")
	h.expect("实名", "电话")
	h.expect("胸部CT平扫多少钱", "170", "电话")
	h.expect("跳过", "确认")
	h.expect("血常规多少钱", "22", "确认")
	h.expect("确认", "TS")
	if tk := h.tickets()[0]; tk.Departments[0] != "儿科" || tk.Description != desc {
		t.Errorf("ticket %+v", tk)
	}
}

func TestIdleThenContinue(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.clk.Advance(IdleTimeout + time.Minute)
	// The form is no longer active: other messages go to the bot.
	if _, handled := h.say("血常规多少钱"); handled {
		t.Fatalf("an idle form still takes messages")
	}
	if _, handled := h.say("儿科"); handled {
		t.Fatalf("an idle form took 儿科 as its answer")
	}
	h.expect("我的投诉", "没有", "继续投诉")
	h.expect("继续投诉", "未提交", "科室")
	h.expect("儿科", "时间")
	h.expect("跳过", "匿名")
	h.expect("匿名", "确认")
	h.expect("确认", "TS")
	if tk := h.tickets()[0]; tk.Description != desc || tk.Departments[0] != "儿科" {
		t.Errorf("resumed ticket %+v", tk)
	}
}

func TestDraftKeptSevenDays(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.clk.Advance(6 * 24 * time.Hour)
	h.expect("继续投诉", "科室")
	h.clk.Advance(DraftTTL + time.Hour)
	h.expect("继续投诉", "没有未完成")
}

func TestStartWordWithIdleDraftResumes(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	h.expect(desc, "科室")
	h.clk.Advance(time.Hour)
	h.expect("投诉", "未提交", "科室")
}

func TestWhatStartsTheForm(t *testing.T) {
	cases := []struct {
		text  string
		start bool
	}{
		{"投诉", true}, {"我要投诉", true}, {"我想投诉", true}, {"投诉一下", true}, {"我要投诉！", true},
		{"怎么投诉", true},
		{"投诉电话是多少", false}, {"那投诉电话是多少", false}, {"投诉电话", false},
		{"投诉有用吗", false}, {"投诉多久有回复", false}, {"血常规多少钱", false},
		{"取消投诉", false}, {"你好", false},
		// Start phrases said together, with greetings.
		{"我要反映问题 投诉", true}, {"你好 我想反映个问题", true}, {"投诉 举报", true},
		{"我有问题", false}, {"反映问题在哪里", false},
	}
	for _, c := range cases {
		h := newHarness(t)
		r, handled := h.say(c.text)
		if handled != c.start {
			t.Errorf("%q: handled=%v, want %v (reply %q)", c.text, handled, c.start, r)
		}
		if c.start && !strings.Contains(r, "描述") {
			t.Errorf("%q: reply %q does not ask for a description", c.text, r)
		}
	}
	// 怎么投诉 also gives the bot's answer (the hotline).
	h := newHarness(t)
	h.expect("怎么投诉", "0736-88661315", "描述")
	// The menu key starts it too.
	h = newHarness(t)
	r, handled := h.send(bot.Message{Kind: bot.KindEvent, Event: bot.EventClick, EventKey: bot.KeyComplaint})
	if !handled || !strings.Contains(r, "描述") {
		t.Errorf("menu CLICK %s: %q, %v", bot.KeyComplaint, r, handled)
	}
}

func TestStartWithTheComplaintInOneMessage(t *testing.T) {
	h := newHarness(t)
	r := h.expect("我要投诉儿科护士态度很差，打针的时候一直骂孩子", "时间")
	if strings.Contains(r, "描述") {
		t.Errorf("asked for a description already given: %q", r)
	}
	h.expect("今天上午", "匿名")
	h.expect("匿名", "确认")
	h.expect("确认", "TS")
	tk := h.tickets()[0]
	if tk.Departments[0] != "儿科" || tk.Category != CategoryService {
		t.Errorf("ticket %+v", tk)
	}
}

// The eval corpus's dialogues A36-A38, through the skill (the price answers
// come from the fake core bot).
func TestEvalDialogues(t *testing.T) {
	none := []string{"没有找到", "没找到", "未找到"}
	check := func(h *harness, say string, all, anyOf, noneOf []string) {
		t.Helper()
		r, handled := h.say(say)
		if !handled {
			if a, ok := knownAnswers[say]; ok {
				r = a // the core bot answers
			}
		}
		for _, w := range all {
			if !strings.Contains(r, w) {
				t.Errorf("%q: reply %q lacks %q", say, r, w)
			}
		}
		if len(anyOf) > 0 {
			found := false
			for _, w := range anyOf {
				found = found || strings.Contains(r, w)
			}
			if !found {
				t.Errorf("%q: reply %q has none of %v", say, r, anyOf)
			}
		}
		for _, w := range noneOf {
			if strings.Contains(r, w) {
				t.Errorf("%q: reply %q has %q", say, r, w)
			}
		}
	}
	descWords := []string{"描述", "说明", "内容", "经过", "什么问题", "具体情况"}
	nextWords := []string{"科室", "部门", "时间", "何时", "电话", "手机", "联系方式", "匿名", "实名", "确认"}
	cancel := []string{"取消", "已取消"}

	h := newHarness(t) // A36
	check(h, "我要投诉", nil, descWords, nil)
	check(h, "昨天下午候诊两个多小时，叫号屏一直不动，也没有人出来解释", nil, nextWords, none)
	check(h, "取消", nil, cancel, append(none, "退号"))
	check(h, "我的投诉", nil, []string{"没有", "暂无"}, append(none, "编号", "单号", "候诊"))

	h = newHarness(t) // A37
	check(h, "投诉", nil, descWords, nil)
	check(h, "取消", nil, cancel, append(none, "退号"))
	check(h, "血常规多少钱", []string{"血常规", "22"}, nil, append(none, "描述", "具体情况", "经过"))
	check(h, "我的投诉", nil, []string{"没有", "暂无"}, append(none, "编号", "单号"))

	h = newHarness(t) // A38
	check(h, "投诉", nil, descWords, nil)
	check(h, "收费窗口只开了一个，排队排了四十分钟", nil, nextWords, none)
	check(h, "胸部CT平扫多少钱", []string{"胸部CT平扫", "170"}, nextWords, nil)
	check(h, "取消", nil, cancel, append(none, "退号"))
}

func TestEditBeforeConfirm(t *testing.T) {
	h := newHarness(t)
	driveTo(h, stepConfirm)
	h.expect("修改", "电话")
	h.expect("电话", "电话")
	h.expect("13900001111", "确认", "13900001111")
	h.expect("修改", "科室")
	h.expect("科室", "科室")
	h.expect("神经外科", "确认", "神经外科")
	h.expect("修改", "描述")
	h.expect("描述", "描述")
	h.expect("挂号窗口的工作人员让我等了很久还态度不好", "确认", "挂号窗口")
	h.expect("确认", "TS")
	tk := h.tickets()[0]
	if tk.Phone != "13900001111" || tk.Departments[0] != "神经外科" || !strings.HasPrefix(tk.Description, "挂号窗口") || tk.When != "昨天" {
		t.Errorf("edited ticket %+v", tk)
	}
}

func TestAttachmentsDuringTheForm(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	r, _ := h.send(bot.Message{Kind: bot.KindImage, MediaID: "img-1"})
	if !strings.Contains(r, "图片") || !strings.Contains(r, "描述") {
		t.Errorf("image at the description step: %q", r)
	}
	h.expect(desc, "科室")
	r, _ = h.send(bot.Message{Kind: bot.KindVoice, MediaID: "voice-1", Text: "嗯"})
	if !strings.Contains(r, "语音") || !strings.Contains(r, "共2个附件") || !strings.Contains(r, "科室") {
		t.Errorf("voice at the department step: %q", r)
	}
	h.expect("跳过", "时间")
	h.expect("跳过", "匿名")
	h.expect("匿名", "附件：2个")
	h.expect("确认", "TS")
	tk := h.tickets()[0]
	if len(tk.Attachments) != 2 || !tk.Attachments[0].Stored || !tk.Attachments[1].Stored {
		t.Fatalf("attachments %+v, want 2 stored", tk.Attachments)
	}
	a, data, err := h.svc.Media(h.ctx, tk.Number, 1)
	if err != nil || string(data) != "jpeg:voice-1" || a.Kind != "voice" {
		t.Errorf("Media = %+v %q %v", a, data, err)
	}
}

func TestStoreFailingAtConfirmGivesNoNumber(t *testing.T) {
	// Each write of filing fails in turn: the counter, the indexes, the ticket.
	for _, op := range []string{"Incr", "SAdd", "SetNX", "Set"} {
		t.Run(op, func(t *testing.T) {
			clk := clock.NewFake(start)
			fs := faultstore.Wrap(memstore.NewWithClock(clk))
			h := newHarnessOn(t, clk, fs)
			driveTo(h, stepConfirm)
			fs.FailOn(op, nil)
			r := h.expect("确认")
			if r != msgSubmitFailed {
				t.Errorf("reply %q, want %q", r, msgSubmitFailed)
			}
			if strings.Contains(r, "TS") || strings.Contains(r, "编号") {
				t.Errorf("a number was given for an unstored complaint: %q", r)
			}
			fs.Heal()
			if n := len(h.tickets()); n != 0 {
				t.Errorf("%d tickets listed after a failed store", n)
			}
			// The draft is kept: 确认 again files it.
			r = h.expect("确认", "TS20261127-")
			if n := len(h.tickets()); n != 1 {
				t.Errorf("%d tickets after retry, want 1", n)
			}
			h.expect("我的投诉", numberIn(r))
		})
	}
}

func TestConfirmAgainAfterDraftDeleteFailedFilesOnce(t *testing.T) {
	clk := clock.NewFake(start)
	fs := faultstore.Wrap(memstore.NewWithClock(clk))
	h := newHarnessOn(t, clk, fs)
	driveTo(h, stepConfirm)
	fs.FailOnKey("Delete", "complaint:draft:", nil) // the ticket is stored but the draft stays
	r1 := h.expect("确认", "TS")
	fs.Heal()
	r2 := h.expect("确认", "TS")
	if numberIn(r1) != numberIn(r2) {
		t.Errorf("second 确认 gave %s, first %s: want the same ticket", numberIn(r2), numberIn(r1))
	}
	if n := len(h.tickets()); n != 1 {
		t.Errorf("%d tickets, want 1", n)
	}
}

func TestTwoInstancesGiveUniqueNumbers(t *testing.T) {
	clk := clock.NewFake(start)
	st := memstore.NewWithClock(clk)
	a := newHarnessOn(t, clk, st)
	b := newHarnessOn(t, clk, st)
	const perInstance = 15
	var wg sync.WaitGroup
	numbers := make(chan string, 2*perInstance)
	for i := range perInstance {
		for j, h := range []*harness{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				user := fmt.Sprintf("u-%d-%d", j, i)
				steps := []string{"投诉", desc, "跳过", "跳过", "匿名", "确认"}
				var r string
				for _, s := range steps {
					rr, _, err := h.skill.Handle(h.ctx, turn(bot.Message{UserID: user, Kind: bot.KindText, Text: s}))
					if err != nil {
						t.Error(err)
						return
					}
					r = rr.Text
				}
				numbers <- numberIn(r)
			}()
		}
	}
	wg.Wait()
	close(numbers)
	seen := map[string]bool{}
	for n := range numbers {
		if n == "" || seen[n] {
			t.Errorf("number %q missing or repeated", n)
		}
		seen[n] = true
	}
	if len(seen) != 2*perInstance {
		t.Errorf("%d unique numbers, want %d", len(seen), 2*perInstance)
	}
	if n := len(a.tickets()); n != 2*perInstance {
		t.Errorf("%d tickets stored, want %d", n, 2*perInstance)
	}
}

func TestRatingAfterClose(t *testing.T) {
	h := newHarness(t)
	if _, handled := h.say("满意"); handled {
		t.Errorf("满意 without a closed ticket was taken")
	}
	driveTo(h, stepConfirm)
	n := numberIn(h.expect("确认", "TS"))
	if _, err := h.svc.Close(h.ctx, n, "张三", "已对窗口增派人员，向您致歉。"); err != nil {
		t.Fatal(err)
	}
	h.expect("我的投诉", n, "已办结", "已对窗口增派人员", "满意")
	h.expect("不满意", "感谢")
	tk, _ := h.svc.Get(h.ctx, n)
	if tk.Rating != RatingUnsatisfied {
		t.Errorf("rating = %q", tk.Rating)
	}
	if _, handled := h.say("满意"); handled {
		t.Errorf("a second rating word was taken after rating")
	}
}

func TestOtherMessagesPassWithoutForm(t *testing.T) {
	h := newHarness(t)
	for _, s := range []string{"血常规多少钱", "儿科", "确认", "跳过", "13812345678", "帮助"} {
		if r, handled := h.say(s); handled {
			t.Errorf("%q taken without a form: %q", s, r)
		}
	}
	if _, handled := h.send(bot.Message{Kind: bot.KindImage, MediaID: "x"}); handled {
		t.Errorf("an image without a form was taken")
	}
	// Every message records the customer-service window.
	if !h.svc.withinWindow(h.ctx, "user-1") {
		t.Errorf("the patient's last message time was not recorded")
	}
	_ = context.Background
}

// The customer-service window runs 48 hours from the patient's last message,
// to the minute: a patient who keeps writing keeps it open.
func TestWindowFollowsThePatientsLastMessage(t *testing.T) {
	h := newHarness(t)
	h.say("血常规多少钱")
	h.clk.Advance(30 * time.Second)
	h.say("尿常规呢")
	h.clk.Advance(40 * time.Hour)
	h.say("住院怎么办")
	h.clk.Advance(47 * time.Hour)
	if !h.svc.withinWindow(h.ctx, "user-1") {
		t.Errorf("window closed 47 hours after the patient's last message")
	}
	h.clk.Advance(2 * time.Hour)
	if h.svc.withinWindow(h.ctx, "user-1") {
		t.Errorf("window still open 49 hours after the patient's last message")
	}
}

// answerLog records what the form passes to the core bot.
type answerLog struct {
	mu   sync.Mutex
	asks []string
}

// sayLogged sends text from user-1 with a core bot that records its questions
// and answers the known ones (plus 出院手续咋办).
func (h *harness) sayLogged(log *answerLog, text string) (string, bool) {
	h.t.Helper()
	tn := turn(bot.Message{UserID: "user-1", Kind: bot.KindText, Text: text})
	tn.Answer = func(_ context.Context, q string) (bot.Reply, bool) {
		log.mu.Lock()
		log.asks = append(log.asks, q)
		log.mu.Unlock()
		if strings.TrimSpace(q) == "出院手续咋办" {
			return bot.Reply{Text: "【出院手续】凭出院通知单到住院楼1层出院结算窗口办理。"}, true
		}
		a, ok := knownAnswers[strings.TrimSpace(q)]
		return bot.Reply{Text: a}, ok
	}
	r, handled, err := h.skill.Handle(h.ctx, tn)
	if err != nil {
		h.t.Fatalf("Handle(%q): %v", text, err)
	}
	return r.Text, handled
}

func TestPhoneInTheDescriptionIsNotAskedAgain(t *testing.T) {
	h := newHarness(t)
	h.expect("我想投诉个大夫", "描述")
	r := h.expect("昨天上午在小儿科看病 那个大夫问了两句就开单子 问啥都不耐烦 我电话13831906655", "匿名")
	if strings.Contains(r, "电话（") {
		t.Errorf("asked for the phone before 匿名/实名: %q", r)
	}
	sum := h.expect("实名", "确认", "13831906655", "方式：实名", "修改")
	if strings.Contains(sum, "请留下联系电话") {
		t.Errorf("phone asked again although the description gave it: %q", sum)
	}
	// The patient can still change it.
	h.expect("修改", "电话")
	h.expect("电话", "电话")
	h.expect("0736-88661316", "确认", "0736-88661316")
	h.expect("确认", "TS")
	if tk := h.tickets()[0]; tk.Phone != "0736-88661316" || tk.Anonymous {
		t.Errorf("ticket phone %q anonymous %v, want the edited phone, 实名", tk.Phone, tk.Anonymous)
	}
}

func TestPhoneInTheDescriptionKeptAsGiven(t *testing.T) {
	for _, c := range []struct{ text, phone string }{
		{"收费窗口排队四十分钟没人管，联系我 138 3190 6655", "13831906655"},
		{"收费窗口排队四十分钟没人管，我家座机0736-88661399", "0736-88661399"},
	} {
		h := newHarness(t)
		h.expect("投诉", "描述")
		h.expect(c.text, "科室")
		h.expect("跳过", "时间")
		h.expect("跳过", "匿名")
		h.expect("实名", "确认", c.phone)
		h.expect("确认", "TS")
		if p := h.tickets()[0].Phone; p != c.phone {
			t.Errorf("%q: ticket phone %q, want %q", c.text, p, c.phone)
		}
	}
}

func TestNumbersThatAreNoPatientPhoneAreNotTaken(t *testing.T) {
	data := &knowledge.Data{Departments: []knowledge.Department{{Name: "儿科", Phone: "0736-88661200"}}}
	h := newHarness(t)
	h.skill = NewSkill(h.svc, func() *knowledge.Data { return data })
	h.expect("投诉", "描述")
	// The hospital's own number, an ID number and a bill number.
	h.expect("打了儿科电话0736-88661200没人接，身份证430102199001011234，发票号20261127000123", "时间")
	h.expect("跳过", "匿名")
	h.expect("实名", "请留下联系电话")
	// Anonymous: a phone in the description is not kept.
	h = newHarness(t)
	h.expect("投诉", "描述")
	h.expect("收费窗口排队四十分钟没人管，我电话13831906655", "科室")
	h.expect("跳过", "时间")
	h.expect("跳过", "匿名")
	sum := h.expect("匿名", "方式：匿名")
	if strings.Contains(sum, "电话：") {
		t.Errorf("anonymous summary shows a phone: %q", sum)
	}
	h.expect("确认", "TS")
	if p := h.tickets()[0].Phone; p != "" {
		t.Errorf("anonymous ticket kept phone %q", p)
	}
}

func TestCommandWordsAtOtherPromptsAskAgain(t *testing.T) {
	for _, c := range []struct {
		step string
		want []string
	}{
		{stepDesc, []string{"描述"}},
		{stepDept, []string{"科室"}},
		{stepWhen, []string{"时间"}},
		{stepAnon, []string{"匿名", "实名"}},
		{stepPhone, []string{"电话", "13812345678"}},
	} {
		for _, word := range []string{"确认", "好的", "是"} {
			h := newHarness(t)
			log := &answerLog{}
			driveTo(h, c.step)
			r, handled := h.sayLogged(log, word)
			if !handled {
				t.Fatalf("%s at %s: passed to the bot", word, c.step)
			}
			for _, w := range c.want {
				if !strings.Contains(r, w) {
					t.Errorf("%s at %s: reply %q lacks %q", word, c.step, r, w)
				}
			}
			if len(log.asks) != 0 {
				t.Errorf("%s at %s: asked the core bot %q", word, c.step, log.asks)
			}
			if n := len(h.tickets()); n != 0 {
				t.Errorf("%s at %s filed a ticket", word, c.step)
			}
		}
	}
	// Nothing was taken as an answer: the summary shows the fields as given.
	h := newHarness(t)
	driveTo(h, stepWhen)
	h.expect("确认", "时间")
	h.expect("跳过", "匿名")
	h.expect("是", "匿名")
	h.expect("实名", "电话")
	h.expect("好的", "电话", "13812345678")
	sum := h.expect("跳过", "确认")
	if strings.Contains(sum, "确认\n") || strings.Contains(sum, "方式：匿名") || strings.Count(sum, "未填写") != 2 {
		t.Errorf("command words were kept as answers: %q", sum)
	}
}

func TestQuestionsAtFormPromptsGoToTheBotFirst(t *testing.T) {
	for _, step := range []string{stepDept, stepWhen, stepAnon, stepConfirm} {
		h := newHarness(t)
		log := &answerLog{}
		driveTo(h, step)
		r, handled := h.sayLogged(log, "出院手续咋办")
		if !handled {
			t.Fatalf("question at %s: not handled", step)
		}
		if !strings.Contains(r, "出院结算") {
			t.Errorf("question at %s: reply %q lacks the bot's answer", step, r)
		}
		pending := map[string]string{stepDept: "科室", stepWhen: "时间", stepAnon: "匿名", stepConfirm: "确认"}[step]
		if i, j := strings.Index(r, "出院结算"), strings.LastIndex(r, pending); j < i {
			t.Errorf("question at %s: reply %q does not end with the pending prompt", step, r)
		}
		if len(log.asks) != 1 || log.asks[0] != "出院手续咋办" {
			t.Errorf("question at %s: core asked %q", step, log.asks)
		}
	}
	// D38: the question was not kept as the time, and the form goes on.
	h := newHarness(t)
	log := &answerLog{}
	driveTo(h, stepWhen)
	h.sayLogged(log, "出院手续咋办")
	h.expect("跳过", "匿名")
	sum := h.expect("匿名", "确认")
	if strings.Contains(sum, "出院") {
		t.Errorf("the question was stored in the form: %q", sum)
	}
	// A time the bot cannot answer is still taken as the time.
	h = newHarness(t)
	driveTo(h, stepWhen)
	h.expect("前几天", "匿名")
	h.expect("匿名", "时间：前几天")
}

func TestPhoneAtTheAnonymousPromptMeansRealName(t *testing.T) {
	h := newHarness(t)
	log := &answerLog{}
	driveTo(h, stepAnon)
	r, _ := h.sayLogged(log, "13812345678")
	for _, w := range []string{"方式：实名", "13812345678", "确认"} {
		if !strings.Contains(r, w) {
			t.Errorf("phone at 匿名/实名: reply %q lacks %q", r, w)
		}
	}
	if len(log.asks) != 0 {
		t.Errorf("a phone answer was passed to the core bot: %q", log.asks)
	}
	// At the summary a new phone replaces the old one.
	h.expect("电话改成 139 0000 1111", "已更新", "13900001111", "确认")
	h.expect("确认", "TS")
	if p := h.tickets()[0].Phone; p != "13900001111" {
		t.Errorf("ticket phone %q", p)
	}
}
