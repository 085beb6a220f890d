// Package textnorm normalises patients' text before it is understood:
// full-width to half-width, Latin to lower case, traditional to simplified
// Chinese, spaces collapsed and punctuation dropped except the characters that
// carry meaning in item names (+ . * / - % ( ) and digits).
package textnorm

import (
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
)

var (
	t2sOnce sync.Once
	t2s     *opencc.OpenCC
	t2sTime time.Duration
)

// converter returns the traditional-to-simplified converter, loading its
// dictionaries on first use (safe for concurrent callers). It returns nil when
// the dictionaries cannot be loaded; text is then left unconverted.
func converter() *opencc.OpenCC {
	t2sOnce.Do(func() {
		start := time.Now()
		cc, err := opencc.New("t2s")
		if err == nil {
			t2s = cc
		}
		t2sTime = time.Since(start)
	})
	return t2s
}

// Warm loads the traditional-to-simplified dictionaries now (they load lazily
// on the first message otherwise) and returns how long loading took.
func Warm() time.Duration {
	converter()
	return t2sTime
}

// tradRunes caches, per rune, whether converting it alone to simplified
// changes it. Text without such a rune is left alone (the converter is slow).
var tradRunes sync.Map // rune -> bool

// hasTraditional reports whether s holds a character that converts to
// simplified Chinese.
func hasTraditional(s string) bool {
	for _, r := range s {
		if r < 0x2e80 {
			continue
		}
		if v, ok := tradRunes.Load(r); ok {
			if v.(bool) {
				return true
			}
			continue
		}
		trad := false
		if cc := converter(); cc != nil {
			if out, err := cc.Convert(string(r)); err == nil && out != string(r) {
				trad = true
			}
		}
		tradRunes.Store(r, trad)
		if trad {
			return true
		}
	}
	return false
}

// keep reports whether a punctuation rune carries meaning in item names.
func keep(r rune) bool {
	switch r {
	case '+', '.', '*', '/', '-', '%', '(', ')':
		return true
	}
	return false
}

// isCJK reports whether r is a Han character (or another wide letter) next to
// which spaces carry no meaning.
func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || r >= 0x3000 && r <= 0x30ff
}

// Normalize returns s normalised for matching: NFKC (full-width to
// half-width), lower-case Latin, traditional to simplified Chinese, spaces
// removed next to Chinese characters and collapsed elsewhere, punctuation
// removed except + . * / - % ( ). The result is trimmed.
func Normalize(s string) string {
	if s == "" {
		return ""
	}
	s = norm.NFKC.String(s)
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii && hasTraditional(s) {
		if cc := converter(); cc != nil {
			if out, err := cc.Convert(s); err == nil {
				s = out
			}
		}
	}
	var b strings.Builder
	b.Grow(len(s))
	var prev rune // last rune written, 0 at start
	pendingSpace := false
	for _, r := range s {
		switch {
		case unicode.IsSpace(r):
			pendingSpace = true
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r) || keep(r):
			if pendingSpace && prev != 0 && !isCJK(prev) && !isCJK(r) {
				b.WriteByte(' ')
			}
			pendingSpace = false
			b.WriteRune(unicode.ToLower(r))
			prev = r
		case unicode.IsPunct(r) || unicode.IsSymbol(r):
			// Punctuation separates like a space does.
			pendingSpace = true
		default:
			pendingSpace = true
		}
	}
	return b.String()
}

// colloquial maps regional and spoken patient phrasing to the standard words
// the understanding layer knows (北方口语: 啥→什么, 咋→怎么, 瞅病→看病 ...).
// Longer phrases come first so they win over their parts.
var colloquial = strings.NewReplacer(
	"咋整", "怎么办", "咋弄", "怎么弄", "咋办", "怎么办", "咋个", "怎么", "咋", "怎么",
	"啥子", "什么", "啥", "什么", "多会儿", "什么时候", "多咱", "什么时候",
	// 西南官话: 好多 = 多少 (好多钱, 电话好多), 钟头 = 小时, 没得 = 没有.
	"好多钱", "多少钱", "电话好多", "电话多少", "号码好多", "号码多少", "要好多", "要多少", "有好多", "有多少",
	"好多天", "多少天", "好多个", "多少个", "好多号", "多少号", "费好多", "费多少",
	"一个钟头", "一小时", "个钟头", "小时", "钟头", "小时", "有没得", "有没有", "没得", "没有",
	"多钱", "多少钱",
	"头一回", "第一次", "头一次", "第一次", "头回", "第一次", "第一回", "第一次",
	"平常", "平时", "瞅病", "看病", "瞧病", "看病", "瞅", "看", "瞧", "看",
	// 冀鲁官话: 恁 = 你 / 你们 (恁那停车要钱不, 恁这能看不).
	"恁那", "你们那里", "恁这", "你们这里", "恁们", "你们", "恁家", "你们", "恁", "你",
	"俺", "我", "娃娃", "孩子", "娃儿", "孩子", "娃", "孩子",
	// 粤语 / 南方口语.
	"几多钱", "多少钱", "几钱", "多少钱", "几多", "多少", "几耐", "多久", "几时", "什么时候",
	"有冇", "有没有", "系咪", "是不是", "冇", "没有", "乜嘢", "什么", "咩", "什么", "点样", "怎么", "点办", "怎么办",
	"边度", "哪里", "边个", "哪个", "喺", "在", "睇", "看", "攞", "拿", "唔该", "", "唔", "不",
	"细路仔", "孩子", "细路", "孩子", "小朋友", "孩子",
	// 粤语: 边科 / 边间 = 哪科 / 哪间, 咗 = 了, 嘅 = 的, 哋 = 们, 嚟 = 来, 搵 = 找,
	// 佢 = 他, 咁 = 那, 点算 = 怎么办, 下昼 / 晏昼 = 下午, 朝早 = 上午, 夜晚 = 晚上.
	"你哋度", "你们这里", "我哋度", "我们这里", "呢度", "这里", "嗰度", "那里",
	"边科", "哪科", "边间", "哪间", "边位", "哪位", "边日", "哪天", "边一科", "哪一科",
	"咗", "了", "嘅", "的", "你哋", "你们", "我哋", "我们", "佢哋", "他们", "哋", "们", "嚟", "来", "搵", "找", "揾", "找", "佢", "他",
	"咁", "那", "点算", "怎么办", "下昼", "下午", "晏昼", "下午", "朝早", "上午", "夜晚", "晚上",
	// 吴语 (上海话 / 江浙): 几钿 = 多少钱, 侬 = 你, 阿拉 = 我们, 小囡 = 孩子, 晓得 = 知道.
	"老价钿", "多少钱", "几钿", "多少钱", "价钿", "价格",
	// 钞票 = 钱 (多少钞票, 几钞票), 介 = 这么 (介贵, 介长).
	"多少钞票", "多少钱", "几钞票", "多少钱", "钞票", "钱", "介贵", "这么贵", "介长", "这么长",
	"侬", "你", "阿拉", "我们", "小囡囡", "孩子", "小囡", "孩子", "囡囡", "孩子",
	"晓得伐", "知道吗", "晓得", "知道", "啥辰光", "什么时候", "辰光", "时候",
	// 湘鄂 (湖南 / 湖北): 么子 = 什么, 么样 = 怎么(样), 冒得 = 没有, 伢 = 孩子.
	// Standard words containing these pieces map to themselves first.
	"什么样", "什么样", "怎么样", "怎么样", "这么样", "这么样", "那么样", "那么样", "多么样", "多么样",
	"什么子", "什么子", "感冒得", "感冒得",
	"么样办", "怎么办", "么样搞", "怎么办", "么样弄", "怎么弄", "么样", "怎么样", "么子", "什么",
	"有冒得", "有没有", "冒得", "没有", "伢儿", "孩子", "伢崽", "孩子", "伢", "孩子",
	// 西北 (陕甘宁): 撒 = 啥 (挂撒科, 是撒), 克 = 去 before a verb (克抽血),
	// 尻子 = 屁股, 解手 = 大小便, 心口 = 胃 (心口疼 is stomach pain).
	"撒尿", "撒尿", "撒谎", "撒谎", "撒娇", "撒娇",
	"挂撒科", "挂什么科", "看撒科", "看什么科", "撒科", "什么科", "撒时候", "什么时候", "是撒", "是什么", "干撒", "干什么", "为撒", "为什么", "撒东西", "什么东西",
	"克抽", "去抽", "克做", "去做", "克拍", "去拍", "克查", "去查", "克看", "去看", "克挂", "去挂", "克拿", "去拿", "克医院", "去医院", "克哪", "去哪",
	// 京津 (北京 / 天津): 多儿钱 = 多少钱, 嘛 = 什么 (挂嘛科, 嘛时候; see tianjinWhat),
	// 咱 = the patient's side, here the hospital (咱医院, 咱这儿), 甭 = 不用,
	// 波棱盖儿 = 膝盖, 大夫 stays (a doctor).
	"多儿钱", "多少钱", "多钱儿", "多少钱", "多儿", "多少",
	"咱们医院", "你们医院", "咱医院", "你们医院", "咱这儿", "你们这里", "咱们这儿", "你们这里", "咱这", "你们这里", "咱们这", "你们这里",
	"甭", "不用", "波棱盖儿", "膝盖", "波棱盖", "膝盖", "波罗盖儿", "膝盖", "波罗盖", "膝盖", "胳肢窝", "腋窝",
	"尻子", "屁股", "解手有血", "大便有血", "解大手", "大便", "心口疼", "胃疼", "心口痛", "胃痛",
)

// northwestI is 额 = 我 opening a message (额是农村的, 额妈): not 额头,
// 额度, 额外, 额定 ...
func northwestI(n string) string {
	if !strings.HasPrefix(n, "额") {
		return n
	}
	rest := n[len("额"):]
	if r, _ := utf8.DecodeRuneInString(rest); r == utf8.RuneError || strings.ContainsRune("头度外定温角叶部面窦满", r) {
		return n
	}
	return "我" + rest
}

// tianjinWhat reads 嘛 inside a message as 什么 (京津: 挂嘛科, 嘛时候出诊,
// 要带嘛材料, 有嘛不一样): 嘛 followed by a Han character other than a
// particle, and not after 了 (说好了嘛我等了半天). 嘛 ending the message
// stays a question particle (Colloquial turns it into 吗); 干嘛 reads as
// 干什么 either way.
func tianjinWhat(n string) string {
	i := strings.Index(n, "嘛")
	if i < 0 {
		return n
	}
	var b strings.Builder
	for i >= 0 {
		rest := n[i+len("嘛"):]
		r, _ := utf8.DecodeRuneInString(rest)
		p, _ := utf8.DecodeLastRuneInString(n[:i])
		b.WriteString(n[:i])
		if r != utf8.RuneError && isCJK(r) && !strings.ContainsRune("嘛吗呢啊呀哈", r) && p != '了' {
			b.WriteString("什么")
		} else {
			b.WriteString("嘛")
		}
		n = rest
		i = strings.Index(n, "嘛")
	}
	b.WriteString(n)
	return b.String()
}

// placeInsurance matches a province or large city naming where a patient is
// insured (我是重庆的医保, 河南那边的社保): insurance from elsewhere, 异地医保.
var placeInsurance = regexp.MustCompile(`(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古?|广西|西藏|宁夏|新疆|香港|澳门|成都|广州|深圳|武汉|西安|南京|杭州|长沙|郑州|沈阳|昆明|贵阳|南宁|合肥|福州|南昌|济南|太原|石家庄|兰州|西宁|银川|乌鲁木齐|拉萨|海口|哈尔滨|长春|呼和浩特|大连|青岛|厦门|苏州|宁波|东莞|佛山)(省|市)?(\p{Han}{2,3}?市?)??(那边|那里|当地|老家)?(的)?(医保|社保)`)

// insurancePlace matches insurance said to be from a province (社保系广西嘅,
// 医保是河南的): insurance from elsewhere.
var insurancePlace = regexp.MustCompile(`(医保|社保)(卡)?(是|系|在|属于)(北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古?|广西|西藏|宁夏|新疆|香港|澳门)(省)?(那边|那里|老家)?(的)?`)

// Colloquial rewrites normalised patient text (see Normalize) into standard
// phrasing: regional words become their common equivalents and a question
// particle 不/没/嘛/伐/哇 at the end (有门诊不, 能报不, 好结算伐) becomes 吗. Apply it to what a
// patient typed, never to the hospital's own data.
func Colloquial(n string) string {
	if n == "" {
		return n
	}
	n = tianjinWhat(northwestI(colloquial.Replace(n)))
	n = pinyinParticle(n)
	if strings.Contains(n, "保") {
		n = placeInsurance.ReplaceAllString(n, "异地${6}")
		n = insurancePlace.ReplaceAllString(n, "异地${1}")
	}
	rs := []rune(n)
	// 湘鄂 sentence-final particles 咯/啰 (挂什么科咯, 好了啰) carry no meaning.
	for len(rs) >= 3 && (rs[len(rs)-1] == '咯' || rs[len(rs)-1] == '啰') {
		rs = rs[:len(rs)-1]
	}
	if len(rs) >= 3 {
		last, prev := rs[len(rs)-1], rs[len(rs)-2]
		switch {
		case last == '嘛' || last == '伐' || last == '哇':
			rs[len(rs)-1] = '吗'
		case (last == '不' || last == '没') && !strings.ContainsRune("不没要可对还差", prev):
			rs[len(rs)-1] = '吗'
		}
		n = string(rs)
	}
	return n
}

// pinyinParticle writes a sentence-final particle typed in pinyin as its
// own word (xcg ne, ct ma) in characters: 呢, 吗.
func pinyinParticle(n string) string {
	i := strings.LastIndexByte(n, ' ')
	if i <= 0 {
		return n
	}
	switch n[i+1:] {
	case "ne":
		return n[:i] + "呢"
	case "ma":
		return n[:i] + "吗"
	}
	return n
}

// Query normalises what a patient typed: Normalize, then Colloquial.
func Query(s string) string { return Colloquial(Normalize(s)) }
