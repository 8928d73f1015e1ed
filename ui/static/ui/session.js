// The warning before a session ends (ui/templates/ui/session_expiry.html, RGAA 13.1). The server signs a
// session out after `idle` seconds without a request, and `ends_in` seconds from this page's load whatever
// the activity (project.middleware.SessionLimitsMiddleware). Shortly before (two minutes, at least twenty
// seconds), a modal dialog says when, and « Prolonger la session » asks the server to count from now: the page,
// and what is typed on it, stay. The tabs of one browser share the time of the last request (localStorage),
// so that working in one tab does not raise the warning in another.
(function () {
  const dialog = document.getElementById("session-expiry");
  if (!dialog || typeof dialog.showModal !== "function") return;
  const KEY = "cellule-session-seen";
  const idle = Number(dialog.dataset.idle) * 1000;
  const lead = Math.max(20000, Math.min(120000, idle / 4));
  let endsAt = Date.now() + Number(dialog.dataset.endsIn) * 1000;
  let seen = Date.now();
  let timer;

  const shared = () => { try { return Number(localStorage.getItem(KEY)) || 0; } catch (e) { return 0; } };
  const share = () => { try { localStorage.setItem(KEY, String(seen)); } catch (e) { /* private mode */ } };
  const deadline = () => Math.min(Math.max(seen, shared()) + idle, endsAt);
  const at = (time) => new Date(time).toLocaleTimeString("fr-FR", {hour: "2-digit", minute: "2-digit"});
  const show = (which) => {
    for (const text of dialog.querySelectorAll("[data-idle-text], [data-final-text], [data-expired-text]")) {
      text.hidden = !text.hasAttribute(which);
    }
    dialog.querySelector("[data-extend-button]").hidden = which !== "data-idle-text";
    dialog.querySelector("[data-close-button]").hidden = which === "data-idle-text";
    dialog.setAttribute("aria-describedby", dialog.querySelector("[" + which + "]").id || "session-expiry-text");
  };

  function schedule() {
    clearTimeout(timer);
    const end = deadline();
    const wait = end - lead - Date.now();
    timer = setTimeout(wait > 0 ? check : expire, wait > 0 ? wait : Math.max(0, end - Date.now()));
  }

  function check() {
    const end = deadline();
    if (end - Date.now() > lead + 1000) { schedule(); return; }  // another tab has been used since
    for (const span of dialog.querySelectorAll("[data-at]")) span.textContent = at(end);
    show(end === endsAt ? "data-final-text" : "data-idle-text");
    if (!dialog.open) dialog.showModal();
    clearTimeout(timer);
    timer = setTimeout(expire, Math.max(0, end - Date.now()));
  }

  function expire() {
    if (deadline() > Date.now() + 1000) { schedule(); return; }
    show("data-expired-text");
    if (!dialog.open) dialog.showModal();
  }

  dialog.querySelector("[data-extend-button]").addEventListener("click", async () => {
    const token = document.querySelector("[name=csrfmiddlewaretoken]").value;  // the header's sign-out form
    try {
      const answer = await fetch(dialog.dataset.extend, {method: "POST", headers: {"X-CSRFToken": token},
                                                          credentials: "same-origin", redirect: "manual"});
      if (!answer.ok) { show("data-expired-text"); return; }
      const limits = await answer.json();
      seen = Date.now();
      endsAt = seen + limits.ends_in * 1000;
      share();
      dialog.close();
      schedule();
    } catch (e) {
      show("data-expired-text");
    }
  });
  dialog.querySelector("[data-close-button]").addEventListener("click", () => dialog.close());
  share();
  schedule();
})();
