package complaints

import "testing"

func TestAuditDetailNamesOnlyWhatChanges(t *testing.T) {
	for _, c := range []struct {
		req  AssignRequest
		want string
	}{
		{AssignRequest{}, ""},
		{AssignRequest{Assignee: "王芳"}, "assignee=王芳"},
		{AssignRequest{Departments: []string{}}, "departments="},
		{AssignRequest{Assignee: "王芳", Departments: []string{"儿科", "药剂科"}, Category: "服务态度"}, "assignee=王芳 departments=儿科|药剂科 category=服务态度"},
	} {
		if got := c.req.AuditDetail(); got != c.want {
			t.Errorf("%+v: AuditDetail() = %q, want %q", c.req, got, c.want)
		}
	}
}

func TestDeliveryDetail(t *testing.T) {
	a := &Answer{Delivery: Delivery{Status: DeliveryPending}}
	if got := a.DeliveryDetail(); got != "delivery="+DeliveryPending {
		t.Errorf("without a channel: %q", got)
	}
	a.Delivery.Channel = "custom"
	if got := a.DeliveryDetail(); got != "delivery="+DeliveryPending+" channel=custom" {
		t.Errorf("with a channel: %q", got)
	}
}
