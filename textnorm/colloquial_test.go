package textnorm

import "testing"

func TestColloquialRewritesRegionalPhrasing(t *testing.T) {
	cases := map[string]string{
		"该挂啥科":       "该挂什么科",
		"出院手续咋办":     "出院手续怎么办",
		"晚上有门诊不":     "晚上有门诊吗",
		"医保能报不":      "医保能报吗",
		"头一回来看病":     "第一次来看病",
		"瞅病去哪个科":     "看病去哪个科",
		"那平常呢":       "那平时呢",
		"阿托伐他汀钙片多钱":  "阿托伐他汀钙片多少钱",
		"周六有门诊嘛":     "周六有门诊吗",
		"要不":         "要不",
		"三伏贴几钱":      "三伏贴多少钱",
		"六味地黄丸有冇几多钱": "六味地黄丸有没有多少钱",
		"睇皮肤边个科":     "看皮肤哪个科",
		"冇带医保卡点办":    "没有带医保卡怎么办",
		"对不":         "对不",
	}
	for in, want := range cases {
		if got := Colloquial(in); got != want {
			t.Errorf("Colloquial(%q) = %q, want %q", in, got, want)
		}
	}
	if got := Query(" 出院手續咋辦？"); got != "出院手续怎么办" {
		t.Errorf("Query = %q", got)
	}
}
