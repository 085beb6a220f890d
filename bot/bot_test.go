package bot

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/store"
	"github.com/hospital/wxbot/store/memstore"
)

func testData() *knowledge.Data {
	return &knowledge.Data{
		Hospital: "测试医院",
		Prices: []knowledge.PriceItem{
			{Code: "1", Name: "血常规(五分类)", Category: "检验", Unit: "次", Cents: 2200, Insurance: "甲"},
			{Code: "2", Name: "尿常规", Category: "检验", Unit: "次", Cents: 1200, Insurance: "甲"},
			{Code: "3", Name: "头颅CT平扫", Category: "检查", Unit: "部位", Cents: 16000, Insurance: "甲"},
			{Code: "4", Name: "头颅CT增强", Category: "检查", Unit: "部位", Cents: 38000, Insurance: "甲", Note: "不含造影剂"},
			{Code: "5", Name: "胸部CT平扫", Category: "检查", Unit: "部位", Cents: 17000, Insurance: "甲"},
			{Code: "6", Name: "胸部CT增强", Category: "检查", Unit: "部位", Cents: 39000, Insurance: "甲"},
			{Code: "7", Name: "降钙素原(PCT)", Category: "检验", Unit: "次", Cents: 15000, Insurance: "乙"},
			{Code: "8", Name: "腹部彩超(肝胆胰脾)", Category: "检查", Unit: "次", Cents: 12000, Insurance: "甲", Note: "需空腹8小时"},
			{Code: "9", Name: "人工流产术", Category: "手术", Unit: "次", Cents: 30000, Insurance: "乙"},
			{Code: "10", Name: "阿莫西林胶囊 0.25g*24粒", Category: "药品", Unit: "盒", Cents: 780, Insurance: "甲"},
			{Code: "11", Name: "阿莫西林胶囊 0.5g*20粒", Category: "药品", Unit: "盒", Cents: 960, Insurance: "甲"},
			{Code: "12", Name: "腰椎CT平扫", Category: "检查", Unit: "部位", Cents: 17000, Insurance: "甲"},
			{Code: "13", Name: "盆腔CT平扫", Category: "检查", Unit: "部位", Cents: 17000, Insurance: "甲"},
			{Code: "14", Name: "颈椎CT平扫", Category: "检查", Unit: "部位", Cents: 16000, Insurance: "甲"},
			{Code: "15", Name: "鼻窦CT平扫", Category: "检查", Unit: "部位", Cents: 15000, Insurance: "甲"},
			{Code: "17", Name: "上腹部CT平扫", Category: "检查", Unit: "部位", Cents: 18000, Insurance: "甲"},
			{Code: "16", Name: "特需病房床位费", Category: "床位", Unit: "日", Cents: 26000, Insurance: "自费"},
		},
		Departments: []knowledge.Department{
			{Name: "儿科", Aliases: []string{"小儿科"}, Location: "门诊楼1楼B区", Phone: "0736-1001", Intro: "儿童疾病"},
			{Name: "肾内科", Aliases: []string{"肾病科"}, Location: "门诊楼4楼C区", Phone: "0736-1002"},
			{Name: "骨科", Location: "门诊楼2楼B区", Phone: "0736-1003"},
			{Name: "消化内科", Aliases: []string{"消化科"}, Location: "门诊楼3楼C区", Phone: "0736-1004"},
		},
		Schedules: []knowledge.ClinicSession{
			{Department: "儿科", Doctor: "刘晓红", Title: "主任医师", Weekday: 6, Period: "上午", Location: "门诊楼1楼B区 101诊室"},
			{Department: "儿科", Doctor: "陈思远", Title: "副主任医师", Weekday: 6, Period: "下午", Location: "门诊楼1楼B区 102诊室"},
			{Department: "儿科", Doctor: "陈思远", Title: "副主任医师", Weekday: 3, Period: "上午", Location: "门诊楼1楼B区 102诊室"},
			{Department: "肾内科", Doctor: "黄伟", Title: "主任医师", Weekday: 1, Period: "上午", Location: "门诊楼4楼C区 421诊室"},
			{Department: "骨科", Doctor: "王建国", Title: "主任医师", Weekday: 1, Period: "上午", Location: "门诊楼2楼B区 211诊室"},
			{Department: "消化内科", Doctor: "王建华", Title: "主任医师", Weekday: 4, Period: "上午", Location: "门诊楼3楼C区 321诊室"},
		},
		Processes: []knowledge.Process{
			{ID: "01", Title: "住院办理流程", Keywords: []string{"住院", "入院", "住院流程"}, Steps: []string{"医生开具住院证。", "到住院服务中心登记。"}},
			{ID: "02", Title: "出院结算流程", Keywords: []string{"出院", "出院结算"}, Steps: []string{"医生开具出院医嘱。", "到出院结算窗口办理，可快递寄送票据。"}},
			{ID: "03", Title: "预约挂号方式", Keywords: []string{"挂号", "预约挂号", "怎么挂号"}, Steps: []string{"公众号预约挂号。", "电话预约0736-1114。"}},
		},
		FAQ: []knowledge.FAQEntry{
			{Questions: []string{"停车怎么收费", "停车费多少钱"}, Answer: "停车场30分钟内免费。"},
			{Questions: []string{"医院电话是多少", "总机电话多少"}, Answer: "医院总机电话0736-88661000；投诉电话0736-88661315。"},
		},
		Synonyms:  [][]string{{"CT", "电脑断层"}, {"彩超", "B超"}, {"血常规", "验血", "xcg"}, {"增强", "加强"}},
		Version:   3,
		UpdatedAt: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC),
	}
}

// wednesday is the fake "now" of these tests.
var wednesday = time.Date(2026, 11, 25, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))

type harness struct {
	t   *testing.T
	b   *Bot
	st  store.Store
	ctx context.Context
}

func newHarness(t *testing.T, opts ...func(*Options)) *harness {
	d := testData()
	st := memstore.New()
	o := Options{Store: st, Knowledge: func() *knowledge.Data { return d }, Clock: clock.NewFake(wednesday)}
	for _, f := range opts {
		f(&o)
	}
	return &harness{t: t, b: New(o), st: o.Store, ctx: context.Background()}
}

func (h *harness) say(user, text string) Reply {
	h.t.Helper()
	r, err := h.b.Respond(h.ctx, Message{UserID: user, Kind: KindText, Text: text})
	if err != nil {
		h.t.Fatalf("Respond(%q): %v", text, err)
	}
	return r
}

func mustContain(t *testing.T, reply string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(reply, w) {
			t.Errorf("reply lacks %q:\n%s", w, reply)
		}
	}
}

func mustNotContain(t *testing.T, reply string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(reply, w) {
			t.Errorf("reply contains %q:\n%s", w, reply)
		}
	}
}

func TestPriceOfOneItem(t *testing.T) {
	h := newHarness(t)
	r := h.say("u1", "血常规多少钱？")
	mustContain(t, r.Text, "血常规(五分类)", "22.00元", "医保甲类", "（数据更新：2026-11-27）")
	mustContain(t, h.say("u2", "xcg").Text, "22.00元")
	mustContain(t, h.say("u3", "血长规多少钱").Text, "22.00元")
	mustContain(t, h.say("u4", "頭顱CT平掃多少錢").Text, "头颅CT平扫", "160.00元")
}

func TestBroadQuestionListsPagesAndPicks(t *testing.T) {
	h := newHarness(t)
	r := h.say("u", "CT多少钱")
	mustContain(t, r.Text, "1. ", "8. ", "更多")
	mustNotContain(t, r.Text, "降钙素原", "9. ")
	r = h.say("u", "更多")
	mustContain(t, r.Text, "9. ")
	mustNotContain(t, r.Text, "降钙素原")
	r = h.say("u", "1")
	if strings.Count(r.Text, "元") != 1 {
		t.Errorf("a picked number should show one item:\n%s", r.Text)
	}
}

func TestFragmentsNarrowTheLastQuestion(t *testing.T) {
	h := newHarness(t)
	r := h.say("u", "头颅CT多少钱")
	mustContain(t, r.Text, "头颅CT平扫", "头颅CT增强", "160.00元", "380.00元")
	r = h.say("u", "那增强呢")
	mustContain(t, r.Text, "头颅CT增强", "380.00元")
	mustNotContain(t, r.Text, "160.00")
	r = h.say("u", "胸部的呢")
	mustContain(t, r.Text, "胸部CT增强", "390.00元")
	mustNotContain(t, r.Text, "头颅")
	r = h.say("u", "尿常规呢")
	mustContain(t, r.Text, "尿常规", "12.00元")

	r = h.say("v", "阿莫西林多少钱")
	mustContain(t, r.Text, "0.25g", "0.5g")
	r = h.say("v", "0.5g的")
	mustContain(t, r.Text, "0.5g*20粒", "9.60元")
	mustNotContain(t, r.Text, "0.25g")
}

func TestDetailFollowUps(t *testing.T) {
	h := newHarness(t)
	h.say("u", "肝胆B超多少钱")
	mustContain(t, h.say("u", "要空腹吗").Text, "空腹8小时")
	mustContain(t, h.say("u", "医保能报吗").Text, "甲类")
	h.say("v", "特需病房床位费多少钱")
	mustContain(t, h.say("v", "医保能报销吗").Text, "自费")
}

func TestUnknownIsHonestAndRecorded(t *testing.T) {
	h := newHarness(t)
	for i := 0; i < 2; i++ {
		r := h.say(fmt.Sprintf("u%d", i), "种植牙多少钱")
		mustContain(t, r.Text, "抱歉", "人工")
		mustNotContain(t, r.Text, "元", "人工流产")
	}
	h.say("u9", "医院招聘护士吗")
	list, err := ListUnanswered(h.ctx, h.st)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Question != "种植牙多少钱" || list[0].Count != 2 || list[1].Count != 1 {
		t.Fatalf("unanswered = %+v", list)
	}
	if list[0].LastSeen.IsZero() {
		t.Error("last seen not recorded")
	}
}

func TestHumanAndHelp(t *testing.T) {
	h := newHarness(t)
	r := h.say("u", "人工")
	if !r.TransferToCS {
		t.Error("人工 should transfer to customer service")
	}
	mustContain(t, r.Text, "人工客服", "0736-88661000")
	mustNotContain(t, r.Text, "人工流产")
	r = h.say("u", "人工流产多少钱")
	if r.TransferToCS {
		t.Error("人工流产 is a price question")
	}
	mustContain(t, r.Text, "人工流产术", "300.00元")
	r = h.say("u", "帮助")
	mustContain(t, r.Text, "投诉", "价格", "人工", "订阅")
}

func TestSchedules(t *testing.T) {
	h := newHarness(t)
	r := h.say("u", "肾内科周末有门诊吗")
	mustContain(t, r.Text, "无门诊")
	mustNotContain(t, r.Text, "黄伟", "没有找到")
	mustContain(t, h.say("u", "那平时呢").Text, "黄伟", "周一")

	r = h.say("v", "王医生什么时候坐诊")
	mustContain(t, r.Text, "王建国", "王建华")
	r = h.say("v", "骨科那个")
	mustContain(t, r.Text, "王建国", "周一")
	mustNotContain(t, r.Text, "王建华")
	mustContain(t, h.say("v", "他在哪个诊室").Text, "211诊室")

	r = h.say("w", "儿科怎么挂号")
	mustContain(t, r.Text, "预约挂号方式", "门诊楼1楼B区")
	r = h.say("w", "周六有门诊吗")
	mustContain(t, r.Text, "刘晓红", "陈思远")
	r = h.say("w", "下午呢")
	mustContain(t, r.Text, "陈思远")
	mustNotContain(t, r.Text, "刘晓红")

	// The fake clock says Wednesday.
	r = h.say("x", "儿科今天有门诊吗")
	mustContain(t, r.Text, "周三", "陈思远")
	mustNotContain(t, r.Text, "刘晓红")
}

func TestProcessesAndFAQ(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.say("u", "住院流程").Text, "住院办理流程", "住院证")
	mustContain(t, h.say("u", "出院呢").Text, "出院结算流程")
	mustContain(t, h.say("u", "能寄吗").Text, "快递")
	mustContain(t, h.say("v", "停车怎么收费").Text, "30分钟内免费")
}

func TestEventsAndMessageKinds(t *testing.T) {
	h := newHarness(t)
	r, _ := h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindEvent, Event: EventSubscribe})
	mustContain(t, r.Text, "测试医院", "投诉")
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindEvent, Event: EventView, EventKey: "https://x"})
	if r.Text != "" || r.TransferToCS {
		t.Errorf("VIEW should say nothing, got %+v", r)
	}
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindEvent, Event: EventClick, EventKey: KeyHuman})
	if !r.TransferToCS {
		t.Error("the 人工 menu should transfer")
	}
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindEvent, Event: EventClick, EventKey: KeyAppointment})
	mustContain(t, r.Text, "预约挂号")
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindVoice, Text: "血常规多少钱"})
	mustContain(t, r.Text, "22.00元")
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindVoice})
	mustContain(t, r.Text, "语音")
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindImage, MediaID: "m"})
	mustContain(t, r.Text, "文字")
}

func TestSkillsRunFirstAndCanAskTheCore(t *testing.T) {
	var answered Reply
	var ok, okUnknown bool
	skill := SkillFunc(func(ctx context.Context, t *Turn) (Reply, bool, error) {
		if t.Norm != "投诉" {
			return Reply{}, false, nil
		}
		answered, ok = t.Answer(ctx, "胸部CT平扫多少钱")
		_, okUnknown = t.Answer(ctx, "种植牙多少钱")
		return Reply{Text: "请描述您的问题"}, true, nil
	})
	h := newHarness(t, func(o *Options) { o.Skills = []Skill{skill} })
	r := h.say("u", "投诉")
	if r.Text != "请描述您的问题" {
		t.Fatalf("skill reply not used: %q", r.Text)
	}
	if !ok || !strings.Contains(answered.Text, "170.00元") {
		t.Errorf("Turn.Answer = %q, %v", answered.Text, ok)
	}
	if okUnknown {
		t.Error("Turn.Answer should not be confident about an unknown item")
	}
	mustContain(t, h.say("u", "血常规多少钱").Text, "22.00元")
}

// downStore fails every call, as Redis does when it is down.
type downStore struct{ store.Store }

func (downStore) Get(context.Context, string) ([]byte, error) { return nil, store.ErrUnavailable }
func (downStore) Set(context.Context, string, []byte, time.Duration) error {
	return store.ErrUnavailable
}
func (downStore) HIncr(context.Context, string, string, int64) (int64, error) {
	return 0, store.ErrUnavailable
}

func TestStoreDownStillAnswers(t *testing.T) {
	h := newHarness(t, func(o *Options) { o.Store = downStore{memstore.New()} })
	mustContain(t, h.say("u", "血常规多少钱").Text, "22.00元")
	mustContain(t, h.say("u", "种植牙多少钱").Text, "抱歉")
}

func TestRepliesStayShort(t *testing.T) {
	d := testData()
	for i := 0; i < 60; i++ {
		d.Prices = append(d.Prices, knowledge.PriceItem{Name: fmt.Sprintf("测试检查项目第%d号加长名称说明", i), Unit: "次", Cents: 100, Insurance: "甲"})
	}
	b := New(Options{Store: memstore.New(), Knowledge: func() *knowledge.Data { return d }})
	r, err := b.Respond(context.Background(), Message{UserID: "u", Kind: KindText, Text: "测试检查项目多少钱"})
	if err != nil {
		t.Fatal(err)
	}
	if n := utf8.RuneCountInString(r.Text); n > 620 {
		t.Errorf("reply has %d characters", n)
	}
}

func TestIndexRebuiltOncePerVersion(t *testing.T) {
	d := testData()
	var mu sync.Mutex
	cur := d
	h := newHarness(t, func(o *Options) {
		o.Knowledge = func() *knowledge.Data { mu.Lock(); defer mu.Unlock(); return cur }
	})
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r, _ := h.b.Respond(h.ctx, Message{UserID: fmt.Sprint("c", i), Kind: KindText, Text: "尿常规多少钱"})
			mustContain(t, r.Text, "12.00元")
		}(i)
	}
	wg.Wait()
	first := h.b.index()
	next := testData()
	next.Version = 4
	next.Prices[1].Cents = 1500
	mu.Lock()
	cur = next
	mu.Unlock()
	if h.b.index() == first {
		t.Fatal("index not rebuilt for a new version")
	}
	mustContain(t, h.say("z", "尿常规多少钱").Text, "15.00元")
}

// TestSkillsSeeEveryMessageKind: images (a complaint's attachment), voice
// without recognition and follow/scan events reach the skills before the
// bot's own kind notes.
func TestSkillsSeeEveryMessageKind(t *testing.T) {
	var seen []string
	attach := SkillFunc(func(ctx context.Context, t *Turn) (Reply, bool, error) {
		seen = append(seen, t.Msg.Kind+"/"+t.Msg.Event)
		if t.Msg.Kind == KindImage {
			return Reply{Text: "已收到附件"}, true, nil
		}
		return Reply{}, false, nil
	})
	h := newHarness(t, func(o *Options) { o.Skills = []Skill{attach} })
	r, _ := h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindImage, MediaID: "m"})
	if r.Text != "已收到附件" {
		t.Errorf("image did not reach the skill: %q", r.Text)
	}
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindVoice, MediaID: "v"})
	mustContain(t, r.Text, "语音")
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindEvent, Event: EventSubscribe})
	mustContain(t, r.Text, "欢迎关注")
	r, _ = h.b.Respond(h.ctx, Message{UserID: "u", Kind: KindEvent, Event: EventScan, EventKey: "1"})
	if r.Text != "" {
		t.Errorf("SCAN should say nothing, got %q", r.Text)
	}
	want := []string{"image/", "voice/", "event/subscribe", "event/SCAN"}
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Errorf("skill saw %v, want %v", seen, want)
	}
}

func TestCollapseMeasureWords(t *testing.T) {
	for in, want := range map[string]string{"拍个片子": "拍片子", "洗一次牙": "洗牙", "打个吊针": "打吊针", "看下午": "看下午", "做个吗": "做个吗"} {
		if got := collapseMeasure(in); got != want {
			t.Errorf("collapseMeasure(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestChatterAroundAPriceQuestion: politeness, family and a second question
// around an item do not hide it; an unknown head noun is not replaced by a
// known modifier.
func TestChatterAroundAPriceQuestion(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.say("a", "你好我妈想问一下头颅CT平扫多少钱").Text, "160.00元")
	mustContain(t, h.say("b", "腹部彩超多少钱要不要空腹").Text, "120.00元", "空腹")
	r := h.say("c", "头颅磁共振多少钱").Text
	mustContain(t, r, "没有找到")
	mustNotContain(t, r, "160.00", "380.00")
}

// TestNoteAnswersAFollowUpQuestion: a question about the last item is
// answered from its note, naming it.
func TestNoteAnswersAFollowUpQuestion(t *testing.T) {
	h := newHarness(t)
	mustContain(t, h.say("u", "腹部彩超多少钱").Text, "120.00元")
	mustContain(t, h.say("u", "检查前能吃东西吗").Text, "腹部彩超", "空腹")
}

// A follow-up naming two processes, each of which never mentions the other's
// keyword, is answered (it once sent the message from one process to the
// other until the stack overflowed and the service died).
func TestFollowUpNamingTwoProcessesIsAnswered(t *testing.T) {
	h := newHarness(t)
	h.say("u", "出院结算流程")
	r := h.say("u", "住院和出院都要带什么")
	if !strings.Contains(r.Text, "住院") && !strings.Contains(r.Text, "出院") {
		t.Errorf("the answer names neither process:\n%s", r.Text)
	}
}
