// A live character count under every text box with a limit (data-limit). The box never cuts
// what is typed or pasted; the form refuses an over-long text with a message instead.
(function () {
  "use strict";
  function attach(box) {
    if (box.dataset.counted) return;
    box.dataset.counted = "1";
    var limit = parseInt(box.dataset.limit, 10);
    var label = box.dataset.countLabel || "{count} / " + limit;
    var out = document.createElement("p");
    out.className = "char-count";
    out.id = (box.id || box.name) + "-count";
    out.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", out);
    var described = box.getAttribute("aria-describedby");
    box.setAttribute("aria-describedby", (described ? described + " " : "") + out.id);
    function update() {
      var n = box.value.length;
      out.textContent = label.replace("{count}", n.toLocaleString(document.documentElement.lang || undefined));
      out.classList.toggle("over", n > limit);
    }
    box.addEventListener("input", update);
    update();
  }
  function scan(root) {
    (root || document).querySelectorAll("textarea[data-limit]").forEach(attach);
  }
  document.addEventListener("DOMContentLoaded", function () { scan(document); });
  document.addEventListener("htmx:afterSwap", function (e) { scan(e.target); });
})();
