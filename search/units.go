package search

import (
	"unicode"
	"unicode/utf8"
)

// sep marks a boundary inside a unit sequence (punctuation, parentheses);
// matches never run across it.
const sep = ""

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool {
	// Fast paths: nothing below U+2E80 is Han, and U+4E00..U+9FFF (the
	// common CJK block) all is; the table decides the rest.
	if r < 0x2E80 {
		return false
	}
	if r >= 0x4E00 && r <= 0x9FFF {
		return true
	}
	return unicode.Is(unicode.Han, r)
}

// isWordRune reports whether r belongs in a Latin/digit token.
func isWordRune(r rune) bool {
	return !isHan(r) && (unicode.IsLetter(r) || unicode.IsDigit(r))
}

// Units splits normalised text into matching units: one unit per Chinese
// character, one per Latin/digit token ("ct", "0.5g", "100ml"), and sep for
// punctuation that separates words. Spaces are dropped.
func Units(s string) []string {
	out := make([]string, 0, len(s)/2)
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case isHan(r):
			out = append(out, s[i:i+n])
			i += n
		case isWordRune(r):
			j := i + n
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if isWordRune(r2) {
					j += n2
					continue
				}
				// A decimal point inside a number stays in the token.
				if r2 == '.' && j+1 < len(s) && s[j+1] >= '0' && s[j+1] <= '9' && s[j-1] >= '0' && s[j-1] <= '9' {
					j++
					continue
				}
				break
			}
			out = append(out, s[i:j])
			i = j
		case r == ' ':
			i += n
		default:
			if len(out) > 0 && out[len(out)-1] != sep {
				out = append(out, sep)
			}
			i += n
		}
	}
	for len(out) > 0 && out[len(out)-1] == sep {
		out = out[:len(out)-1]
	}
	return out
}

// isLatin reports whether a unit is a Latin/digit token.
func isLatin(u string) bool {
	if u == "" {
		return false
	}
	r, _ := utf8.DecodeRuneInString(u)
	return !isHan(r)
}

// hasLetter reports whether a token contains a letter.
func hasLetter(u string) bool {
	for _, r := range u {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// join concatenates units back into text.
func join(us []string) string {
	n := 0
	for _, u := range us {
		n += len(u)
	}
	b := make([]byte, 0, n)
	prevLatin := false
	for _, u := range us {
		if u == sep {
			prevLatin = false
			continue
		}
		l := isLatin(u)
		if l && prevLatin {
			b = append(b, ' ')
		}
		b = append(b, u...)
		prevLatin = l
	}
	return string(b)
}

// unitMatch scores how well query unit q matches document unit d: 1 for
// equal units, 0.8 for a Latin abbreviation that starts a longer token
// ("ct" in "cta"), 0 otherwise.
func unitMatch(q, d string) float64 {
	if q == d {
		if q == sep {
			return 0
		}
		return 1
	}
	if len(q) >= 2 && len(d) > len(q) && isLatin(q) && isLatin(d) && hasLetter(q) && d[:len(q)] == q {
		// Only letters may follow: "ct" ~ "cta", never "0.5" ~ "0.5g"... handled as whole tokens.
		rest := d[len(q):]
		for _, r := range rest {
			if !unicode.IsLetter(r) {
				return 0
			}
		}
		return 0.8
	}
	return 0
}
