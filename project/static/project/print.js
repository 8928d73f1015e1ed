// The "Imprimer" buttons: a file of the product's own, since the security policy runs no inline script.
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});
