// Homecoming: light enhancement only; every page works without this file.
// htmx requests carry the page's CSRF token in a header (the server checks it on POST).
document.addEventListener("htmx:configRequest", function (event) {
  var meta = document.querySelector('meta[name="csrf-token"]');
  if (meta) { event.detail.headers["X-CSRF-Token"] = meta.content; }
});
