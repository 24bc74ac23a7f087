package main

import (
	"reflect"
	"testing"
)

func TestCount(t *testing.T) {
	for _, tt := range []struct {
		name, text string
		want       Stats
	}{
		{"empty", "", Stats{Top: []WordCount{}}},
		{"one line, no newline", "Hello", Stats{Lines: 1, Words: 1, Characters: 5, Top: []WordCount{{"hello", 1}}}},
		{"newline only", "\n", Stats{Lines: 1, Characters: 1, Top: []WordCount{}}},
		{
			"case folded, ties alphabetical",
			"The cat and the hat.\nThe END\n",
			Stats{Lines: 2, Words: 7, Characters: 29, Top: []WordCount{{"the", 3}, {"and", 1}, {"cat", 1}, {"end", 1}, {"hat", 1}}},
		},
		{
			"apostrophes and unicode",
			"l'été, don't 'quote' — café café",
			Stats{Lines: 1, Words: 5, Characters: 32, Top: []WordCount{{"café", 2}, {"don't", 1}, {"l'été", 1}, {"quote", 1}}},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			got := Count("", tt.text)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Count(%q) = %+v, want %+v", tt.text, got, tt.want)
			}
		})
	}
}

func TestCountKeepsTopTen(t *testing.T) {
	text := "a b c d e f g h i j k l a"
	got := Count("x.txt", text)
	if got.Name != "x.txt" || got.Words != 13 || len(got.Top) != topWords || got.Top[0] != (WordCount{"a", 2}) || got.Top[9].Word != "j" {
		t.Fatalf("%+v", got)
	}
}

func FuzzCount(f *testing.F) {
	f.Add("The cat\nand the hat")
	f.Add("\xff\xfe'''")
	f.Fuzz(func(t *testing.T, text string) {
		s := Count("", text)
		if s.Words < 0 || s.Lines < 0 || s.Characters < s.Lines || len(s.Top) > topWords {
			t.Fatalf("%+v", s)
		}
		sum := 0
		for _, w := range s.Top {
			sum += w.Count
		}
		if sum > s.Words {
			t.Fatalf("top words count %d of %d words", sum, s.Words)
		}
	})
}
