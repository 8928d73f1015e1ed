// A page showing a form's errors opens on their summary (forms/error_summary.html): a file of the
// product's own, since the security policy runs no inline script.
document.querySelector("[data-error-summary]")?.focus();
