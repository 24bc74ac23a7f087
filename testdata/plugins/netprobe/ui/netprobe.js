"use strict";
// The ids of anchors the user (or the test, through the X server) really
// clicked, so that the test knows its clicks landed.
window.trustedClicks = [];
document.addEventListener("click", function (e) {
  if (e.isTrusted && e.target && e.target.id) window.trustedClicks.push(e.target.id);
}, true);
// window.probe(target, kinds) adds, from script, the links the static
// page has, pointed at target ("127.0.0.1:port"), and with kinds "all"
// also clicks every anchor, as a
// plugin would that tries to reach the network without the http
// permission. It reports what it did; the test's listener says what
// reached it.
window.probe = async function (target, kinds) {
  const done = [];
  const link = (rel, href, cors) => {
    const l = document.createElement("link");
    l.rel = rel;
    l.href = href;
    if (cors) l.crossOrigin = "anonymous";
    document.head.appendChild(l);
    done.push(rel + " " + href);
  };
  link("preconnect", "http://" + target + "/script-preconnect");
  link("preconnect", "http://" + target + "/script-preconnect-cors", true);
  link("dns-prefetch", "//" + target + "/");
  link("prefetch", "http://" + target + "/script-prefetch");
  if (kinds !== "all") {
    await new Promise((r) => setTimeout(r, 1500));
    return done;
  }
  const a = document.createElement("a");
  a.href = "http://" + target + "/script-blank";
  a.target = "_blank";
  document.body.appendChild(a);
  for (const el of [a, document.getElementById("blank"), document.getElementById("ping"), document.getElementById("same")]) {
    el.dispatchEvent(new MouseEvent("mouseover", { bubbles: true }));
    el.click();
    done.push("click " + el.href);
  }
  // Give the network process time to act on what it was asked.
  await new Promise((r) => setTimeout(r, 1500));
  return done;
};
