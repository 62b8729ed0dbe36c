// Progressive enhancement only: every page works without this file.
// Apps register their behaviour on elements marked with data-* attributes.
(function () {
  "use strict";
  window.Portal = window.Portal || { init: [] };
  document.addEventListener("DOMContentLoaded", function () {
    window.Portal.init.forEach(function (fn) { fn(document); });
  });
})();
