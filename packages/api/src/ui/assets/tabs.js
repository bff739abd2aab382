// @ts-check
// The Overview / Performance tabs of a prediction's and a model's page (WAI-ARIA tabs pattern:
// arrow keys move between tabs). `#performance` in the URL opens that tab, so a link can point at it.

/** Wires the page's tab list, if it has one. */
export function startTabs() {
  const list = document.querySelector('[role="tablist"]');
  if (!list) return;
  const tabs = /** @type {HTMLElement[]} */ ([...list.querySelectorAll('[role="tab"]')]);
  const select = (/** @type {HTMLElement} */ chosen, focus = false) => {
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute("aria-selected", String(selected));
      tab.tabIndex = selected ? 0 : -1;
      /** @type {HTMLElement} */ (document.getElementById(tab.getAttribute("aria-controls") ?? "")).hidden = !selected;
    }
    if (focus) chosen.focus();
  };
  const fromHash = () => {
    const tab = tabs.find((t) => `#${t.id.replace(/-tab$/, "")}` === location.hash);
    if (tab) select(tab);
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => {
      select(tab);
      history.replaceState(
        null,
        "",
        tab === tabs[0] ? location.pathname + location.search : `#${tab.id.replace(/-tab$/, "")}`,
      );
    });
  }
  list.addEventListener("keydown", (event) => {
    const key = /** @type {KeyboardEvent} */ (event).key;
    const at = tabs.findIndex((t) => t.getAttribute("aria-selected") === "true");
    const next =
      key === "ArrowRight"
        ? at + 1
        : key === "ArrowLeft"
          ? at - 1
          : key === "Home"
            ? 0
            : key === "End"
              ? tabs.length - 1
              : null;
    if (next === null) return;
    event.preventDefault();
    select(tabs[(next + tabs.length) % tabs.length], true);
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
}
