package plugintest

// TinyWasm returns a valid WebAssembly module of a few hundred bytes that
// Warden runs like a plugin backend: its one command, greet, answers with
// its input unchanged (it points Extism's output at the input), and a
// custom section says what it is. It compiles in milliseconds where a Go
// backend takes seconds, and much longer under the race detector.
func TinyWasm() []byte {
	m := []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}
	m = section(m, 0, cat(name("warden-test"), []byte("stand-in backend: greet echoes its input")))
	// Types: 0 () -> i64, 1 (i64, i64) -> (), 2 () -> i32.
	m = section(m, 1, cat([]byte{3},
		[]byte{0x60, 0, 1, 0x7e},
		[]byte{0x60, 2, 0x7e, 0x7e, 0},
		[]byte{0x60, 0, 1, 0x7f}))
	// Imports (functions 0-2): the Extism kernel's input and output.
	const env = "extism:host/env"
	m = section(m, 2, cat([]byte{3},
		name(env), name("input_offset"), []byte{0x00, 0},
		name(env), name("input_length"), []byte{0x00, 0},
		name(env), name("output_set"), []byte{0x00, 1}))
	// Function 3 (greet) has type 2.
	m = section(m, 3, []byte{1, 2})
	// One memory of one page.
	m = section(m, 5, []byte{1, 0x00, 1})
	m = section(m, 7, cat([]byte{2}, name("memory"), []byte{0x02, 0}, name("greet"), []byte{0x00, 3}))
	// greet: output_set(input_offset(), input_length()); return 0.
	body := []byte{0, 0x10, 0, 0x10, 1, 0x10, 2, 0x41, 0, 0x0b}
	m = section(m, 10, cat([]byte{1}, uleb(len(body)), body))
	return m
}

// section appends the section id with content.
func section(m []byte, id byte, content []byte) []byte {
	m = append(m, id)
	m = append(m, uleb(len(content))...)
	return append(m, content...)
}

// name encodes a wasm name.
func name(s string) []byte { return append(uleb(len(s)), s...) }

// uleb encodes n as unsigned LEB128.
func uleb(n int) []byte {
	var out []byte
	for {
		b := byte(n & 0x7f)
		n >>= 7
		if n == 0 {
			return append(out, b)
		}
		out = append(out, b|0x80)
	}
}

// cat concatenates parts.
func cat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
