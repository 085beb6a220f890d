package knowledge

import (
	"bytes"
	"errors"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/unicode"
)

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// errEncoding is returned when a file is neither UTF-8 nor GB18030.
var errEncoding = errors.New("file is neither UTF-8 nor GB18030/GBK text")

// decodeText turns a data file's bytes into a string. The encoding is
// detected, never configured: a UTF-8 BOM is dropped; a UTF-16 BOM (Excel's
// "Unicode text") selects UTF-16; valid UTF-8 is taken as UTF-8; anything else
// is decoded as GB18030 (a superset of GBK and GB2312).
func decodeText(raw []byte) (string, error) {
	switch {
	case bytes.HasPrefix(raw, bomUTF8):
		raw = raw[len(bomUTF8):]
		if !utf8.Valid(raw) {
			return "", errEncoding
		}
		return string(raw), nil
	case bytes.HasPrefix(raw, bomUTF16LE), bytes.HasPrefix(raw, bomUTF16BE):
		out, err := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder().Bytes(raw)
		if err != nil {
			return "", errEncoding
		}
		return string(out), nil
	case utf8.Valid(raw):
		return string(raw), nil
	}
	out, err := simplifiedchinese.GB18030.NewDecoder().Bytes(raw)
	if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
		return "", errEncoding
	}
	return string(out), nil
}

// splitLines splits decoded text into lines without their line endings
// (\n, \r\n or a lone \r).
func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}
