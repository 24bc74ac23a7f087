"use strict";

// Everything a feed says reaches the page as data and is shown with
// textContent (or as a link's href after a scheme check): feed text never
// becomes markup.
(function () {
  const form = document.getElementById("add-form");
  const url = document.getElementById("url");
  const status = document.getElementById("status");
  const feedList = document.getElementById("feeds");
  const feedTitle = document.getElementById("feed-title");
  const items = document.getElementById("items");
  let current = "";

  function say(text, isError) {
    status.classList.toggle("error", !!isError);
    status.textContent = text;
  }

  function showError(err) {
    const code = err && err.code ? " (" + err.code + ")" : "";
    say(String(err && err.message ? err.message : err) + code, true);
  }

  // safeHref returns link when it is an http(s) URL; the backend passes
  // only those, and the page checks again rather than trust a string.
  function safeHref(link) {
    try {
      const u = new URL(link);
      return u.protocol === "http:" || u.protocol === "https:" ? u.href : "";
    } catch (e) {
      return "";
    }
  }

  function showItems(reading) {
    current = reading.feed.url;
    feedTitle.textContent = reading.feed.title;
    items.replaceChildren();
    for (const item of reading.items) {
      const li = document.createElement("li");
      const href = item.link ? safeHref(item.link) : "";
      const title = document.createElement(href ? "a" : "strong");
      title.className = "title";
      title.textContent = item.title || "(untitled)";
      if (href) {
        title.href = href;
        title.rel = "noopener noreferrer";
      }
      li.append(title);
      if (item.date) {
        const time = document.createElement("time");
        time.dateTime = item.date;
        time.textContent = new Date(item.date).toLocaleString();
        li.append(time);
      }
      if (item.summary) {
        const p = document.createElement("p");
        p.textContent = item.summary;
        li.append(p);
      }
      items.append(li);
    }
    for (const li of feedList.children) {
      li.classList.toggle("current", li.dataset.url === current);
    }
  }

  async function read(feedURL) {
    say("Reading…");
    try {
      const reading = await warden.invoke("backend.read", { url: feedURL });
      showItems(reading);
      say(reading.items.length + " items");
    } catch (err) {
      showError(err);
    }
  }

  function showFeeds(subs) {
    feedList.replaceChildren();
    for (const sub of subs) {
      const li = document.createElement("li");
      li.dataset.url = sub.url;
      li.classList.toggle("current", sub.url === current);
      const open = document.createElement("button");
      open.type = "button";
      open.className = "feed";
      open.textContent = sub.title;
      open.title = sub.url;
      open.addEventListener("click", () => read(sub.url));
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "remove";
      remove.textContent = "Remove";
      remove.addEventListener("click", async () => {
        try {
          await warden.invoke("backend.remove", { url: sub.url });
          await refresh();
        } catch (err) {
          showError(err);
        }
      });
      li.append(open, remove);
      feedList.append(li);
    }
  }

  async function refresh() {
    const subs = await warden.invoke("backend.feeds", {});
    showFeeds(subs);
    return subs;
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    say("Adding…");
    try {
      const reading = await warden.invoke("backend.add", { url: url.value.trim() });
      url.value = "";
      await refresh();
      showItems(reading);
      say("Added " + reading.feed.title + ": " + reading.items.length + " items");
    } catch (err) {
      showError(err);
    }
  });

  refresh()
    .then((subs) => (subs.length > 0 ? read(subs[0].url) : say("Add a feed by its URL.")))
    .catch(showError);
})();
