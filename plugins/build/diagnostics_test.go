package build

import (
	"path/filepath"
	"testing"
)

func TestASCDiagnostics(t *testing.T) {
	base := filepath.FromSlash("/p")
	src := filepath.Join(base, "backend")
	// asc 0.28's output for two errors and a warning.
	out := "ERROR TS2304: Cannot find name 'zz'.\n" +
		"   :\n 8 │ return zz;\n   │        ~~\n   └─ in assembly/index.ts(8,10)\n\n" +
		"WARNING AS235: Only variables, functions and enums become WebAssembly module exports.\n" +
		"   :\n 2 │ export class A {}\n   └─ in assembly/index.ts(2,1)\n\n" +
		"ERROR TS2322: Type '~lib/string/String' is not assignable to type 'i32'.\n" +
		"   :\n 3 │ return \"x\";\n   └─ in assembly/lib/util.ts(3,10)\n\n" +
		"FAILURE 2 compile error(s)\n"
	got := ascDiagnostics(out, src, base)
	want := []Diagnostic{
		{File: "backend/assembly/index.ts", Line: 8, Column: 10, Message: "Cannot find name 'zz'. [TS2304]"},
		{File: "backend/assembly/lib/util.ts", Line: 3, Column: 10, Message: "Type '~lib/string/String' is not assignable to type 'i32'. [TS2322]"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
	if s := got[0].String(); s != "backend/assembly/index.ts:8:10: Cannot find name 'zz'. [TS2304]" {
		t.Errorf("String() = %q", s)
	}
}

func TestGoDiagnostics(t *testing.T) {
	base := filepath.FromSlash("/p")
	pkg := filepath.Join(base, "backend")
	out := "# example.com/p/backend\n./main.go:5:2: undefined: x\n./util.go:9: syntax error: unexpected }\n/elsewhere/lib.go:1:1: outside\nnote: module requires Go 1.99\n"
	got := goDiagnostics(out, pkg, base)
	want := []Diagnostic{
		{File: "backend/main.go", Line: 5, Column: 2, Message: "undefined: x"},
		{File: "backend/util.go", Line: 9, Message: "syntax error: unexpected }"},
		{File: "/elsewhere/lib.go", Line: 1, Column: 1, Message: "outside"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("[%d] = %+v, want %+v", i, got[i], want[i])
		}
	}
}
