package search

import (
	"reflect"
	"testing"

	"github.com/hospital/wxbot/knowledge"
)

func smallData() *knowledge.Data {
	return &knowledge.Data{
		Prices: []knowledge.PriceItem{
			{Name: "血常规(五分类)"}, {Name: "头颅CT平扫"}, {Name: "降钙素原(PCT)"},
			{Name: "头颅磁共振平扫"}, {Name: "膝关节核磁共振平扫"}, {Name: "阿莫西林胶囊 0.25g*24粒"},
		},
		Departments: []knowledge.Department{{Name: "普通外科", Aliases: []string{"外科"}}, {Name: "神经外科"}, {Name: "内分泌科"}},
		Schedules:   []knowledge.ClinicSession{{Department: "神经外科", Doctor: "王建国"}, {Department: "普通外科", Doctor: "王建华"}},
		Synonyms:    [][]string{{"磁共振", "核磁共振", "MRI"}},
	}
}

func TestUnits(t *testing.T) {
	got := Units("阿莫西林胶囊0.25g*24粒")
	want := []string{"阿", "莫", "西", "林", "胶", "囊", "0.25g", sep, "24", "粒"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Units = %q, want %q", got, want)
	}
}

func TestItemsLatinWordsAreWhole(t *testing.T) {
	x := Build(smallData())
	hs := x.Items("ct")
	if len(hs) != 1 || hs[0].ID != 1 {
		t.Fatalf("ct should match the CT scan only, got %+v", hs)
	}
}

func TestItemsSynonyms(t *testing.T) {
	x := Build(smallData())
	hs := x.Items("mri")
	if len(hs) < 2 || hs[0].Query < 0.9 || hs[1].Query < 0.9 {
		t.Fatalf("MRI should reach 磁共振 and 核磁共振 items: %+v", hs)
	}
}

func TestCorrectTyposAndPinyin(t *testing.T) {
	x := Build(smallData())
	for in, want := range map[string]string{"血长规": "血常规", "xuechanggui": "血常规", "xcg": "血常规", "头颅ct": "头颅ct"} {
		if got := x.Correct(in); got != want {
			t.Errorf("Correct(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestDepartmentsPreferLongestMention(t *testing.T) {
	x := Build(smallData())
	if got := x.Departments("神经外科在哪"); !reflect.DeepEqual(got, []int{1}) {
		t.Errorf("Departments = %v, want [1] (not 外科)", got)
	}
	if got := x.DepartmentsLoose("内分泌那个"); !reflect.DeepEqual(got, []int{2}) {
		t.Errorf("DepartmentsLoose = %v, want [2]", got)
	}
	if got := x.DoctorsBySurname("王"); len(got) != 2 {
		t.Errorf("DoctorsBySurname = %v", got)
	}
}

func TestCovers(t *testing.T) {
	x := Build(smallData())
	if !x.Covers("血常规", "血常规") || x.Covers("头颅ct", "头颅ct平扫") || !x.Covers("核磁共振", "磁共振") {
		t.Error("Covers wrong")
	}
}
