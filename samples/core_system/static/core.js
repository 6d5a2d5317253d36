// Shared page script: closes the お知らせ notice.
(function () {
  var ids = window.CORE_IDS || {};
  var close = ids["notice-close"] && document.getElementById(ids["notice-close"]);
  if (close) {
    close.addEventListener("click", function () {
      var overlay = close.closest("[data-overlay]");
      if (overlay) overlay.remove();
      document.querySelectorAll("[inert]").forEach(function (el) { el.inert = false; });
    });
  }
})();
