package complaints

import (
	"testing"

	"github.com/hospital/wxbot/clock"
	"github.com/hospital/wxbot/store/memstore"
)

// A patient's messages alternate between two instances: the form started on
// one continues on the other, although the other had just seen the patient
// without a form.
func TestFormContinuesAcrossInstances(t *testing.T) {
	clk := clock.NewFake(start)
	st := memstore.NewWithClock(clk)
	a, b := newHarnessOn(t, clk, st), newHarnessOn(t, clk, st)
	if _, handled := b.say("血常规多少钱"); handled {
		t.Fatal("a price question was taken as a complaint")
	}
	a.expect("投诉", "描述")
	b.expect(desc, "科室")
	a.expect("跳过")
	b.expect("取消", "取消")
	if _, handled := a.say("血常规多少钱"); handled {
		t.Error("after 取消 on the other instance, a price question was taken by the form")
	}
	if n := len(a.tickets()); n != 0 {
		t.Errorf("%d tickets after a cancelled form, want 0", n)
	}
}

// The marks saying who has a draft live in memory on one machine: after a
// restart they are gone, and the form the patient was filling continues.
func TestFormContinuesWhenTheDraftMarksAreLost(t *testing.T) {
	h := newHarness(t)
	h.expect("投诉", "描述")
	if err := h.st.Delete(h.ctx, keyDraftMark("user-1")); err != nil {
		t.Fatal(err)
	}
	h.expect(desc, "科室")
	// A mark that is wrong the other way (a draft deleted behind its back)
	// only costs a look at the store.
	if err := h.st.Delete(h.ctx, keyDraft("user-1")); err != nil {
		t.Fatal(err)
	}
	if _, handled := h.say("血常规多少钱"); handled {
		t.Error("with the draft gone, a price question was taken by the form")
	}
	h.expect("投诉", "描述")
}
