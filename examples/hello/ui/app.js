"use strict";

(function () {
  const form = document.getElementById("greet-form");
  const name = document.getElementById("name");
  const reply = document.getElementById("reply");

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    reply.classList.remove("error");
    try {
      reply.textContent = await warden.invoke("backend.greet", name.value.trim());
    } catch (err) {
      reply.classList.add("error");
      reply.textContent = String(err && err.message ? err.message : err);
    }
  });
})();
