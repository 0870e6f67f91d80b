// The shared CLI wrapper: runs a command's main, turning any error into one line on stderr and
// exit code 1 (never a stack trace; NEURAD_DEBUG=1 prints it for developers).

export async function runCli(main: () => Promise<void>) {
  try {
    await main();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    console.error(`error: ${msg.split("\n")[0]}`);
    if (Deno.env.get("NEURAD_DEBUG")) console.error(e);
    Deno.exit(1);
  }
}
