package main

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// topWords is how many of the most common words Count reports.
const topWords = 10

// Stats describes one text.
type Stats struct {
	Name       string      `json:"name"`
	Lines      int         `json:"lines"`
	Words      int         `json:"words"`
	Characters int         `json:"characters"`
	Top        []WordCount `json:"top"`
}

// WordCount is a word and how often it occurs.
type WordCount struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

// Count computes the statistics of text: lines as wc -l counts them plus a
// last line without a newline, words as runs of letters, digits and
// apostrophes, case-folded for the most common ones (ties in alphabetical
// order), and characters as Unicode code points. Invalid UTF-8 counts one
// character per bad byte. It costs one pass and a map of distinct words.
func Count(name, text string) Stats {
	s := Stats{Name: name, Characters: utf8.RuneCountInString(text), Top: []WordCount{}}
	s.Lines = strings.Count(text, "\n")
	if text != "" && !strings.HasSuffix(text, "\n") {
		s.Lines++
	}
	counts := map[string]int{}
	for w := range strings.FieldsFuncSeq(text, notWord) {
		w = strings.Trim(w, "'")
		if w == "" {
			continue
		}
		s.Words++
		counts[strings.ToLower(w)]++
	}
	for w, n := range counts {
		s.Top = append(s.Top, WordCount{Word: w, Count: n})
	}
	slices.SortFunc(s.Top, func(a, b WordCount) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), strings.Compare(a.Word, b.Word))
	})
	if len(s.Top) > topWords {
		s.Top = s.Top[:topWords]
	}
	return s
}

// notWord reports whether r separates words.
func notWord(r rune) bool {
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '\''
}
