// @ts-check
// Byte counts for people. Plain JS with no DOM, so the pages and the server (upload.ts: the 413
// message) share this one function.

/**
 * `1536` -> "1.5 KiB", `5 * 1024 ** 3` -> "5 GiB": binary units, one decimal below 10.
 * @param {number} bytes
 * @returns {string}
 */
export function formatBytes(bytes) {
  const units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const shown = unit === 0 || Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 1 : 0);
  return `${shown} ${units[unit]}`;
}
