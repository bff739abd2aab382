// @ts-check
// The browser side of the /v1 API. The key lives in sessionStorage only: it survives reloads in
// this tab and is gone when the tab closes; it is never written to a cookie or localStorage.

const KEY_STORAGE = "retainwise.apiKey";

/** An API error carrying the server's `{error:{code,message,details}}` as-is. */
export class ApiError extends Error {
  /** @param {number} status @param {string} code @param {string} message @param {Record<string, any> | undefined} [details] */
  constructor(status, code, message, details) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

export const session = {
  /** @returns {string | null} */
  key: () => sessionStorage.getItem(KEY_STORAGE),
  /** @param {string} key */
  signIn: (key) => sessionStorage.setItem(KEY_STORAGE, key),
  signOut: () => sessionStorage.removeItem(KEY_STORAGE),
};

/**
 * Calls `/v1<path>` with the key and resolves the parsed JSON (null for 204).
 * @param {string} path @param {RequestInit} [init] @param {string | null} [key]
 */
export async function api(path, init = {}, key = session.key()) {
  const headers = new Headers(init.headers);
  if (key) headers.set("Authorization", `Bearer ${key}`);
  headers.set("Accept", "application/json");
  const response = await fetch(`/v1${path}`, { ...init, headers });
  if (response.status === 401 && key === session.key()) redirectToSignIn();
  const body = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, body);
  return body;
}

/**
 * Calls `/v1<path>` for a CSV answer and resolves its text; errors as `api` gives them.
 * @param {string} path
 */
export async function apiText(path) {
  const response = await fetch(`/v1${path}`, { headers: { Authorization: `Bearer ${session.key()}` } });
  if (response.status === 401) redirectToSignIn();
  if (!response.ok) throw toApiError(response.status, await response.json().catch(() => null));
  return response.text();
}

/**
 * Uploads a file as multipart field `file` (plus `fields`) with XMLHttpRequest, whose upload events
 * give a real progress bar (fetch has no upload progress). Resolves the created resource: a
 * prediction by default, a model with `path: "/models"`.
 * @param {File} file @param {(fraction: number) => void} onProgress
 * @param {{path?: string, fields?: Record<string, string>}} [options]
 */
export function uploadFile(file, onProgress, { path = "/predictions", fields = {} } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/v1${path}`);
    xhr.setRequestHeader("Authorization", `Bearer ${session.key()}`);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.responseType = "json";
    xhr.upload.addEventListener("progress", (event) => {
      if (event.lengthComputable) onProgress(event.loaded / event.total);
    });
    xhr.addEventListener("load", () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response);
      else reject(toApiError(xhr.status, xhr.response));
    });
    xhr.addEventListener("error", () =>
      reject(new ApiError(0, "NETWORK", "The upload was interrupted: check your connection and try again.")),
    );
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) form.append(name, value);
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

export function redirectToSignIn() {
  session.signOut();
  const next = location.pathname + location.search;
  location.assign(`/sign-in?next=${encodeURIComponent(next)}`);
}

/** @param {number} status @param {any} body */
function toApiError(status, body) {
  const error = body?.error;
  if (error && typeof error.message === "string")
    return new ApiError(status, String(error.code), error.message, error.details);
  return new ApiError(
    status,
    "HTTP_" + status,
    `The server answered ${status} without an explanation. Try again shortly.`,
  );
}
