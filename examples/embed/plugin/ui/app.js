"use strict";

(function () {
  const button = document.getElementById("now");
  const out = document.getElementById("time");

  button.addEventListener("click", async () => {
    out.classList.remove("error");
    try {
      const r = await warden.invoke("app.clock.now", { zone: "UTC" });
      out.textContent = r.time;
    } catch (err) {
      out.classList.add("error");
      out.textContent = String(err && err.message ? err.message : err);
    }
  });
})();
