package search

import (
	"fmt"
	"os"
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

func TestDebugTexts(t *testing.T) {
	q := os.Getenv("DBG_Q")
	if q == "" {
		t.Skip()
	}
	d, _ := knowledge.LoadDir("/work/shared/eval")
	x := Build(d)
	for i, h := range x.Texts(q, false, nil) {
		if i > 5 {
			break
		}
		fmt.Printf("%.3f %.3f %+v %s\n", h.Query, h.Doc, h.Ref, x.texts.docText(0)[:0])
	}
	for i, h := range x.Items(q) {
		if i > 5 {
			break
		}
		fmt.Printf("item %.3f %.3f %s\n", h.Query, h.Doc, x.itemNorm[h.ID])
	}
}
