package textnorm

import "testing"

func TestNormalize(t *testing.T) {
	cases := []struct{ in, want string }{
		{"ＣＴ多少钱", "ct多少钱"},
		{"頭顱CT多少錢", "头颅ct多少钱"},
		{"  胸部 CT  平扫 ，多少钱？？", "胸部ct平扫多少钱"},
		{"布洛芬混悬液 100ml多少钱一瓶", "布洛芬混悬液100ml多少钱一瓶"},
		{"阿莫西林胶囊 0.25g*24粒", "阿莫西林胶囊0.25g*24粒"},
		{"便常规+隐血", "便常规+隐血"},
		{"腹部彩超（肝胆胰脾）", "腹部彩超(肝胆胰脾)"},
		{"有wifi吗？密码多少", "有wifi吗密码多少"},
		{"Hello   World!", "hello world"},
		{"0.9%氯化钠注射液 250ml", "0.9%氯化钠注射液250ml"},
		{"", ""},
		{"？", ""},
		{"醫保能報銷嗎", "医保能报销吗"},
	}
	for _, c := range cases {
		if got := Normalize(c.in); got != c.want {
			t.Errorf("Normalize(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestNormalizeConcurrent(t *testing.T) {
	done := make(chan string, 8)
	for i := 0; i < 8; i++ {
		go func() { done <- Normalize("頭顱CT多少錢") }()
	}
	for i := 0; i < 8; i++ {
		if got := <-done; got != "头颅ct多少钱" {
			t.Errorf("concurrent Normalize = %q", got)
		}
	}
}

func BenchmarkNormalize(b *testing.B) {
	Warm()
	for i := 0; i < b.N; i++ {
		Normalize("  胸部 CT  平扫 ，多少钱？？")
	}
}

func BenchmarkWarm(b *testing.B) {
	b.ReportMetric(float64(Warm().Milliseconds()), "init-ms")
}
