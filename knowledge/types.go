// Package knowledge holds the hospital's published data — prices, departments,
// clinic schedules, visiting processes, FAQ and synonyms — with parsing and
// validation of its data files, versioned storage and an atomic swap on import.
package knowledge

import "time"

// Kind names one data file kind of the contract.
type Kind string

// The data kinds, as named by `wxbot import KIND FILE`.
const (
	KindPrices      Kind = "prices"
	KindDepartments Kind = "departments"
	KindSchedules   Kind = "schedules"
	KindProcesses   Kind = "processes"
	KindFAQ         Kind = "faq"
	KindSynonyms    Kind = "synonyms"
)

// Kinds lists every kind in load order.
var Kinds = []Kind{KindPrices, KindDepartments, KindSchedules, KindProcesses, KindFAQ, KindSynonyms}

// PriceItem is one row of prices.csv.
type PriceItem struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	Category  string `json:"category"`  // 挂号 诊查 检查 检验 治疗 手术 护理 床位 药品 材料 ...
	Unit      string `json:"unit"`      // 次, 部位, 盒 ...
	Cents     int64  `json:"cents"`     // price in fen (1/100 yuan); 150.00 yuan = 15000
	Insurance string `json:"insurance"` // 甲 乙 丙 自费
	Note      string `json:"note"`
}

// Department is one row of departments.csv.
type Department struct {
	Name     string   `json:"name"`
	Aliases  []string `json:"aliases"`
	Location string   `json:"location"`
	Phone    string   `json:"phone"`
	Intro    string   `json:"intro"`
}

// ClinicSession is one row of schedules.csv: a doctor's clinic in one period of
// one weekday.
type ClinicSession struct {
	Department string `json:"department"`
	Doctor     string `json:"doctor"`
	Title      string `json:"title"`
	Weekday    int    `json:"weekday"` // 1 = Monday ... 7 = Sunday
	Period     string `json:"period"`  // 上午 下午 夜间
	Location   string `json:"location"`
	Note       string `json:"note"`
}

// Process is one processes/*.md file.
type Process struct {
	ID       string   `json:"id"` // file name without extension
	Title    string   `json:"title"`
	Keywords []string `json:"keywords"`
	Steps    []string `json:"steps"`
}

// FAQEntry is one entry of faq.yaml.
type FAQEntry struct {
	Questions []string `json:"questions"`
	Answer    string   `json:"answer"`
}

// Data is one complete, consistent version of the hospital's data.
type Data struct {
	Hospital    string          `json:"hospital,omitempty"`
	Prices      []PriceItem     `json:"prices"`
	Departments []Department    `json:"departments"`
	Schedules   []ClinicSession `json:"schedules"`
	Processes   []Process       `json:"processes"`
	FAQ         []FAQEntry      `json:"faq"`
	Synonyms    [][]string      `json:"synonyms"`
	// Version increases with every successful import; all instances serve the
	// same version.
	Version int64 `json:"version"`
	// UpdatedAt is when the newest import was applied.
	UpdatedAt time.Time `json:"updated_at"`
}
