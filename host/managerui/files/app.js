"use strict";
// The manager's page. Its only way out is the "manager" message handler,
// which Warden registers in this window alone; plugin text is data here,
// always set with textContent.

const handler = window.webkit && window.webkit.messageHandlers && window.webkit.messageHandlers.manager;

async function call(op, args) {
  if (!handler) throw new Error("this page runs outside Warden's manager window");
  const reply = await handler.postMessage(JSON.stringify(Object.assign({op: op}, args || {})));
  return reply === "" ? null : JSON.parse(reply);
}

function el(tag, props, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (k === "class") e.className = v;
    else if (k === "text") e.textContent = v;
    else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const k of kids) if (k) e.append(k);
  return e;
}

function when(t) {
  const d = new Date(t);
  return isNaN(d) ? "" : d.toLocaleString();
}

function showError(err) {
  const p = document.getElementById("error");
  p.textContent = err ? String(err.message || err) : "";
  p.hidden = !err;
}

// act runs an operation from a button, then shows the new state.
async function act(op, args) {
  showError(null);
  try {
    await call(op, args);
  } catch (err) {
    showError(err);
  }
  await refresh();
}

function pluginItem(p) {
  const state = el("span", {class: "state state-" + p.state, text: p.state + (p.reason ? ": " + p.reason : "")});
  const icon = p.icon
    ? el("img", {class: "icon", src: p.icon, alt: "", width: "32", height: "32"})
    : el("span", {class: "icon icon-none", "aria-hidden": "true", text: (p.name || "?").slice(0, 1).toUpperCase()});
  const top = el("div", {class: "top"},
    icon,
    el("span", {class: "name", text: p.name}),
    el("span", {class: "muted", text: p.version}),
    p.publisher ? el("span", {class: "muted", text: "by " + p.publisher}) : null,
    el("span", {class: "muted", text: p.signed ? "signed" : "unsigned"}),
    state,
    p.running ? el("span", {class: "running", text: "window open"}) : null);
  const label = p.name + " " + p.version;
  const actions = el("div", {class: "actions"},
    p.running
      ? el("button", {type: "button", "aria-label": "Close the window of " + label, text: "Close window", onclick: () => act("close", {id: p.id})})
      : (p.state === "enabled" ? el("button", {type: "button", "aria-label": "Open " + label, text: "Open", onclick: () => act("open", {id: p.id})}) : null),
    p.state === "disabled"
      ? el("button", {type: "button", "aria-label": "Enable " + label, text: "Enable", onclick: () => act("enable", {id: p.id})})
      : el("button", {type: "button", "aria-label": "Disable " + label, text: "Disable", onclick: () => act("disable", {id: p.id})}),
    p.previous && p.previous.length
      ? el("button", {type: "button", "aria-label": "Roll " + label + " back to " + p.previous[0], text: "Roll back to " + p.previous[0], onclick: () => act("rollback", {id: p.id})})
      : null,
    el("button", {type: "button", "aria-label": "Uninstall " + label + " and keep its data", text: "Uninstall (keep data)", onclick: () => act("uninstall", {id: p.id})}),
    el("button", {type: "button", "aria-label": "Uninstall " + label + " and remove its data", text: "Uninstall and remove data", onclick: () => {
      if (window.confirm("Uninstall " + label + " and delete everything it stored? This cannot be undone.")) act("uninstall", {id: p.id, purge: true});
    }}));
  const crash = p.crash_reason ? el("p", {class: "crash"}, el("span", {text: "Last crash " + when(p.crashed_at) + ": " + p.crash_reason + "."})) : null;
  const up = updates.byID[p.id];
  const update = up && up.from === p.version ? el("p", {class: "update"},
    el("span", {text: "Version " + up.version + " is available" + (up.adds.length ? "; it also asks for: " + up.adds.map((a) => a.description || a.name).join("; ") + "." : ".")}),
    el("button", {type: "button", "aria-label": "Update " + label + " to " + up.version, text: "Update to " + up.version + "…", onclick: () => offerUpdate(p.id)})) : null;
  const perms = el("ul", {class: "perms", "aria-label": "Permissions of " + label});
  for (const g of p.grants || []) {
    perms.append(el("li", {class: "perm"},
      el("strong", {text: g.name}),
      el("span", {text: g.description}),
      el("span", {class: "muted", text: "allowed " + when(g.granted_at)}),
      el("button", {type: "button", "aria-label": "Revoke " + g.name + " from " + label, text: "Revoke", onclick: () => act("revoke", {id: p.id, perms: [g.name]})}),
      g.reason ? el("span", {class: "reason muted", text: "The plugin's author says why: “" + g.reason + "”"}) : null));
  }
  for (const ask of p.pending || []) {
    perms.append(el("li", {class: "perm"},
      el("strong", {text: ask.name}),
      el("span", {text: ask.description}),
      el("span", {class: "warn", text: "the update to " + p.version + " asks for it; the plugin is off until you decide"}),
      el("button", {type: "button", "aria-label": "Allow " + ask.name + " for " + label, text: "Allow", onclick: () => act("grant", {id: p.id, perms: [ask.name]})}),
      ask.reason ? el("span", {class: "reason muted", text: "The plugin's author says why: “" + ask.reason + "”"}) : null));
  }
  for (const d of p.denied || []) {
    perms.append(el("li", {class: "perm"}, el("strong", {text: d.name}), el("span", {class: "muted", text: "refused " + when(d.at) + " when the plugin asked"})));
  }
  if (!perms.childElementCount) perms.append(el("li", {class: "perm muted", text: "No permissions granted."}));
  return el("li", {class: "plugin", "data-id": p.id}, top, actions, crash, update, perms);
}

// updates is what the last check of the registry found: by plugin id,
// the newer version and what it adds.
const updates = {byID: {}};

async function checkUpdates() {
  const status = document.getElementById("updates-status");
  status.textContent = "Checking for updates…";
  try {
    const r = await call("updates");
    updates.byID = {};
    for (const u of r.updates) updates.byID[u.id] = u;
    // Without a registry there is nothing to check: newer bundle files
    // are opened like any other.
    document.getElementById("updates-check").hidden = !r.registry;
    if (!r.registry) status.textContent = "";
    else if (r.error) status.textContent = "Could not check " + r.registry + " for updates: " + r.error;
    else status.textContent = r.updates.length === 0 ? "All plugins from " + r.registry + " are up to date."
      : r.updates.length + (r.updates.length === 1 ? " update" : " updates") + " available from " + r.registry + ".";
  } catch (err) {
    status.textContent = "Could not check for updates: " + String(err.message || err);
  }
  await refresh();
}

async function refreshPlugins() {
  const list = await call("list");
  const ul = document.getElementById("plugins");
  // Re-rendering must not lose a keyboard user's place: the focus goes
  // back to the same button, else to the same plugin's first one.
  const had = ul.contains(document.activeElement) ? document.activeElement : null;
  const label = had && had.getAttribute("aria-label");
  const item = had && had.closest(".plugin");
  const pluginID = item && item.dataset.id;
  ul.replaceChildren(...list.map(pluginItem));
  if (had) {
    const again = [...ul.querySelectorAll("button")].find((b) => b.getAttribute("aria-label") === label)
      || [...ul.querySelectorAll(".plugin")].find((li) => li.dataset.id === pluginID)?.querySelector("button");
    if (again) again.focus();
  }
  document.getElementById("empty").hidden = list.length > 0;
  const sel = document.getElementById("audit-plugin");
  const chosen = sel.value;
  sel.replaceChildren(el("option", {value: "", text: "all"}), ...list.map((p) => el("option", {value: p.id, text: p.name})));
  sel.value = list.some((p) => p.id === chosen) ? chosen : "";
}

// sinceTime turns the time filter's choice (hours back, "" for any time)
// into the time the audit view starts at.
function sinceTime(hours) {
  return hours ? new Date(Date.now() - Number(hours) * 3600e3).toISOString() : undefined;
}

async function refreshAudit() {
  const entries = await call("audit", {
    plugin: document.getElementById("audit-plugin").value,
    denied: document.getElementById("audit-denied").checked,
    since: sinceTime(document.getElementById("audit-since").value),
    limit: 50,
  });
  const body = document.querySelector("#audit tbody");
  body.replaceChildren(...entries.map((e) => el("tr", {class: e.allowed ? "" : "denied"},
    el("td", {text: when(e.time) + (e.count > 1 ? " (×" + e.count + ")" : "")}),
    el("td", {text: e.plugin}),
    el("td", {text: e.cmd}),
    el("td", {text: e.cmd === "warden.crash" ? "crashed" : (e.allowed ? "allowed" : "denied")}),
    el("td", {text: e.detail || e.reason || ""}))));
  document.getElementById("audit-empty").hidden = entries.length > 0;
}

// stateChanged is called by Warden when a plugin's window or record
// changed outside this page (a crash, a command in a terminal).
window.stateChanged = function () {
  refresh();
};

async function refresh() {
  try {
    await refreshPlugins();
    await refreshAudit();
  } catch (err) {
    showError(err);
  }
  document.body.dataset.ready = "1";
}

function permItem(p) {
  return el("li", {},
    el("strong", {text: p.description || p.name}),
    el("span", {class: "muted", text: " (" + p.name + (p.scopes && p.scopes.length ? ": " + p.scopes.join(", ") : "") + ")"}),
    p.reason ? el("div", {class: "muted", text: "The plugin's author says why: “" + p.reason + "”"}) : null);
}

function showProblem(err, title) {
  document.getElementById("problem-h").textContent = title || "Warden cannot install this file";
  document.getElementById("problem-text").textContent = String(err.message || err);
  document.getElementById("problem").showModal();
}

// offerInstall shows what the bundle at path is and asks for, and installs
// it only when the user presses "Install and allow". Closing the dialog,
// Escape and Cancel (the default) install nothing. A bundle of an
// installed plugin is offered as an update.
window.offerInstall = async function (path) {
  let req;
  try {
    req = await call("preview", {path: path});
  } catch (err) {
    showProblem(err);
    return;
  }
  showConsent(req, {op: "install", path: path});
};

// offerUpdate shows what the registry's update of plugin id is and adds,
// and applies it only when the user presses its button.
async function offerUpdate(id) {
  let req;
  try {
    req = await call("preview-update", {id: id});
  } catch (err) {
    showProblem(err, "Warden cannot update this plugin");
    return;
  }
  showConsent(req, {op: "update"});
}

// showConsent fills the consent dialog with req (a preview) and opens it
// with Cancel focused; apply says what its button does.
function showConsent(req, apply) {
  const update = !!req.update;
  const asks = req.permissions.length > 0;
  document.getElementById("install-h").textContent = update
    ? "Update “" + req.name + "” from " + req.update + " to " + req.version + "?"
    : "Install “" + req.name + "” " + req.version + "?";
  document.getElementById("install-who").textContent = req.publisher ? "Published by " + req.publisher + " (as the plugin says)." : "The plugin names no publisher.";
  const signer = document.getElementById("install-signer");
  const unsigned = /unsigned|not signed/i.test(req.signer);
  signer.textContent = "Signature: " + req.signer + (unsigned ? ". Nobody vouches for this bundle: install it only if you trust where it came from." : "");
  signer.className = unsigned ? "warn" : "";
  const rep = document.getElementById("install-replaces");
  rep.textContent = req.replaces ? "It replaces " + req.replaces + ", which another publisher signed: the new one gets its data." : "";
  rep.hidden = !req.replaces;
  document.getElementById("install-asks-h").textContent = update
    ? (asks ? "Besides what you allowed before, the update asks to:" : "The update asks for nothing new.")
    : (asks ? "It asks to:" : "It asks for no permissions.");
  document.getElementById("install-asks").replaceChildren(...req.permissions.map(permItem));
  document.getElementById("install-optional-h").hidden = !(req.optional && req.optional.length);
  document.getElementById("install-optional").replaceChildren(...(req.optional || []).map(permItem));
  document.getElementById("install-ok").textContent = update ? (asks ? "Update and allow" : "Update") : "Install and allow";
  const dlg = document.getElementById("install");
  dlg.pending = {req: req, apply: apply};
  dlg.returnValue = "";
  dlg.showModal();
  document.getElementById("install-cancel").focus();
}

document.getElementById("install-cancel").addEventListener("click", () => document.getElementById("install").close("cancel"));
document.getElementById("install-ok").addEventListener("click", async () => {
  const dlg = document.getElementById("install");
  const pending = dlg.pending;
  dlg.pending = null;
  dlg.close("install");
  if (!pending) return;
  const req = pending.req;
  const shown = {id: req.id, version: req.version, signer: req.signer, perms: req.permissions.map((p) => p.name)};
  try {
    if (pending.apply.op === "update") {
      await call("update", shown);
      delete updates.byID[req.id];
    } else {
      await call("install", Object.assign({path: pending.apply.path}, shown));
    }
  } catch (err) {
    showProblem(err, req.update ? "Warden cannot update this plugin" : null);
  }
  await refresh();
});
document.getElementById("problem-ok").addEventListener("click", () => document.getElementById("problem").close());

// askPermission asks the user about a plugin's run-time permission
// request (the plugin's window already checked that the user clicked in
// it) and resolves with "allow", "deny" (remembered by Warden) or
// "dismissed" (Escape: nothing granted, nothing remembered). One question
// at a time; "Don't allow" is the default.
let asking = Promise.resolve();
window.askPermission = function (req) {
  const answer = asking.then(() => new Promise((resolve) => {
    const dlg = document.getElementById("ask");
    document.getElementById("ask-h").textContent = req.title;
    document.getElementById("ask-text").textContent = req.text;
    document.getElementById("ask-detail").textContent = req.detail;
    let done = (a) => {
      done = () => {};
      dlg.close();
      resolve(a);
    };
    document.getElementById("ask-allow").onclick = () => done("allow");
    document.getElementById("ask-deny").onclick = () => done("deny");
    dlg.oncancel = () => done("dismissed");
    dlg.showModal();
    document.getElementById("ask-deny").focus();
  }));
  asking = answer.then(refresh, refresh);
  return answer;
};
document.getElementById("install-pick").addEventListener("click", async () => {
  try {
    const path = await call("pick");
    if (path) await window.offerInstall(path);
  } catch (err) {
    showError(err);
  }
});

document.getElementById("updates-check").addEventListener("click", checkUpdates);
document.getElementById("audit-refresh").addEventListener("click", refreshAudit);
document.getElementById("audit-denied").addEventListener("change", refreshAudit);
document.getElementById("audit-plugin").addEventListener("change", refreshAudit);
document.getElementById("audit-since").addEventListener("change", refreshAudit);
refresh().then(checkUpdates);
