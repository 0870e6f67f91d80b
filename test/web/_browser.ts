// Headless Chromium for the page tests: WebGPU on SwiftShader (the flags of ../shared notes that
// pass compute, canvas and WebGL here), every console error, page error and request beyond the
// page's own file (or data:/blob: URLs) recorded as a problem, and downloads saved to a folder.

import type { Browser, Page } from "puppeteer-core";

export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
  .find((p) => {
    try {
      return Deno.statSync(p).isFile;
    } catch {
      return false;
    }
  });

export const WEBGPU_FLAGS = [
  "--no-sandbox",
  "--enable-unsafe-webgpu",
  "--enable-features=Vulkan",
  "--use-vulkan=swiftshader",
  "--use-angle=swiftshader",
  "--enable-unsafe-swiftshader",
];

export interface PageSession {
  browser: Browser;
  page: Page;
  /** Console errors, page errors, failed or foreign requests. */
  problems: string[];
  /** Every URL the page requested. */
  requests: string[];
  close(): Promise<void>;
}

/** Opens `url` (the page's own file or server) in a fresh browser; `extraArgs` add flags. */
export async function openPage(
  url: string,
  opts: { extraArgs?: string[]; downloadDir?: string; width?: number; height?: number } = {},
): Promise<PageSession> {
  const { default: puppeteer } = await import("puppeteer-core");
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    // SwiftShader runs WebGL and WebGPU on the same GPU-process thread: while a long compute
    // batch runs, the page's synchronous WebGL calls (the viewer) wait for it.
    protocolTimeout: 900_000,
    args: [...(opts.extraArgs ?? WEBGPU_FLAGS)],
    defaultViewport: { width: opts.width ?? 1280, height: opts.height ?? 900 },
  });
  const problems: string[] = [];
  const requests: string[] = [];
  const page = await browser.newPage();
  // Waits sized for a loaded 2-core machine (SwiftShader compiles shaders on the CPU).
  page.setDefaultTimeout(120_000);
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e}`));
  const own = url.split("#")[0];
  await page.setRequestInterception(true);
  page.on("request", (r) => {
    const u = r.url();
    requests.push(u);
    if (u.split("#")[0] === own || u.startsWith("data:") || u.startsWith("blob:")) {
      void r.continue();
    } else {
      problems.push(`network request: ${u.slice(0, 120)}`);
      void r.abort();
    }
  });
  if (opts.downloadDir) {
    const cdp = await browser.target().createCDPSession();
    await cdp.send("Browser.setDownloadBehavior", {
      behavior: "allow",
      downloadPath: opts.downloadDir,
      eventsEnabled: true,
    });
  }
  await page.goto(url);
  return {
    browser,
    page,
    problems,
    requests,
    close: () => browser.close(),
  };
}
