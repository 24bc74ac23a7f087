package js

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestBridge plays each scenario of testdata/bridge_harness.js against
// bridge.js in a fake page and compares what the page observed.
func TestBridge(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"frame", `{"frames":1,"attached":true,"sandbox":"allow-scripts","src":"isolation://test.plugin/",
			"display":"none !important","ariaHidden":"true","pluginId":"test.plugin"}`},
		{"queuedBeforeReady", `{"before":0,
			"sent":[{"msg":{"id":1,"cmd":"storage.get","args":{"key":"k"}},"origin":"*"},{"msg":{"id":2,"cmd":"ping"},"origin":"*"}],
			"a":{"state":"resolved","value":{"v":42}},"b":{"state":"resolved","value":"pong"},
			"c":"pending","afterReady":[{"id":3,"cmd":"after.ready","args":[1]}]}`},
		{"settleById", `[{"state":"resolved","value":"one"},{"state":"pending"},{"state":"resolved","value":"three"}]`},
		{"errorCodes", `{
			"notGranted":{"state":"rejected","name":"WardenError","code":"not_granted","message":"storage is not granted"},
			"notDeclared":{"state":"rejected","name":"WardenError","code":"not_declared","message":"fs.read is not declared"},
			"hook":{"state":"rejected","name":"WardenError","code":"isolation","message":"hook: storage.delete is not allowed"},
			"notJSON":{"state":"rejected","name":"WardenError","code":"isolation","message":"<prefix>reply is not JSON: "},
			"noResult":{"state":"resolved","value":null},
			"noCode":{"state":"rejected","name":"WardenError","code":"failed","message":"request failed"},
			"object":{"state":"resolved","value":[1,2]}}`},
		{"otherSources", `{"postedAfterForgedReady":0,"afterForged":"pending","final":{"state":"resolved","value":"real"}}`},
		{"hostilePage", `{"postedAfterForgery":0,"posted":[{"id":1,"cmd":"a","args":{"n":1}},{"id":2,"cmd":"b"}],
			"p":{"state":"resolved","value":{"fine":true}},
			"q":{"state":"rejected","name":"WardenError","code":"not_granted","message":"no"}}`},
		{"badArgs", `{"posted":0,"r":{
			"noCmd":{"state":"rejected","name":"WardenError","code":"bad_args","message":"warden.invoke: cmd must be a non-empty string"},
			"emptyCmd":{"state":"rejected","name":"WardenError","code":"bad_args","message":"warden.invoke: cmd must be a non-empty string"},
			"numberCmd":{"state":"rejected","name":"WardenError","code":"bad_args","message":"warden.invoke: cmd must be a non-empty string"},
			"uncloneable":{"state":"rejected","name":"WardenError","code":"bad_args","message":"<prefix>warden.invoke: args cannot be sent: "}}}`},
		{"argsCopied", `[{"id":1,"cmd":"a","args":{"list":[1]}}]`},
		{"neverReady", `{"beforeTimer":"pending","timers":1,
			"a":{"state":"rejected","name":"WardenError","code":"isolation","message":"isolation frame did not start"},
			"b":{"state":"rejected","name":"WardenError","code":"isolation","message":"isolation frame did not start"},
			"c":"pending","posted":[{"id":2,"cmd":"c"}]}`},
		{"readyThenLoad", `{"timers":0}`},
		{"listen", `{"got":[["one",1],["three",1],["three",{"n":2}],["other","as string"]],
			"reported":["listener broke","listener broke"],"badEvent":"threw TypeError","badFn":"threw TypeError"}`},
		{"listenNoReportError", `{"rethrown":"boom"}`},
		{"unlistenDuringDispatch", `["one:1","two:1","one:2"]`},
		{"frozen", `{"assign":true,"deleteIt":true,
			"redefine":{"how":"threw TypeError","intact":true},
			"replaceInvoke":{"how":"threw TypeError","intact":true},
			"addMember":{"how":"threw TypeError","intact":true},
			"changeInvokeFn":{"how":"threw TypeError","intact":true},
			"replaceEvent":true,"redefineEvent":"threw TypeError",
			"same":true,"isFrozen":true,"writable":false,"configurable":false,
			"eventWritable":false,"eventConfigurable":false,"eventEnumerable":false,
			"keys":["invoke","listen","pluginId"]}`},
		{"injectedTwice", `{"frames":1,"same":true}`},
		{"lateRoot", `{"attachedEarly":false,"attachedLate":true,"posted":[{"id":1,"cmd":"early"}],"p":"pending"}`},
		{"noWindow", `{"state":"rejected","name":"WardenError","code":"isolation","message":"isolation frame did not start"}`},
	}
	names := make([]string, len(tests))
	for i, tt := range tests {
		names[i] = tt.name
	}
	out := runNode(t, "testdata/bridge_harness.js", map[string]any{"scenarios": names, "bridge": Bridge})
	var got map[string]json.RawMessage
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("harness output: %v\n%s", err, out)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g, ok := got[tt.name]
			if !ok {
				t.Fatal("harness did not run the scenario")
			}
			g = trimPrefixed(t, g, []byte(tt.want))
			if !sameJSON(t, g, []byte(tt.want)) {
				t.Errorf("got  %s\nwant %s", g, tt.want)
			}
		})
	}
}

// trimPrefixed lets a want string "<prefix>text" match any got string
// starting with text (engine-specific error details follow): it rewrites
// such got strings to the want form before comparing.
func trimPrefixed(t *testing.T, got, want []byte) []byte {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("got is not JSON: %v: %s", err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatalf("want is not JSON: %v: %s", err, want)
	}
	b, err := json.Marshal(rewritePrefixed(g, w))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func rewritePrefixed(g, w any) any {
	switch wv := w.(type) {
	case string:
		if p, ok := strings.CutPrefix(wv, "<prefix>"); ok {
			if gs, isStr := g.(string); isStr && strings.HasPrefix(gs, p) {
				return wv
			}
		}
	case map[string]any:
		if gm, ok := g.(map[string]any); ok {
			for k, v := range gm {
				gm[k] = rewritePrefixed(v, wv[k])
			}
		}
	case []any:
		if ga, ok := g.([]any); ok {
			for i := range ga {
				if i < len(wv) {
					ga[i] = rewritePrefixed(ga[i], wv[i])
				}
			}
		}
	}
	return g
}
