package bot

import (
	"context"
	"fmt"
	"math/rand"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/hospital/wxbot/knowledge"
	"github.com/hospital/wxbot/search"
	"github.com/hospital/wxbot/store/memstore"
)

// generatedData builds n realistic price items (body part x examination x
// variant, drugs with strengths) plus the small test data.
func generatedData(n int) *knowledge.Data {
	d := testData()
	rng := rand.New(rand.NewSource(1))
	parts := []string{"头颅", "胸部", "上腹部", "全腹部", "盆腔", "颈椎", "胸椎", "腰椎", "膝关节", "肩关节", "髋关节", "踝关节", "腕关节", "肘关节", "鼻窦", "眼眶", "颞骨", "乳腺", "甲状腺", "心脏", "肝脏", "肾脏", "前列腺", "子宫附件", "颈部血管", "下肢血管", "上肢血管", "冠状动脉", "肺", "胰腺"}
	exams := []string{"CT", "磁共振", "核磁共振", "彩超", "DR摄影", "造影", "血管成像", "穿刺活检", "超声造影", "介入治疗", "放射治疗", "切除术", "修补术", "置换术", "镜检查"}
	variants := []string{"平扫", "增强", "三维重建", "(单侧)", "(双侧)", "(急诊)", "(儿童)", "(加急)", "", "复查"}
	drugs := []string{"阿莫西林", "头孢克肟", "布洛芬", "对乙酰氨基酚", "奥美拉唑", "二甲双胍", "氨氯地平", "阿托伐他汀", "氯雷他定", "孟鲁司特钠", "左氧氟沙星", "阿奇霉素", "甲硝唑", "蒙脱石", "硝苯地平", "缬沙坦", "阿司匹林", "氯吡格雷", "甲钴胺", "维生素C"}
	forms := []string{"片", "胶囊", "颗粒", "缓释片", "分散片", "注射液", "口服溶液", "混悬液", "软膏", "滴眼液"}
	for len(d.Prices) < n {
		var p knowledge.PriceItem
		if rng.Intn(3) == 0 {
			p = knowledge.PriceItem{
				Name:     fmt.Sprintf("%s%s %gg*%d粒", drugs[rng.Intn(len(drugs))], forms[rng.Intn(len(forms))], float64(rng.Intn(50)+1)/10, (rng.Intn(5)+1)*6),
				Category: "药品", Unit: "盒",
			}
		} else {
			p = knowledge.PriceItem{
				Name:     parts[rng.Intn(len(parts))] + exams[rng.Intn(len(exams))] + variants[rng.Intn(len(variants))],
				Category: "检查", Unit: "次",
			}
		}
		p.Code = fmt.Sprintf("G%05d", len(d.Prices))
		p.Cents = int64(rng.Intn(100000) + 100)
		p.Insurance = []string{"甲", "乙", "丙", "自费"}[rng.Intn(4)]
		d.Prices = append(d.Prices, p)
	}
	d.Synonyms = append(d.Synonyms, []string{"磁共振", "核磁共振", "核磁", "MRI"}, []string{"彩超", "B超", "超声"})
	return d
}

var benchQuestions = []string{
	"血常规多少钱", "头颅CT多少钱", "膝关节核磁共振增强多少钱", "阿莫西林胶囊多少钱",
	"甲状腺彩超价格", "腰椎CT平扫多少钱", "种植牙多少钱", "MRI价格", "布洛芬颗粒多少钱一盒", "心脏彩超收费",
}

// BenchmarkPriceQuestion10k answers price questions on 10,000 items
// (session store in memory) and reports the 99th percentile latency.
func BenchmarkPriceQuestion10k(b *testing.B) {
	d := generatedData(10000)
	bot := New(Options{Store: memstore.New(), Knowledge: func() *knowledge.Data { return d }})
	ctx := context.Background()
	bot.index()
	durs := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		q := benchQuestions[i%len(benchQuestions)]
		bot.memo.cache.Purge() // measure matching, not the reply memo
		start := time.Now()
		if _, err := bot.Respond(ctx, Message{UserID: fmt.Sprint("u", i%50), Kind: KindText, Text: q}); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
	b.ReportMetric(float64(durs[len(durs)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(durs[len(durs)/2].Microseconds())/1000, "p50-ms")
}

// BenchmarkIndexBuild10k reports the build time and the heap held by an
// index of 10,000 items.
func BenchmarkIndexBuild10k(b *testing.B) {
	d := generatedData(10000)
	var idx *search.Index
	var ms0, ms1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		idx = search.Build(d)
	}
	b.StopTimer()
	runtime.GC()
	runtime.ReadMemStats(&ms1)
	b.ReportMetric(float64(int64(ms1.HeapAlloc)-int64(ms0.HeapAlloc))/(1<<20), "index-MiB")
	runtime.KeepAlive(idx)
}
