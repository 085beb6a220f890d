// Package demo embeds the data of a fictional demo hospital (澜川市中心医院) in
// the contract's file formats: prices.csv, departments.csv, schedules.csv,
// processes/*.md, faq.yaml and synonyms.txt, plus hospital.txt with the
// hospital's name. `serve` without a config loads it so the service answers
// realistic questions out of the box.
//
// The hospital, its prices, doctors, locations and phone numbers are invented;
// prices are in the range of a Chinese tier-3 public hospital.
package demo

import (
	"embed"
	"io/fs"
	"strings"
)

//go:embed data
var files embed.FS

// FS returns the demo data as a read-only file system rooted at the data
// folder, laid out as a knowledge folder (prices.csv, processes/*.md ...);
// pass it to knowledge.ParseFS.
func FS() fs.FS {
	sub, err := fs.Sub(files, "data")
	if err != nil {
		// fs.Sub fails only for an invalid path; "data" is a constant.
		panic("demo: " + err.Error())
	}
	return sub
}

// Name returns the demo hospital's name, e.g. for knowledge.Data.Hospital.
func Name() string {
	raw, err := files.ReadFile("data/hospital.txt")
	if err != nil {
		// hospital.txt is embedded at build time; a missing file fails the build.
		panic("demo: " + err.Error())
	}
	return strings.TrimSpace(strings.TrimPrefix(string(raw), "\ufeff"))
}
