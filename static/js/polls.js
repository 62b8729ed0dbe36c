// Vote without leaving the page: the server answers with the results block.
// Without JavaScript the form posts and redirects back with a message.
(function () {
  "use strict";

  function announce(block, message) {
    var status = block.querySelector("[data-poll-status]");
    if (status) { status.textContent = message; }
  }

  function onSubmit(event) {
    var form = event.target.closest("[data-poll-form]");
    if (!form || !window.fetch) { return; }
    event.preventDefault();
    var block = form.closest("[data-poll]");
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; }
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" },
      credentials: "same-origin"
    }).then(function (response) {
      return response.json();
    }).then(function (data) {
      var holder = document.createElement("div");
      holder.innerHTML = data.html;
      var fresh = holder.querySelector("[data-poll]");
      block.replaceWith(fresh);
      announce(fresh, data.message);
      var message = document.createElement("p");
      message.className = "poll__message";
      message.textContent = data.message;
      fresh.insertBefore(message, fresh.firstChild);
      message.setAttribute("tabindex", "-1");
      message.focus();
    }).catch(function () {
      if (button) { button.disabled = false; }
      form.submit();
    });
  }

  // Registered on the portal's init list (static/js/portal.js); one listener on
  // the document also covers blocks that replace themselves after a vote.
  window.Portal = window.Portal || { init: [] };
  window.Portal.init.push(function (root) {
    if (root.documentElement && !root.documentElement.hasAttribute("data-polls-ready")) {
      root.documentElement.setAttribute("data-polls-ready", "");
      root.addEventListener("submit", onSubmit);
    }
  });
})();
