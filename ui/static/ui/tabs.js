// A link to a section of a page in tabs (the case page's #prises-en-charge, #equipe-mobile) opens the tab that
// holds it: a file of the product's own, as the security policy runs no inline script. Before the design
// system starts (this script runs first), the markup is made to select that tab, which it then starts with;
// once started, a later change of the address discloses the tab through its API.
function selectTabOf(hash) {
  const target = hash.length > 1 ? document.getElementById(decodeURIComponent(hash.slice(1))) : null;
  const panel = target ? target.closest(".fr-tabs__panel") : null;
  if (!panel) return;
  if (window.dsfr && panel.hasAttribute("data-fr-js-tab-panel")) {
    window.dsfr(panel).tabPanel.disclose();
  } else {
    for (const other of panel.parentElement.querySelectorAll(":scope > .fr-tabs__panel")) {
      const selected = other === panel;
      other.classList.toggle("fr-tabs__panel--selected", selected);
      const tab = document.querySelector(`[aria-controls="${other.id}"]`);
      tab.setAttribute("aria-selected", String(selected));
      tab.setAttribute("tabindex", selected ? "0" : "-1");
    }
  }
  target.scrollIntoView();
}
selectTabOf(window.location.hash);
window.addEventListener("hashchange", () => selectTabOf(window.location.hash));
