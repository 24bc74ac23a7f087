package isolation

import (
	"strings"
	"testing"
)

// TestHookScriptsOrder: the chain first, then every hook without User,
// the lock, every User hook and the end, whatever order they are given
// in; each hook keeps its index in the chain's list.
func TestHookScriptsOrder(t *testing.T) {
	t.Parallel()
	got := HookScripts([]Hook{
		{Name: "user.js", Script: "USER", User: true},
		{Name: "admin.js", Script: "ADMIN"},
		{Name: "admin2.js", Script: "ADMIN2"},
	})
	want := []string{"__WARDEN_HOOK_CHAIN__.add(0, function () {\nADMIN\n});\n",
		"__WARDEN_HOOK_CHAIN__.add(1, function () {\nADMIN2\n});\n",
		"__WARDEN_HOOK_CHAIN__.lock();\n",
		"__WARDEN_HOOK_CHAIN__.add(2, function () {\nUSER\n});\n",
		"__WARDEN_HOOK_CHAIN__.done();\n"}
	if len(got) != len(want)+1 {
		t.Fatalf("%d scripts, want %d", len(got), len(want)+1)
	}
	if !strings.Contains(got[0], `})(window, [{"name":"admin.js","user":false},{"name":"admin2.js","user":false},{"name":"user.js","user":true}]);`) {
		t.Errorf("the chain does not list the hooks in load order:\n%s", got[0][len(got[0])-200:])
	}
	for i, w := range want {
		if got[i+1] != w {
			t.Errorf("script %d = %q, want %q", i+1, got[i+1], w)
		}
	}
	// Without a user hook the chain still locks, at the end.
	if got := HookScripts([]Hook{{Name: "a", Script: "A"}}); len(got) != 3 || got[2] != "__WARDEN_HOOK_CHAIN__.done();\n" {
		t.Errorf("admin hook alone: %q", got[1:])
	}
}

// TestHookScriptsNameIsData: a hook's name (a path a user's policy
// chooses) reaches the chain as a JSON string, never as code.
func TestHookScriptsNameIsData(t *testing.T) {
	t.Parallel()
	name := `/tmp/x"}]);evil();//</script>` + "\u2028"
	got := HookScripts([]Hook{{Name: name, Script: "", User: true}})[0]
	if strings.Contains(got, `evil();//</script>`) || !strings.Contains(got, `x\"}]);evil();//\u003c/script\u003e\u2028`) {
		t.Errorf("name not escaped:\n%s", got[len(got)-200:])
	}
}
