// @ts-check
import { api, session } from "./api.js";

/** Checks the key against the API before keeping it, so a typo is caught here, not on the next page. */
export function startSignIn() {
  const form = /** @type {HTMLFormElement} */ (document.getElementById("sign-in-form"));
  const input = /** @type {HTMLInputElement} */ (document.getElementById("api-key"));
  const error = /** @type {HTMLElement} */ (document.getElementById("sign-in-error"));
  const params = new URLSearchParams(location.search);
  /** @type {HTMLElement} */ (document.getElementById("signed-out")).hidden = !params.has("signedOut");
  input.focus();
  input.addEventListener("input", () => (error.textContent = ""));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    error.textContent = "";
    if (!key) {
      error.textContent = "Enter your API key.";
      return input.focus();
    }
    const button = /** @type {HTMLButtonElement} */ (form.querySelector("button[type=submit]"));
    button.disabled = true;
    try {
      await api("/predictions?limit=1", {}, key);
      session.signIn(key);
      location.assign(safeNext(params.get("next")));
    } catch (e) {
      const status = /** @type {any} */ (e).status;
      error.textContent =
        status === 401 ? "That API key was not accepted. Check it and try again." : /** @type {Error} */ (e).message;
      input.focus();
    } finally {
      button.disabled = false;
    }
  });
}

/** Only same-site paths: `next` comes from the URL, which anyone can craft. @param {string | null} next */
function safeNext(next) {
  return next?.startsWith("/") && !next.startsWith("//") ? next : "/predictions";
}
