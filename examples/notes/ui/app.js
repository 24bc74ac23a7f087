"use strict";

(function () {
  const form = document.getElementById("note-form");
  const text = document.getElementById("text");
  const status = document.getElementById("status");
  const list = document.getElementById("notes");
  const preview = document.getElementById("preview");
  const shown = document.getElementById("preview-out");

  function showError(err) {
    status.classList.add("error");
    status.textContent = String(err && err.message ? err.message : err);
  }

  function render(notes) {
    list.replaceChildren();
    for (const note of notes) {
      const item = document.createElement("li");
      // note.html is the backend's rendering of the note's markdown: only
      // allow-listed tags, every character the author typed escaped, links
      // only to http(s) and mailto (see backend/markdown.go).
      const body = document.createElement("div");
      body.className = "note-body";
      body.innerHTML = note.html;
      const meta = document.createElement("small");
      meta.textContent = new Date(note.created).toLocaleString();
      const remove = document.createElement("button");
      remove.type = "button";
      remove.textContent = "Delete";
      remove.addEventListener("click", async () => {
        try {
          await warden.invoke("backend.remove", note.id);
          await refresh();
        } catch (err) {
          showError(err);
        }
      });
      item.append(body, meta, remove);
      list.append(item);
    }
  }

  preview.addEventListener("click", async () => {
    status.classList.remove("error");
    try {
      shown.innerHTML = await warden.invoke("backend.render", text.value);
      shown.hidden = false;
    } catch (err) {
      showError(err);
    }
  });

  async function refresh() {
    render(await warden.invoke("backend.list", {}));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("error");
    try {
      await warden.invoke("backend.save", { text: text.value });
      text.value = "";
      shown.hidden = true;
      status.textContent = "Saved";
      await refresh();
    } catch (err) {
      showError(err);
    }
  });

  refresh().catch(showError);
})();
