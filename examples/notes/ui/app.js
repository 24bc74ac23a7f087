"use strict";

(function () {
  const form = document.getElementById("note-form");
  const text = document.getElementById("text");
  const status = document.getElementById("status");
  const list = document.getElementById("notes");

  function showError(err) {
    status.classList.add("error");
    status.textContent = String(err && err.message ? err.message : err);
  }

  function render(notes) {
    list.replaceChildren();
    for (const note of notes) {
      const item = document.createElement("li");
      const body = document.createElement("p");
      body.textContent = note.text;
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

  async function refresh() {
    render(await warden.invoke("backend.list", {}));
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.classList.remove("error");
    try {
      await warden.invoke("backend.save", { text: text.value });
      text.value = "";
      status.textContent = "Saved";
      await refresh();
    } catch (err) {
      showError(err);
    }
  });

  refresh().catch(showError);
})();
