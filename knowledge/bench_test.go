package knowledge

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/hospital/wxbot/store/memstore"
)

// pricesCSV generates a prices.csv of n rows; salt changes every price so
// successive imports are real changes.
func pricesCSV(n, salt int) []byte {
	var b strings.Builder
	b.WriteString("code,name,category,unit,price,insurance,note\n")
	cats := []string{"检查", "检验", "治疗", "药品", "材料"}
	ins := []string{"甲", "乙", "丙", "自费"}
	for i := range n {
		fmt.Fprintf(&b, "%09d,测试项目%d号（含说明）,%s,次,%d.%02d,%s,\"备注,第%d条\"\n",
			300000000+i, i, cats[i%len(cats)], 1+(i*7+salt)%5000, (i+salt)%100, ins[i%len(ins)], i)
	}
	return []byte(b.String())
}

// BenchmarkImportPrices10k measures one validated import of 10,000 price
// rows into the store, swap included (target: at most 1 s per import).
func BenchmarkImportPrices10k(b *testing.B) {
	ctx := context.Background()
	files := [][]byte{pricesCSV(10000, 0), pricesCSV(10000, 1)}
	r := newTestRepo(memstore.New())
	b.SetBytes(int64(len(files[0])))
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		res, err := r.Import(ctx, KindPrices, "prices.csv", files[i%2])
		if err != nil {
			b.Fatal(err)
		}
		if res.Rows != 10000 {
			b.Fatalf("imported %d rows, want 10000", res.Rows)
		}
	}
}

// BenchmarkDataMemory10k reports the heap held by one Data of 10,000 price
// items (metric data-MiB).
func BenchmarkDataMemory10k(b *testing.B) {
	raw := pricesCSV(10000, 0)
	var total uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		d, err := Parse(KindPrices, "prices.csv", raw)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		runtime.KeepAlive(d)
		total += after.HeapAlloc - min(after.HeapAlloc, before.HeapAlloc)
	}
	b.ReportMetric(float64(total)/float64(b.N)/(1<<20), "data-MiB")
}
