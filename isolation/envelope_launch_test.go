package isolation

import "testing"

func TestLaunchOf(t *testing.T) {
	t.Parallel()
	env, err := Seal(fuzzKey, testPlugin, testLaunch, Request{Seq: 1, ID: 1, Cmd: "ping"})
	if err != nil {
		t.Fatal(err)
	}
	if id, ok := LaunchOf(env); !ok || id != testLaunch {
		t.Fatalf("LaunchOf(sealed) = %q, %v; want %q", id, ok, testLaunch)
	}
	for _, bad := range []string{"", "w2.", "w1.a.b.c.d", "w2.YQ.!!.b.c", "w2.YQ..b.c", "{}", "w2.YQ.YQ.b"} {
		if id, ok := LaunchOf([]byte(bad)); ok {
			t.Errorf("LaunchOf(%q) = %q, true; want false", bad, id)
		}
	}
}
