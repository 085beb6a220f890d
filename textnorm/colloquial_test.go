package textnorm

import "testing"

func TestColloquialRewritesRegionalPhrasing(t *testing.T) {
	cases := map[string]string{
		"该挂啥科":           "该挂什么科",
		"出院手续咋办":         "出院手续怎么办",
		"晚上有门诊不":         "晚上有门诊吗",
		"医保能报不":          "医保能报吗",
		"头一回来看病":         "第一次来看病",
		"瞅病去哪个科":         "看病去哪个科",
		"那平常呢":           "那平时呢",
		"阿托伐他汀钙片多钱":      "阿托伐他汀钙片多少钱",
		"周六有门诊嘛":         "周六有门诊吗",
		"要不":             "要不",
		"三伏贴几钱":          "三伏贴多少钱",
		"六味地黄丸有冇几多钱":     "六味地黄丸有没有多少钱",
		"睇皮肤边个科":         "看皮肤哪个科",
		"冇带医保卡点办":        "没有带医保卡怎么办",
		"对不":             "对不",
		"该挂啥子科":          "该挂什么科",
		"儿科咋个挂号":         "儿科怎么挂号",
		"停车好多钱一个钟头":      "停车多少钱一小时",
		"电话好多":           "电话多少",
		"我是重庆的医保住院能报不":   "我是异地医保住院能报吗",
		"河南那边的社保":        "异地社保",
		"星期天有没得医生":       "星期天有没有医生",
		"验个血常规要几钿":       "验个血常规要多少钱",
		"彩超几钿一个":         "彩超多少钱一个",
		"异地医保能直接结算伐":     "异地医保能直接结算吗",
		"阿拉小囡发烧看哪个科室":    "我们孩子发烧看哪个科室",
		"侬晓得囡囡要空腹哇":      "你知道孩子要空腹吗",
		"要挂么子科咯":         "要挂什么科",
		"住院要么样办":         "住院要怎么办",
		"做胃镜么样收费":        "做胃镜怎么样收费",
		"什么样的病怎么样挂号":     "什么样的病怎么样挂号",
		"伢儿发烧冒得医生啰":      "孩子发烧没有医生",
		"感冒得很厉害挂哪个科":     "感冒得很厉害挂哪个科",
		"发烧咗两日睇边科":       "发烧了两日看哪科",
		"我要搵人工":          "我要找人工",
		"下昼呢":            "下午呢",
		"冇备案点算":          "没有备案怎么办",
		"星期二夜晚有冇医生":      "星期二晚上有没有医生",
		"我哋嘅医保":          "我们的医保",
		"旁边那边":           "旁边那边",
		"我是陕西汉中的医保住院能报吗": "我是异地医保住院能报吗",
		"社保系广西的":         "异地社保",
		"心口疼老是反酸挂撒科":     "胃疼老是反酸挂什么科",
		"额明天克抽血":         "我明天去抽血",
		"额头疼看什么科":        "额头疼看什么科",
		"撒尿疼":            "撒尿疼",
		"尻子疼解手有血":        "屁股疼大便有血",
		"洗牙多少钞票":         "洗牙多少钱",
		"为什么介贵":          "为什么这么贵",
		"恁那停车要钱不":        "你们那里停车要钱吗",
		"恁这能看牙吗":         "你们这里能看牙吗",
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

// TestPinyinParticle: a particle typed in pinyin as its own word is written
// in characters; inside a word it is left alone.
func TestPinyinParticle(t *testing.T) {
	for in, want := range map[string]string{"xcg ne": "xcg呢", "ct ma": "ct吗", "ne": "ne", "xcgne": "xcgne", "ct平扫 ne": "ct平扫呢"} {
		if got := Colloquial(in); got != want {
			t.Errorf("Colloquial(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestBeijingTianjinWords: 多儿钱, 嘛 inside a message as 什么, 咱这儿, 甭,
// 波棱盖儿; 嘛 ending a message stays a question.
func TestBeijingTianjinWords(t *testing.T) {
	cases := map[string]string{
		"验个血多儿钱":   "验个血多少钱",
		"孩子发烧挂嘛科":  "孩子发烧挂什么科",
		"王大夫嘛时候出诊": "王大夫什么时候出诊",
		"要带嘛材料":    "要带什么材料",
		"周六有门诊嘛":   "周六有门诊吗",
		"咱这儿能挂号吗":  "你们这里能挂号吗",
		"甭排队吧":     "不用排队吧",
		"波棱盖儿疼":    "膝盖疼",
		"挂号费好多":    "挂号费多少",
		"干嘛的":      "干什么的",
	}
	for in, want := range cases {
		if got := Colloquial(in); got != want {
			t.Errorf("Colloquial(%q) = %q, want %q", in, got, want)
		}
	}
}
