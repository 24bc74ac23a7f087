"use strict";

(function () {
  const status = document.getElementById("status");
  const stats = document.getElementById("stats");

  // The page sends the text to the backend in one request, which the core
  // bounds (1 MiB sealed): larger files are refused here, with a reason.
  const maxText = 768 * 1024;

  function say(text, isError) {
    status.textContent = text;
    status.classList.toggle("error", Boolean(isError));
  }

  function describe(err) {
    return (err && err.code ? err.code + ": " : "") + (err && err.message ? err.message : String(err));
  }

  function show(s) {
    document.getElementById("name").textContent = s.name;
    document.getElementById("lines").textContent = String(s.lines);
    document.getElementById("words").textContent = String(s.words);
    document.getElementById("characters").textContent = String(s.characters);
    const top = document.getElementById("top");
    top.replaceChildren();
    for (const w of s.top) {
      const item = document.createElement("li");
      item.textContent = w.word + " (" + w.count + ")";
      top.append(item);
    }
    stats.hidden = false;
  }

  // Decodes base64 to bytes, then UTF-8 to text (bad bytes become U+FFFD).
  function decode(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new TextDecoder().decode(bytes);
  }

  // Called from the click: the dialog needs the user's own gesture.
  document.getElementById("open").addEventListener("click", async () => {
    say("Waiting for your pick…");
    try {
      const file = await warden.invoke("dialog.open", {
        title: "Open a text file",
        filters: [
          { name: "Text files", patterns: ["*.txt", "*.md", "*.csv", "*.log"] },
          { name: "All files", patterns: ["*"] },
        ],
      });
      if (file === null) {
        say("No file picked.");
        return;
      }
      if (file.size > maxText) {
        say(file.name + " is " + file.size + " bytes; this plugin reads files up to " + maxText + " bytes.", true);
        return;
      }
      show(await warden.invoke("backend.stats", { name: file.name, text: decode(file.data) }));
      say("");
    } catch (err) {
      say(describe(err), true);
    }
  });
})();
