"use strict";

// The count is the backend's: the page only shows what it answers.
(function () {
  const count = document.getElementById("count");
  const error = document.getElementById("error");

  async function show(reply) {
    error.textContent = "";
    try {
      count.textContent = String(await reply);
    } catch (err) {
      error.textContent = String(err && err.message ? err.message : err);
    }
  }

  document.getElementById("plus").addEventListener("click", () => show(warden.invoke("backend.add", 1)));
  document.getElementById("minus").addEventListener("click", () => show(warden.invoke("backend.add", -1)));
  show(warden.invoke("backend.count"));
})();
