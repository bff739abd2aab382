/** `value` with every string in it (keys aside) passed through `f`: for JSON bound for jsonb, which cannot hold NUL. */
export function mapStrings<T>(value: T, f: (text: string) => string): T {
  if (typeof value === "string") return f(value) as T;
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, f)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, mapStrings(item, f)])) as T;
  return value;
}

/** `value` with every NUL in its strings shown as U+FFFD: what a customer's cell may hold, jsonb may not. */
export function withoutNul<T>(value: T): T {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: NUL is the one character jsonb cannot hold.
  return mapStrings(value, (text) => text.replace(/\u0000/g, "\uFFFD"));
}
