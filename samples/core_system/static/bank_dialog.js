// 金融機関検索 dialog: search banks, pick one, search its branches, pick one → fills the form.
(function () {
  var ids = window.CORE_IDS || {};
  function el(name) { return ids[name] ? document.getElementById(ids[name]) : null; }
  var overlay = el("bank-overlay");
  var openButton = el("open-bank-dialog");
  if (!overlay || !openButton) return;
  var bankStep = el("bank-step"), branchStep = el("branch-step");
  var chosen = null;

  function show(on) {
    overlay.hidden = !on;
    if (on) {
      bankStep.hidden = false;
      branchStep.hidden = true;
      el("bank_q").focus();
    } else {
      openButton.focus();
    }
  }

  function fetchJson(url, onData, msg) {
    msg.textContent = "検索中…";
    fetch(url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) {
        if (resp.status === 401) {
          msg.textContent = "セッションの有効期限が切れました。再度ログインしてください";
          window.location.href = "/login";
          return null;
        }
        if (!resp.ok) throw new Error("HTTP " + resp.status);
        return resp.json();
      })
      .then(function (data) { if (data) onData(data); })
      .catch(function () { msg.textContent = "検索に失敗しました。もう一度お試しください。"; });
  }

  function render(list, items, onPick) {
    list.innerHTML = "";
    items.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = item.label;
      button.addEventListener("click", function () { onPick(item); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  function searchBanks() {
    var msg = el("bank_msg");
    var q = el("bank_q").value;
    fetchJson("/api/banks?q=" + encodeURIComponent(q), function (data) {
      render(el("bank_results"), data.results, pickBank);
      msg.textContent = data.results.length === 0 ? "該当する金融機関がありません"
        : data.truncated ? "該当件数が多いため先頭" + data.results.length + "件を表示しています"
        : data.results.length + "件見つかりました";
    }, msg);
  }

  function pickBank(bank) {
    chosen = bank;
    el("chosen_bank").textContent = bank.label;
    bankStep.hidden = true;
    branchStep.hidden = false;
    el("branch_q").value = "";
    el("branch_results").innerHTML = "";
    el("branch_msg").textContent = "支店名またはカナを入力して「検索」を押してください";
    el("branch_q").focus();
  }

  function searchBranches() {
    var msg = el("branch_msg");
    var q = el("branch_q").value;
    fetchJson("/api/banks/" + encodeURIComponent(chosen.code) + "/branches?q=" + encodeURIComponent(q),
      function (data) {
        render(el("branch_results"), data.results, pickBranch);
        msg.textContent = data.results.length === 0 ? "該当する支店がありません"
          : data.truncated ? "該当件数が多いため先頭" + data.results.length + "件を表示しています"
          : data.results.length + "件見つかりました";
      }, msg);
  }

  function pickBranch(branch) {
    el("bank_code").value = chosen.code;
    el("bank_name").value = chosen.display;
    el("branch_code").value = branch.code;
    el("branch_name").value = branch.display;
    var radio = el("kind_bank");
    if (radio) radio.checked = true;
    show(false);
  }

  openButton.addEventListener("click", function () { show(true); });
  el("bank_close").addEventListener("click", function () { show(false); });
  el("bank_q_btn").addEventListener("click", searchBanks);
  el("branch_q_btn").addEventListener("click", searchBranches);
  el("bank_reselect").addEventListener("click", function () {
    bankStep.hidden = false; branchStep.hidden = true; el("bank_q").focus();
  });
  [["bank_q", searchBanks], ["branch_q", searchBranches]].forEach(function (pair) {
    el(pair[0]).addEventListener("keydown", function (event) {
      if (event.key === "Enter") { event.preventDefault(); pair[1](); }
    });
  });
  overlay.addEventListener("keydown", function (event) {
    if (event.key === "Escape") show(false);
  });
})();
