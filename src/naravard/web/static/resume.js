// Post the form that was carried through sign-in straight away; the button remains for
// browsers without scripts.
(function () {
  var form = document.getElementById("resume-form");
  if (form && form.dataset.autosubmit === "1") { form.submit(); }
})();
