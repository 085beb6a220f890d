package app

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hospital/wxbot/internal/testenv"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/wxsim"
)

func apiCall(t *testing.T, method, url, token, body string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

func TestKnowledgeImportAndUnansweredOverTheAPI(t *testing.T) {
	dir := testenv.SharedDir(t, "eval")
	cfg := demoConfig(t)
	a, srv := newApp(t, cfg, nil, nil)
	ctx := context.Background()
	svc := staff.NewService(a.Store, nil)
	_, admin, err := svc.Add(ctx, "admin1", []staff.Role{staff.RoleAdmin})
	if err != nil {
		t.Fatal(err)
	}
	_, editor, _ := svc.Add(ctx, "editor1", []staff.Role{staff.RoleEditor})
	bad, _ := os.ReadFile(filepath.Join(dir, "prices-bad.csv"))
	good, _ := os.ReadFile(filepath.Join(dir, "prices-gbk.csv"))
	before := a.Knowledge.Current().Version

	if code, _ := apiCall(t, "POST", srv.URL+"/api/v1/knowledge/prices", "", string(good)); code != http.StatusUnauthorized {
		t.Errorf("no token: %d", code)
	}
	code, body := apiCall(t, "POST", srv.URL+"/api/v1/knowledge/prices", editor, string(good))
	if code != http.StatusForbidden || !strings.Contains(body["error"].(map[string]any)["message"].(string), "admin") {
		t.Errorf("editor importing: %d %v", code, body)
	}
	code, body = apiCall(t, "POST", srv.URL+"/api/v1/knowledge/prices", admin, string(bad))
	if code != http.StatusBadRequest {
		t.Fatalf("bad file: %d %v", code, body)
	}
	msg := body["error"].(map[string]any)["message"].(string)
	if !strings.Contains(msg, "line 5") || !strings.Contains(msg, "line 9") || len(body["problems"].([]any)) != 2 {
		t.Errorf("bad file problems: %v", body)
	}
	if a.Knowledge.Current().Version != before {
		t.Error("a bad file changed the data")
	}
	code, body = apiCall(t, "POST", srv.URL+"/api/v1/knowledge/prices", admin, string(good))
	if code != http.StatusOK || body["rows"].(float64) != 40 {
		t.Fatalf("good GBK file: %d %v", code, body)
	}
	if d := a.Knowledge.Current(); d.Version == before || len(d.Prices) != 40 {
		t.Errorf("import not serving: v%d with %d prices", d.Version, len(d.Prices))
	}

	// An unknown question is recorded and listed for staff.
	c := &wxsim.Client{Account: wxsim.Account{Token: "dev-token", OriginalID: "gh_demo"}, URL: srv.URL + "/wechat"}
	if _, err := c.SendText("api-patient", "你们医院招聘护士吗"); err != nil {
		t.Fatal(err)
	}
	code, body = apiCall(t, "GET", srv.URL+"/api/v1/unanswered", editor, "")
	if code != http.StatusOK || !strings.Contains(toJSON(body), "招聘") {
		t.Errorf("unanswered: %d %v", code, body)
	}
}

func toJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
