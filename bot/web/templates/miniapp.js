// The desk's only script: Telegram opens the Mini App with its signed launch data in the
// address's fragment (#tgWebAppData=...); post it to the server, which checks it.
(function () {
  var fragment = new URLSearchParams(window.location.hash.slice(1));
  var data = fragment.get("tgWebAppData");
  if (!data && window.Telegram && window.Telegram.WebApp) {
    data = window.Telegram.WebApp.initData;
  }
  var form = document.getElementById("miniapp");
  if (data && form) {
    form.elements["init_data"].value = data;
    form.submit();
  }
})();
