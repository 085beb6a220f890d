package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/hospital/wxbot/bot"
	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/staff"
	"github.com/hospital/wxbot/store"
)

// Store keys of the knowledge pages.
const (
	// uploadPrefix + id holds an uploaded file waiting to be applied.
	uploadPrefix = "console:upload:"
	uploadTTL    = 30 * time.Minute
	// answeredKey is a hash: unanswered question -> how often it had been
	// asked when staff turned it into an FAQ entry. The question is listed
	// again only if patients ask it again after that.
	answeredKey = "console:unanswered:answered"
	// unansweredShown bounds the list on the page.
	unansweredShown = 100
)

// kindLabel names a data kind in Chinese.
func kindLabel(k knowledge.Kind) string {
	switch k {
	case knowledge.KindPrices:
		return "价格（prices.csv）"
	case knowledge.KindDepartments:
		return "科室（departments.csv）"
	case knowledge.KindSchedules:
		return "出诊安排（schedules.csv）"
	case knowledge.KindProcesses:
		return "就医流程（processes/*.md，每次一个文件）"
	case knowledge.KindFAQ:
		return "常见问题（faq.yaml）"
	case knowledge.KindSynonyms:
		return "同义词（synonyms.txt）"
	}
	return string(k)
}

type kindOption struct {
	Value string
	Label string
	Rows  int
}

type knowledgeData struct {
	Kinds      []kindOption
	Version    int64
	UpdatedAt  time.Time
	Hospital   string
	Unanswered []bot.Unanswered
	More       int
}

func (c *Console) kindOptions(d *knowledge.Data) []kindOption {
	rows := map[knowledge.Kind]int{
		knowledge.KindPrices: len(d.Prices), knowledge.KindDepartments: len(d.Departments),
		knowledge.KindSchedules: len(d.Schedules), knowledge.KindProcesses: len(d.Processes),
		knowledge.KindFAQ: len(d.FAQ), knowledge.KindSynonyms: len(d.Synonyms),
	}
	out := make([]kindOption, 0, len(knowledge.Kinds))
	for _, k := range knowledge.Kinds {
		out = append(out, kindOption{Value: string(k), Label: kindLabel(k), Rows: rows[k]})
	}
	return out
}

func (c *Console) knowledgePage(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	cur := c.d.Knowledge.Current()
	list, err := c.unanswered(r.Context())
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := knowledgeData{Kinds: c.kindOptions(cur), Version: cur.Version, UpdatedAt: cur.UpdatedAt, Hospital: cur.Hospital}
	if len(list) > unansweredShown {
		d.More = len(list) - unansweredShown
		list = list[:unansweredShown]
	}
	d.Unanswered = list
	c.render(w, r, http.StatusOK, "knowledge", "知识库", "knowledge", d)
}

// unanswered lists the questions the bot could not answer, most asked first,
// without those already turned into FAQ entries (unless asked again since).
func (c *Console) unanswered(ctx context.Context) ([]bot.Unanswered, error) {
	list, err := bot.ListUnanswered(ctx, c.d.Store)
	if err != nil {
		return nil, err
	}
	marks, err := c.d.Store.HGetAll(ctx, answeredKey)
	if err != nil {
		return nil, fmt.Errorf("answered questions: %w", err)
	}
	out := list[:0]
	for _, u := range list {
		if raw, ok := marks[u.Question]; ok {
			if n, err := strconv.ParseInt(string(raw), 10, 64); err == nil && u.Count <= n {
				continue
			}
		}
		out = append(out, u)
	}
	return out, nil
}

// upload is a validated file waiting for the admin's "apply".
type upload struct {
	Kind knowledge.Kind `json:"kind"`
	Name string         `json:"name"`
	Data []byte         `json:"data"`
	By   string         `json:"by"`
	At   time.Time      `json:"at"`
}

type problemRow struct {
	File   string
	Line   int
	Reason string
}

type uploadData struct {
	Kind     string
	Label    string
	Name     string
	Problems []problemRow
	Diff     *diffSummary
	UploadID string
}

func (c *Console) knowledgeUpload(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	kind, err := knowledge.ParseKind(r.PostFormValue("kind"))
	if err != nil {
		c.redirectErr(w, r, "/console/knowledge", "请选择数据类型。")
		return
	}
	file, hdr, err := r.FormFile("file")
	if err != nil {
		c.redirectErr(w, r, "/console/knowledge", "请选择要上传的文件。")
		return
	}
	defer file.Close()
	raw, err := io.ReadAll(io.LimitReader(file, maxUploadFile+1))
	if err != nil {
		c.fail(w, r, http.StatusBadRequest, "无法读取上传的文件。")
		return
	}
	if len(raw) > maxUploadFile {
		c.fail(w, r, http.StatusRequestEntityTooLarge, fmt.Sprintf("文件太大（最大 %d MB）。", maxUploadFile>>20))
		return
	}
	name := path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	d := uploadData{Kind: string(kind), Label: kindLabel(kind), Name: name}
	parsed, err := knowledge.Parse(kind, name, raw)
	if err != nil {
		var ve *knowledge.ValidationError
		if !errors.As(err, &ve) {
			c.internal(w, r, err)
			return
		}
		for _, p := range ve.Problems {
			d.Problems = append(d.Problems, problemRow{File: p.File, Line: p.Line, Reason: p.Reason})
		}
		c.record(r, "knowledge.preview", "knowledge:"+string(kind), fmt.Sprintf("file=%s problems=%d", name, len(ve.Problems)))
		c.render(w, r, http.StatusBadRequest, "upload", "上传预览", "knowledge", d)
		return
	}
	diff := diffKind(kind, c.d.Knowledge.Current(), parsed)
	d.Diff = &diff
	if diff.Changes() > 0 {
		id := randomID(16)
		b, err := json.Marshal(upload{Kind: kind, Name: name, Data: raw, By: m.ID, At: c.d.Clock.Now().UTC()})
		if err != nil {
			c.internal(w, r, err)
			return
		}
		if err := c.d.Store.Set(r.Context(), uploadPrefix+id, b, uploadTTL); err != nil {
			c.internal(w, r, err)
			return
		}
		d.UploadID = id
	}
	c.render(w, r, http.StatusOK, "upload", "上传预览", "knowledge", d)
}

func (c *Console) knowledgeApply(w http.ResponseWriter, r *http.Request, m *staff.Member) {
	ctx := r.Context()
	id := r.PostFormValue("upload")
	if id == "" || strings.ContainsAny(id, ":{} ") {
		c.redirectErr(w, r, "/console/knowledge", "上传已失效，请重新上传。")
		return
	}
	raw, err := c.d.Store.Get(ctx, uploadPrefix+id)
	if errors.Is(err, store.ErrNotFound) {
		c.redirectErr(w, r, "/console/knowledge", "上传已过期（30分钟内有效）或已应用，请重新上传。")
		return
	}
	if err != nil {
		c.internal(w, r, err)
		return
	}
	var up upload
	if err := json.Unmarshal(raw, &up); err != nil {
		c.internal(w, r, fmt.Errorf("decode upload %s: %w", id, err))
		return
	}
	res, err := c.d.Knowledge.Import(ctx, up.Kind, up.Name, up.Data)
	if err != nil {
		var ve *knowledge.ValidationError
		if errors.As(err, &ve) {
			c.redirectErr(w, r, "/console/knowledge", "文件未通过校验："+ve.Error())
			return
		}
		c.internal(w, r, err)
		return
	}
	_ = c.d.Store.Delete(ctx, uploadPrefix+id)
	c.record(r, "knowledge.import", "knowledge:"+string(up.Kind), fmt.Sprintf("file=%s rows=%d added=%d changed=%d removed=%d version=%d",
		up.Name, res.Rows, res.Added, res.Changed, res.Removed, res.Version))
	c.redirect(w, r, "/console/knowledge", fmt.Sprintf("已导入%s：共 %d 条，新增 %d、修改 %d、删除 %d，数据版本 %d。",
		kindLabel(up.Kind), res.Rows, res.Added, res.Changed, res.Removed, res.Version))
}

// ---- unanswered -> FAQ ----

type faqData struct {
	Question string
	More     string
	Answer   string
	Count    int64
	Error    string
}

func (c *Console) faqForm(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	d := faqData{Question: q}
	if q != "" {
		list, err := bot.ListUnanswered(r.Context(), c.d.Store)
		if err != nil {
			c.internal(w, r, err)
			return
		}
		for _, u := range list {
			if u.Question == q {
				d.Count = u.Count
			}
		}
	}
	c.render(w, r, http.StatusOK, "faq", "添加常见问题", "knowledge", d)
}

func (c *Console) faqAdd(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	ctx := r.Context()
	d := faqData{
		Question: strings.TrimSpace(r.PostFormValue("question")),
		More:     r.PostFormValue("more"),
		Answer:   strings.TrimSpace(strings.ReplaceAll(r.PostFormValue("answer"), "\r\n", "\n")),
	}
	again := func(msg string) {
		d.Error = msg
		c.render(w, r, http.StatusBadRequest, "faq", "添加常见问题", "knowledge", d)
	}
	if d.Question == "" || d.Answer == "" {
		again("问题和答案都不能为空。")
		return
	}
	questions := []string{d.Question}
	for _, l := range strings.Split(d.More, "\n") {
		if l = strings.TrimSpace(l); l != "" && !contains(questions, l) {
			questions = append(questions, l)
		}
	}
	cur := c.d.Knowledge.Current()
	for _, e := range cur.FAQ {
		for _, q := range e.Questions {
			if contains(questions, q) {
				again("问题「" + q + "」已在常见问题中。")
				return
			}
		}
	}
	// Validate the entry as a one-entry faq.yaml, then add it to whatever
	// version is current (another admin may be adding one right now).
	raw, err := EncodeFAQ([]knowledge.FAQEntry{{Questions: questions, Answer: d.Answer}})
	if err != nil {
		c.internal(w, r, err)
		return
	}
	parsed, err := knowledge.Parse(knowledge.KindFAQ, knowledge.FileNames[knowledge.KindFAQ], raw)
	if err != nil {
		var ve *knowledge.ValidationError
		if errors.As(err, &ve) {
			again("无法添加：" + ve.Error())
			return
		}
		c.internal(w, r, err)
		return
	}
	res, err := c.d.Knowledge.AddFAQ(ctx, parsed.FAQ[0])
	if err != nil {
		c.internal(w, r, err)
		return
	}
	// Mark the question answered at its current count.
	count := int64(0)
	if list, err := bot.ListUnanswered(ctx, c.d.Store); err == nil {
		for _, u := range list {
			if u.Question == d.Question {
				count = u.Count
			}
		}
	}
	if err := c.d.Store.HSet(ctx, answeredKey, d.Question, []byte(strconv.FormatInt(count, 10))); err != nil {
		c.internal(w, r, err)
		return
	}
	c.record(r, "knowledge.faq_add", "knowledge:faq", fmt.Sprintf("questions=%d version=%d", len(questions), res.Version))
	c.redirect(w, r, "/console/knowledge", fmt.Sprintf("已添加为常见问题（数据版本 %d），机器人现在可以回答「%s」。", res.Version, d.Question))
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// EncodeFAQ writes entries as faq.yaml in the contract's format: a list of
// `- questions: ["..", ".."]` / `  answer: ".."`, every value a JSON string
// literal (valid YAML), as the demo data does.
func EncodeFAQ(entries []knowledge.FAQEntry) ([]byte, error) {
	var b bytes.Buffer
	lit := func(v any) (string, error) {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			return "", err
		}
		return strings.TrimSpace(buf.String()), nil
	}
	for _, e := range entries {
		qs, err := lit(e.Questions)
		if err != nil {
			return nil, fmt.Errorf("encode faq: %w", err)
		}
		qs = strings.ReplaceAll(qs, `","`, `", "`)
		ans, err := lit(e.Answer)
		if err != nil {
			return nil, fmt.Errorf("encode faq: %w", err)
		}
		fmt.Fprintf(&b, "- questions: %s\n  answer: %s\n", qs, ans)
	}
	return b.Bytes(), nil
}

// ---- the preview's diff ----

// diffSummary compares an uploaded file with the data serving now, as the
// import will: rows added, changed and removed, with a few keys of each.
type diffSummary struct {
	Rows                    int
	Added, Changed, Removed int
	AddedKeys, ChangedKeys  []string
	RemovedKeys             []string
}

// Changes is the number of rows the import would change.
func (d diffSummary) Changes() int { return d.Added + d.Changed + d.Removed }

const diffKeysShown = 10

func diffKind(kind knowledge.Kind, cur, parsed *knowledge.Data) diffSummary {
	switch kind {
	case knowledge.KindPrices:
		return diffBy(cur.Prices, parsed.Prices, func(p knowledge.PriceItem) string { return p.Code })
	case knowledge.KindDepartments:
		return diffBy(cur.Departments, parsed.Departments, func(d knowledge.Department) string { return d.Name })
	case knowledge.KindSchedules:
		return diffBy(cur.Schedules, parsed.Schedules, func(s knowledge.ClinicSession) string {
			return fmt.Sprintf("%s %s 周%d%s", s.Department, s.Doctor, s.Weekday, s.Period)
		})
	case knowledge.KindProcesses:
		// One file adds or replaces one process; the others stay.
		next := append([]knowledge.Process(nil), cur.Processes...)
		for _, p := range parsed.Processes {
			replaced := false
			for i := range next {
				if next[i].ID == p.ID {
					next[i], replaced = p, true
				}
			}
			if !replaced {
				next = append(next, p)
			}
		}
		return diffBy(cur.Processes, next, func(p knowledge.Process) string { return p.ID })
	case knowledge.KindFAQ:
		return diffBy(cur.FAQ, parsed.FAQ, func(e knowledge.FAQEntry) string { return firstOf(e.Questions) })
	case knowledge.KindSynonyms:
		return diffBy(cur.Synonyms, parsed.Synonyms, firstOf)
	}
	return diffSummary{}
}

func firstOf(s []string) string {
	if len(s) == 0 {
		return ""
	}
	return s[0]
}

// diffBy matches rows by key (repeated keys in order) and counts the rows
// added, changed and removed from old to next.
func diffBy[T any](old, next []T, key func(T) string) diffSummary {
	index := func(items []T) (map[string]T, []string) {
		m := make(map[string]T, len(items))
		order := make([]string, 0, len(items))
		seen := map[string]int{}
		for _, it := range items {
			k := key(it)
			seen[k]++
			if n := seen[k]; n > 1 {
				k += " #" + strconv.Itoa(n)
			}
			m[k] = it
			order = append(order, k)
		}
		return m, order
	}
	before, beforeOrder := index(old)
	after, afterOrder := index(next)
	d := diffSummary{Rows: len(next)}
	add := func(list *[]string, k string) {
		if len(*list) < diffKeysShown {
			*list = append(*list, k)
		}
	}
	for _, k := range afterOrder {
		prev, ok := before[k]
		switch {
		case !ok:
			d.Added++
			add(&d.AddedKeys, k)
		case !reflect.DeepEqual(prev, after[k]):
			d.Changed++
			add(&d.ChangedKeys, k)
		}
	}
	for _, k := range beforeOrder {
		if _, ok := after[k]; !ok {
			d.Removed++
			add(&d.RemovedKeys, k)
		}
	}
	return d
}
