package console

import (
	"net/http"
	"strconv"

	"github.com/hospital/wxbot/audit"
	"github.com/hospital/wxbot/notices"
	"github.com/hospital/wxbot/staff"
)

type subscribersData struct {
	Counts []notices.CategoryCount
	Total  int64
}

func (c *Console) subscribers(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	counts, err := c.d.Notices.Subscriptions().Counts(r.Context())
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := subscribersData{Counts: counts}
	for _, x := range counts {
		d.Total += x.Subscribers
	}
	c.render(w, r, http.StatusOK, "subscribers", "订阅统计", "subscribers", d)
}

// auditPageSize is how many audit entries one page shows.
const auditPageSize = 50

type auditData struct {
	Entries []audit.Entry
	Page    int
	Prev    int
	Next    int
	Total   int64
}

func (c *Console) auditPage(w http.ResponseWriter, r *http.Request, _ *staff.Member) {
	page, err := strconv.Atoi(r.URL.Query().Get("page"))
	if err != nil || page < 1 {
		page = 1
	}
	entries, err := c.d.Audit.List(r.Context(), auditPageSize, (page-1)*auditPageSize)
	if err != nil {
		c.internal(w, r, err)
		return
	}
	total, err := c.d.Audit.Count(r.Context())
	if err != nil {
		c.internal(w, r, err)
		return
	}
	d := auditData{Entries: entries, Page: page, Total: total}
	if page > 1 {
		d.Prev = page - 1
	}
	if int64(page*auditPageSize) < total {
		d.Next = page + 1
	}
	c.render(w, r, http.StatusOK, "audit", "审计日志", "audit", d)
}
