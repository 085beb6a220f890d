package wxapi_test

import (
	"context"
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/hospital/wxbot/wxapi"
)

// stubAPI answers every call with err.
type stubAPI struct{ err error }

func (s stubAPI) SendText(context.Context, string, string) error { return s.err }
func (s stubAPI) SendTemplate(context.Context, wxapi.TemplateMessage) (int64, error) {
	return 7, s.err
}
func (s stubAPI) SendSubscribe(context.Context, wxapi.SubscribeMessage) error { return s.err }
func (s stubAPI) UserInfo(context.Context, string) (wxapi.UserInfo, error) {
	return wxapi.UserInfo{}, s.err
}
func (s stubAPI) CreateMenu(context.Context, []byte) error { return s.err }
func (s stubAPI) GetMedia(context.Context, string) (wxapi.Media, error) {
	return wxapi.Media{}, s.err
}

// counter returns wxbot_wechat_calls_total{api, errcode} from reg.
func counter(t *testing.T, reg *prometheus.Registry, api, errcode string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "wxbot_wechat_calls_total" {
			continue
		}
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["api"] == api && labels["errcode"] == errcode {
				return m.GetCounter().GetValue()
			}
		}
	}
	return 0
}

func histogramCount(t *testing.T, reg *prometheus.Registry, api string) uint64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "wxbot_wechat_call_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			if m.GetLabel()[0].GetValue() == api {
				return m.GetHistogram().GetSampleCount()
			}
		}
	}
	return 0
}

func TestInstrumentCountsCallsByErrcode(t *testing.T) {
	reg := prometheus.NewRegistry()
	ctx := context.Background()
	ok := wxapi.Instrument(stubAPI{}, reg)
	// A second wrapper on the same registry shares the collectors.
	notFollowing := wxapi.Instrument(stubAPI{err: &wxapi.Error{API: wxapi.APICustomSend, Code: 43004}}, reg)
	transport := wxapi.Instrument(stubAPI{err: &wxapi.Error{API: wxapi.APICustomSend, Message: "timeout"}}, reg)
	other := wxapi.Instrument(stubAPI{err: errors.New("boom")}, reg)

	for i := 0; i < 3; i++ {
		if err := ok.SendText(ctx, "o", "t"); err != nil {
			t.Fatal(err)
		}
	}
	if id, err := ok.SendTemplate(ctx, wxapi.TemplateMessage{}); err != nil || id != 7 {
		t.Fatalf("SendTemplate through Instrument = %d, %v", id, err)
	}
	if err := notFollowing.SendText(ctx, "o", "t"); wxapi.Code(err) != 43004 {
		t.Fatalf("Instrument changed the error: %v", err)
	}
	_ = transport.SendSubscribe(ctx, wxapi.SubscribeMessage{})
	_, _ = other.GetMedia(ctx, "m")
	_ = ok.CreateMenu(ctx, nil)
	_, _ = ok.UserInfo(ctx, "o")

	checks := []struct {
		api, code string
		want      float64
	}{
		{wxapi.APICustomSend, "0", 3},
		{wxapi.APICustomSend, "43004", 1},
		{wxapi.APITemplateSend, "0", 1},
		{wxapi.APISubscribeSend, "transport", 1},
		{wxapi.APIMediaGet, "error", 1},
		{wxapi.APIMenuCreate, "0", 1},
		{wxapi.APIUserInfo, "0", 1},
	}
	for _, c := range checks {
		if got := counter(t, reg, c.api, c.code); got != c.want {
			t.Errorf("calls_total{api=%q,errcode=%q} = %v, want %v", c.api, c.code, got, c.want)
		}
	}
	if n := histogramCount(t, reg, wxapi.APICustomSend); n != 4 {
		t.Errorf("call_seconds{api=custom.send} count = %d, want 4", n)
	}
}
