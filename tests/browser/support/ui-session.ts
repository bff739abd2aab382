import { mkdir } from "node:fs/promises";
import type { Browser, Page } from "playwright-core";
import { createTestDatabase } from "../../support/postgres.ts";
import type { TestDatabase } from "../../support/postgres.ts";
import { launchChromium } from "./chromium.ts";
import { startLocalServer } from "./local-server.ts";
import type { LocalServer } from "./local-server.ts";

export const ARTIFACTS = new URL("../../artifacts/", import.meta.url).pathname;
/** Where a phone's browser is narrow enough to find layout that overflows (an iPhone 12-15). */
export const PHONE_VIEWPORT = { width: 390, height: 844 };

/** One customer's browser session against one RetainWise: a desktop tab, and phone tabs on demand. */
export interface UiSession {
  server: LocalServer;
  browser: Browser;
  page: Page;
  at(path: string): string;
  /** A full-page PNG in tests/artifacts/ui-NAME.png. */
  screenshot(name: string, target?: Page): Promise<Buffer>;
  /** A phone-width tab already holding the API key (no sign-in round trip). */
  phone(): Promise<Page>;
  /** An authenticated /v1 call from the test itself, to compare the page with what the API says. */
  v1<T>(path: string, init?: RequestInit): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

/**
 * `retainwise local` on a fresh test database and Chromium; or, with RETAINWISE_UI_TEST_URL and
 * RETAINWISE_UI_TEST_KEY set, a RetainWise already running elsewhere (a deployment).
 */
export async function openUiSession(): Promise<UiSession> {
  await mkdir(ARTIFACTS, { recursive: true });
  const db: TestDatabase | null = process.env.RETAINWISE_UI_TEST_URL ? null : await createTestDatabase();
  const [server, browser] = await Promise.all([targetServer(db), launchChromium()]);
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
  const at = (path: string) => `${server.url}${path}`;
  return {
    server,
    browser,
    page,
    at,
    screenshot: (name, target = page) => target.screenshot({ path: `${ARTIFACTS}ui-${name}.png`, fullPage: true }),
    async phone() {
      const phone = await browser.newPage({ viewport: PHONE_VIEWPORT });
      await phone.addInitScript((key) => sessionStorage.setItem("retainwise.apiKey", key), server.apiKey);
      return phone;
    },
    async v1<T>(path: string, init: RequestInit = {}) {
      const headers = new Headers(init.headers);
      headers.set("Authorization", `Bearer ${server.apiKey}`);
      const response = await fetch(at(`/v1${path}`), { ...init, headers });
      return { status: response.status, body: (response.status === 204 ? null : await response.json()) as T };
    },
    async close() {
      await browser.close();
      await server.stop();
      await db?.drop();
    },
  };
}

function targetServer(database: TestDatabase | null): Promise<LocalServer> {
  const url = process.env.RETAINWISE_UI_TEST_URL;
  const apiKey = process.env.RETAINWISE_UI_TEST_KEY;
  if (url && apiKey) return Promise.resolve({ url, apiKey, stop: async () => {} });
  return startLocalServer({ databaseUrl: database!.url });
}
